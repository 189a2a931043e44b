"""Gunicorn settings for production: `gunicorn -c gunicorn.conf.py portal.wsgi`.

Everything can be tuned from the environment, so one file serves a clinic's single machine and a
group's app servers behind a load balancer:

    BIND (or PORT)            where to listen                       127.0.0.1:8000 (PORT=8000 -> 0.0.0.0:8000)
    WEB_CONCURRENCY           worker processes                      2 x CPU cores + 1, at most 12
    GUNICORN_TIMEOUT          seconds before a stuck worker is killed   30
    GUNICORN_MAX_REQUESTS     requests before a worker is replaced  500 (0 turns recycling off)
    GUNICORN_MAX_REQUESTS_JITTER   spread so workers do not restart together   50
    GUNICORN_PRELOAD          load the app once before forking       true
    FORWARDED_ALLOW_IPS       proxies trusted for X-Forwarded-Proto  127.0.0.1,::1
    GUNICORN_ACCESS_LOG       "-" for stdout, a file path, or "off"  -
    GUNICORN_WARM_PDF         render one small PDF before forking     true

Workers are synchronous: a request is a few queries and a template, and signing renders a PDF, which
is CPU-bound; threads would only contend for the GIL. WeasyPrint keeps font and layout caches that
grow with every rendered PDF, so each worker is replaced after a few hundred requests (with jitter).

The access log never contains a request path, a query string or a referrer: patient paths carry the
private link's token (/p/<token>/), and a referrer can carry it too. Each line shows the route with
every identifying segment replaced (/p/:token/, /staff/patients/:id/), the status, the size and the
time taken. `RouteOnlyAccessLogger` drops the risky atoms entirely, so even a changed
access_log_format cannot bring them back.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import time

from gunicorn.glogging import Logger


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    return int(raw) if raw.strip() else default


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    return raw in ("1", "true", "yes", "on")


def default_workers(cpu_count: int | None = None) -> int:
    cores = cpu_count or multiprocessing.cpu_count()
    return max(2, min(2 * cores + 1, 12))


# A path segment that is a plain word (a URL room or action, or a file name such as copy.pdf) is kept;
# anything else (tokens, UUIDs, numbers) becomes :id. The token of /p/<token>/ always becomes :token.
_WORD = re.compile(r"^[a-z][a-z_-]{0,30}(\.[a-z0-9]{1,5})?$")


def route_of(path: str) -> str:
    """The shape of a request path with nothing that identifies a patient or a link."""
    segments = [segment for segment in (path or "/").split("/") if segment]
    shaped = []
    for index, segment in enumerate(segments):
        if index == 1 and shaped == ["p"]:
            shaped.append(":token")
        elif shaped[:1] == ["static"]:
            shaped.append("...")  # static files: the folder is enough
            break
        elif _WORD.match(segment):
            shaped.append(segment)
        else:
            shaped.append(":id")
    route = "/" + "/".join(shaped)
    if path.endswith("/") and route != "/":
        route += "/"
    return route


class RouteOnlyAccessLogger(Logger):
    """Access log atoms without the request line, path, query, referrer, headers or environment.

    Adds %(route)s (the path's shape) and %(cpu)s: the worker's own CPU milliseconds for the request
    (from pre_request below), which stays meaningful on a busy machine where wall time does not.
    """

    def atoms(self, resp, req, environ, request_time):
        # Built here rather than from Logger.atoms(), which copies every header and environ entry.
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        sent = getattr(resp, "sent", None)
        micros = request_time.seconds * 1_000_000 + request_time.microseconds
        started = getattr(req, "portal_cpu_started", None)
        return {
            "h": environ.get("REMOTE_ADDR", "-"),
            "l": "-",
            "u": "-",
            "t": self.now(),
            "m": environ.get("REQUEST_METHOD"),
            "s": status,
            "b": str(sent) if sent is not None else "-",
            "B": sent,
            "H": environ.get("SERVER_PROTOCOL"),
            "T": request_time.seconds,
            "D": micros,
            "M": micros // 1000,
            "L": f"{request_time.seconds}.{request_time.microseconds:06d}",
            "p": f"<{os.getpid()}>",
            "route": route_of(environ.get("PATH_INFO", "/")),
            "a": (environ.get("HTTP_USER_AGENT") or "-")[:120],
            "cpu": round((time.process_time() - started) * 1000) if started is not None else "-",
        }


def pre_request(worker, req):
    req.portal_cpu_started = time.process_time()


def when_ready(server):
    """With the app preloaded, import every URLconf and view module in the master before it forks.

    Django imports views on the first request, and the portal's views bring in WeasyPrint, pyHanko and
    the rest; done once here, the workers share those modules (copy-on-write) instead of each paying
    for them on its first request, and again after every recycling.
    """
    if not preload_app:
        return
    try:
        from django.db import connections
        from django.urls import get_resolver

        get_resolver().url_patterns  # noqa: B018 - evaluating it imports every view module
        connections.close_all()  # no database connection may be shared across the fork
    except Exception:  # a broken import shows on the first request with its own traceback
        server.log.exception("Could not import the URLconf before forking")
    if _env_bool("GUNICORN_WARM_PDF", True):
        warm_pdf_renderer(server)


# Text in the scripts and fonts the consent PDF uses, a table with backgrounds and borders, and an
# inline PNG (signatures and QR codes are inline PNGs): each has a one-time cost on first use.
_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAAFElEQVR4nGNkYGD4z8DAwMDEAAUADigBA0dwHFEAAAAASUVORK5CYII="
_WARM_HTML = f"""<html><head><style>
@page {{ size: A4; margin: 20mm; @bottom-center {{ content: counter(page) " / " counter(pages); }} }}
body {{ font-family: "Noto Sans", "DejaVu Sans", "Noto Sans CJK SC", "Noto Sans Arabic", sans-serif; }}
.serif {{ font-family: "Noto Serif", "DejaVu Serif", serif; font-style: italic; }}
.mono {{ font-family: "DejaVu Sans Mono", monospace; }}
th, td {{ border: 0.5pt solid #bbb; }} th {{ background: #e8eef5; }} .box {{ display: flex; }}
</style></head><body><h1>Consent</h1><p>Zoë Ölander · Ελένη · Ольга · 陈美 · يوسف</p>
<p class="serif">Signed</p><p class="mono">0123456789abcdef</p>
<table><thead><tr><th>a</th></tr></thead><tr><td>1</td></tr></table>
<div class="box"><img src="data:image/png;base64,{_PNG}" width="20"><span>✓</span></div></body></html>"""


def warm_pdf_renderer(server) -> None:
    """Render one small PDF and load the sealing library in the master, before the workers fork.

    Measured on the benchmark: a worker's first signing cost about 0.65 s of CPU against 0.3 s for the
    next ones, mostly importing pyHanko (which the seal imports on first use) and first-use set-up in
    WeasyPrint. Done here once, every worker inherits it, after every recycling too.
    """
    try:
        import pyhanko.pdf_utils.incremental_writer  # noqa: F401
        import pyhanko.sign.fields  # noqa: F401
        import pyhanko.sign.signers  # noqa: F401

        from portal.pdf import render_html_to_pdf

        render_html_to_pdf(_WARM_HTML)
    except Exception:
        server.log.exception("Could not warm the PDF renderer")


if os.environ.get("BIND"):
    bind = [os.environ["BIND"]]
elif os.environ.get("PORT"):
    bind = [f"0.0.0.0:{os.environ['PORT']}"]
else:
    bind = ["127.0.0.1:8000"]

wsgi_app = "portal.wsgi:application"
workers = _env_int("WEB_CONCURRENCY", default_workers())
worker_class = "sync"
threads = 1
timeout = _env_int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _env_int("GUNICORN_KEEPALIVE", 5)
max_requests = _env_int("GUNICORN_MAX_REQUESTS", 500)
max_requests_jitter = _env_int("GUNICORN_MAX_REQUESTS_JITTER", 50)
preload_app = _env_bool("GUNICORN_PRELOAD", True)
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# The heartbeat file lives in memory where there is such a folder, so a slow disk cannot stall a worker.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
# No runtime control socket: nothing on the machine should be able to resize or reload the app.
control_socket_disable = True

# Small request limits: the portal has no large uploads (a signature is a few kilobytes).
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190

logger_class = RouteOnlyAccessLogger
_access = os.environ.get("GUNICORN_ACCESS_LOG", "-")
accesslog = None if _access.lower() == "off" else _access
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s %(t)s "%(m)s %(route)s" %(s)s %(B)s %(M)sms cpu=%(cpu)sms pid=%(p)s'
proc_name = "portal"
