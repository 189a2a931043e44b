"""gunicorn.conf.py: workers from the environment, recycling, timeouts, and an access log without paths."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import runpy
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.production.conftest import free_port

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "gunicorn.conf.py"
TOKEN = "Zk3_secret-link-token-0123456789abcdefghijklmnop"


def load_config(monkeypatch, **env) -> dict:
    for name in ("WEB_CONCURRENCY", "GUNICORN_MAX_REQUESTS", "GUNICORN_TIMEOUT", "BIND", "PORT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONFIG))


def test_defaults_recycle_workers_and_bound_every_request(monkeypatch):
    config = load_config(monkeypatch)
    assert config["workers"] == config["default_workers"]()
    assert 2 <= config["workers"] <= 12
    assert config["worker_class"] == "sync"
    assert config["max_requests"] >= 100
    assert 0 < config["max_requests_jitter"] < config["max_requests"]
    assert 10 <= config["timeout"] <= 60
    assert config["bind"] == ["127.0.0.1:8000"]
    assert config["default_workers"](1) == 3
    assert config["default_workers"](64) == 12


def test_the_environment_sets_workers_port_and_recycling(monkeypatch):
    config = load_config(monkeypatch, WEB_CONCURRENCY="3", GUNICORN_MAX_REQUESTS="200", PORT="9000")
    assert config["workers"] == 3
    assert config["max_requests"] == 200
    assert config["bind"] == ["0.0.0.0:9000"]


def test_gunicorn_accepts_the_file():
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--print-config", "-c", str(CONFIG), "portal.wsgi"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings", "WEB_CONCURRENCY": "4"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert re.search(r"^workers\s*=\s*4$", result.stdout, re.MULTILINE)
    assert re.search(r"^max_requests_jitter\s*=\s*50$", result.stdout, re.MULTILINE)


@pytest.mark.parametrize(
    ("path", "route"),
    [
        (f"/p/{TOKEN}/", "/p/:token/"),
        ("/p/abc/", "/p/:token/"),
        ("/staff/patients/0b0f8a55-6c1e-4b53-9d43-5ee1f2f1a1b2/", "/staff/patients/:id/"),
        ("/staff/consent/0b0f8a55-6c1e-4b53-9d43-5ee1f2f1a1b2/pdf/", "/staff/consent/:id/pdf/"),
        ("/patient/screening/pain/", "/patient/screening/pain/"),
        ("/static/css/portal.3f2a.css", "/static/..."),
        ("/patient/consent/copy.pdf", "/patient/consent/copy.pdf"),
        ("/staff/patients/0b0f8a55-6c1e-4b53-9d43-5ee1f2f1a1b2/fhir/", "/staff/patients/:id/fhir/"),
        ("/healthz", "/healthz"),
        ("/", "/"),
    ],
)
def test_routes_keep_the_shape_of_a_path_and_nothing_that_identifies(monkeypatch, path, route):
    assert load_config(monkeypatch)["route_of"](path) == route


def test_an_access_log_line_has_no_token_query_or_referrer(monkeypatch):
    config = load_config(monkeypatch)
    from gunicorn.config import Config

    cfg = Config()
    cfg.set("accesslog", "-")
    cfg.set("access_log_format", config["access_log_format"])
    logger = config["RouteOnlyAccessLogger"](cfg)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger.access_log.handlers = [handler]
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/p/{TOKEN}/?email=ana@example.com",
        "PATH_INFO": f"/p/{TOKEN}/",
        "QUERY_STRING": "email=ana@example.com",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": f"https://clinic.example/p/{TOKEN}/",
        "HTTP_USER_AGENT": "phone",
    }
    resp = SimpleNamespace(status="200 OK", sent=1234, headers=[("Content-Type", "text/html")])
    request = SimpleNamespace(headers=[("Referer", environ["HTTP_REFERER"])])
    logger.access(resp, request, environ, timedelta(0, 0, 42000))

    line = stream.getvalue()
    assert '"GET /p/:token/" 200 1234 42ms' in line
    assert TOKEN not in line
    assert "example.com" not in line
    # Even a format that asks for the request line, path, query or referrer gets only "-".
    cfg.set("access_log_format", "%(r)s|%(U)s|%(q)s|%(f)s|%({referer}i)s|%({query_string}e)s")
    stream.truncate(0)
    stream.seek(0)
    logger.access(resp, SimpleNamespace(headers=[("Referer", environ["HTTP_REFERER"])]), environ, timedelta(0))
    assert stream.getvalue().strip() == "-|-|-|-|-|-"


def test_a_running_gunicorn_answers_and_logs_routes_not_tokens(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
    }
    log_path = tmp_path / "gunicorn.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(CONFIG)], cwd=REPO, env=env, stdout=log, stderr=log
        )
    try:
        deadline = time.monotonic() + 120  # generous: CI machines can be busy
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=60) as response:  # noqa: S310
                    assert response.status == 200
                    assert b'"ok"' in response.read()
                break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None, log_path.read_text()[-3000:]
                assert time.monotonic() < deadline, "gunicorn did not answer within 120 s"
                time.sleep(0.2)
        # The page's status does not matter here, only what the access log says about it.
        with contextlib.suppress(urllib.error.HTTPError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/p/{TOKEN}/?dob=1980-01-01", timeout=60)  # noqa: S310
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)

    output = log_path.read_text()
    assert "Could not import the URLconf" not in output  # the master imported every view before forking
    assert "Could not warm the PDF renderer" not in output
    access_lines = [line for line in output.splitlines() if " pid=<" in line]
    assert any('"GET /healthz" 200' in line for line in access_lines), access_lines
    # Each line carries the worker's CPU time for the request, which the benchmark reads.
    assert all(re.search(r" cpu=\d+ms ", line) for line in access_lines), access_lines
    assert any('"GET /p/:token/"' in line for line in access_lines), access_lines
    assert not any(TOKEN in line or "1980" in line for line in access_lines)
