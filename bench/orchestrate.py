"""The benchmark, end to end (bench/run calls this): data, production stack, load, measurements, report.

1. Takes a snapshot of the committed code (git archive HEAD; --worktree benchmarks the working tree).
2. For the small size (default 2,000 patients) and the full size (default 20,000), creates a fresh
   PostgreSQL database portal_bench_<run>_<size>, migrates it and fills it with bench/datagen.py.
3. Measures in-process against the full database: queries per page, PDF render / seal / bare WeasyPrint.
4. Starts gunicorn with the production settings (DEBUG=false, Redis cache) on 127.0.0.1 and runs Locust
   headless for --duration seconds: patients doing whole journeys, reception, clinicians. Samples each
   gunicorn worker's memory (RSS) all along.
5. Measures growth: the board-and-search load alone on both sizes at the same time (two servers, one
   per database, one Locust run), so both sizes meet the same machine at the same moment.
6. Writes bench/results/<run>.json, <run>.md and <run>.png, and prints the table.

Everything the run creates lives in bench/work/<run>/ (git-ignored) and in the two databases, which
are dropped at the end unless --keep-db is given.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socketserver
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

import report  # noqa: E402 - after the path change above

# The commit before the records issue (PDF/A, tags, timestamps): run 20261122-after-index.
SIGNING_BEFORE = "1bf960d"
ROUTE_NAMES = [
    "staff:board",
    "staff:outcomes",
    "staff:patient",
    "staff:review",
    "staff:visit_review",
    "consent_staff:detail",
    "consent_staff:pdf",
    "journey:progress",
    "journey:explanation",
    "journey:screening",
    "journey:understanding",
    "journey:before-visit",
    "consent:sign",
    "consent:pdf",
    "aftercare:home",
]
DUMMY_ID = "00000000-0000-0000-0000-000000000000"


def log(message: str) -> None:
    print(f"[bench {datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


class Bench:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.run = args.run or datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        self.work = BENCH / "work" / self.run
        self.work.mkdir(parents=True, exist_ok=True)
        self.results_dir = Path(args.results_dir)
        self.port = args.port
        self.python = sys.executable
        self.databases: list[str] = []
        self.secret_key = secrets.token_urlsafe(48)
        self.src = REPO if args.worktree else self.work / "src"
        self.smtp = SmtpSink(delay=args.smtp_delay)
        self.pki_settings: dict[str, str] = {}

    # -- environment -------------------------------------------------------------------------------------
    def db_name(self, size: int) -> str:
        return f"portal_bench_{self.run.lower()}_{size}"

    def base_env(self, size: int, port: int | None = None) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "DEBUG", "STAFF_OTP", "STORAGE_BACKEND"))
        }
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "portal.settings",
                "PYTHONPATH": os.pathsep.join([str(self.src), str(BENCH)]),
                "SECRET_KEY": self.secret_key,
                "DATABASE_URL": f"{self.args.pg_url.rstrip('/')}/{self.db_name(size)}",
                "REDIS_URL": f"{self.args.redis_url.rstrip('/')}/{self.args.redis_db}",
                "PRIVATE_MEDIA_ROOT": str(self.work / f"media-{size}"),
                "CLINIC_SIGNING_CERT_PATH": str(self.work / "signing" / "cert.pem"),
                "CLINIC_SIGNING_KEY_PATH": str(self.work / "signing" / "key.pem"),
                "CLINIC_SIGNING_AUTO_CREATE": "true",
                "SITE_URL": f"http://127.0.0.1:{port or self.port}",
                "LOG_LEVEL": "WARNING",
                "PYTHONUNBUFFERED": "1",
            }
        )
        return env

    def tool_env(self, size: int) -> dict[str, str]:
        """For migrate, the data generator and the in-process measurements."""
        return {**self.base_env(size), "DEBUG": "true"}

    def server_env(self, size: int, phase: str, port: int | None = None) -> dict[str, str]:
        """Production settings, on plain HTTP over loopback (TLS would end at the proxy in front)."""
        port = port or self.port
        return {
            **self.base_env(size, port),
            "DEBUG": "false",
            "STAFF_OTP_REQUIRED": "true",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "CSRF_TRUSTED_ORIGINS": f"http://127.0.0.1:{port}",
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "SECURE_HSTS_SECONDS": "0",
            "BIND": f"127.0.0.1:{port}",
            "CLINIC_SIGNING_AUTO_CREATE": "false",  # as in production: the seal made by the data step is used
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.smtp.port),
            "EMAIL_USE_TLS": "false",
            "WEB_CONCURRENCY": str(self.args.workers),
            "GUNICORN_ACCESS_LOG": str(self.work / f"access-{phase}.log"),
            # Seal with the local PKI and timestamp at its TSA (B-LT), as a clinic with CONSENT_TSA_URL does.
            **self.pki_settings,
        }

    def sh(self, cmd: list[str], env: dict[str, str], log_name: str, timeout: int = 1800) -> str:
        with open(self.work / f"{log_name}.log", "w") as out:
            result = subprocess.run(cmd, cwd=self.src, env=env, stdout=subprocess.PIPE, stderr=out, timeout=timeout)
        if result.returncode != 0:
            tail = (self.work / f"{log_name}.log").read_text()[-3000:]
            raise SystemExit(f"{' '.join(cmd[:4])} failed (see {self.work / log_name}.log):\n{tail}")
        return result.stdout.decode()

    # -- steps -------------------------------------------------------------------------------------------
    def check_services(self) -> dict[str, str]:
        import psycopg
        import redis

        try:
            with psycopg.connect(f"{self.args.pg_url.rstrip('/')}/postgres", autocommit=True) as conn:
                pg_version = conn.execute("SHOW server_version").fetchone()[0]
        except psycopg.Error as exc:
            raise SystemExit(f"PostgreSQL is not reachable at {self.args.pg_url}: {exc}") from exc
        try:
            client = redis.Redis.from_url(f"{self.args.redis_url.rstrip('/')}/{self.args.redis_db}")
            redis_version = client.info("server")["redis_version"]
        except redis.RedisError as exc:
            raise SystemExit(f"Redis is not reachable at {self.args.redis_url}: {exc}") from exc
        return {"postgresql": pg_version, "redis": redis_version}

    def snapshot(self) -> str:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout.strip()
        dirty = bool(subprocess.run(["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True).stdout)
        if self.args.worktree:
            return f"{commit or 'unknown'} (working tree{', with uncommitted changes' if dirty else ''})"
        if self.src.exists():
            shutil.rmtree(self.src)
        self.src.mkdir(parents=True)
        archive = subprocess.run(["git", "archive", "HEAD"], cwd=REPO, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(self.src)], input=archive, check=True)
        return commit

    def create_database(self, size: int) -> None:
        import psycopg

        name = self.db_name(size)
        with psycopg.connect(f"{self.args.pg_url.rstrip('/')}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        self.databases.append(name)

    def drop_databases(self) -> None:
        import psycopg

        with psycopg.connect(f"{self.args.pg_url.rstrip('/')}/postgres", autocommit=True) as conn:
            for name in self.databases:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def prepare(self, size: int) -> dict[str, Any]:
        log(f"fresh database {self.db_name(size)}: migrate")
        self.create_database(size)
        env = self.tool_env(size)
        self.sh([self.python, "manage.py", "migrate", "--no-input", "-v0"], env, f"migrate-{size}")
        log(f"generating {size:,} patients")
        out = self.work / f"dataset-{size}.json"
        started = time.monotonic()
        self.sh(
            [
                self.python,
                str(BENCH / "datagen.py"),
                "--patients",
                str(size),
                "--journeys",
                str(self.args.journeys),
                "--load-staff",
                str(max(4, self.args.users)),
                "--out",
                str(out),
            ],
            env,
            f"datagen-{size}",
        )
        dataset = json.loads(out.read_text())
        log(f"  {size:,} patients in {time.monotonic() - started:.0f} s: {dataset['counts']}")
        return dataset

    def routes(self, size: int) -> dict[str, str | None]:
        code = (
            "import json, django\ndjango.setup()\nfrom django.urls import reverse, NoReverseMatch\n"
            f"names = {ROUTE_NAMES!r}\nout = {{}}\n"
            "for name in names:\n"
            "    for args in ((), ('" + DUMMY_ID + "',)):\n"
            "        try:\n            out[name] = reverse(name, args=args); break\n"
            "        except NoReverseMatch:\n            out[name] = None\n"
            "print(json.dumps(out))\n"
        )
        return json.loads(self.sh([self.python, "-c", code], self.tool_env(size), "routes").strip().splitlines()[-1])

    def inprocess(self, size: int) -> dict[str, Any]:
        log("in-process: queries per page, PDF render / seal / bare WeasyPrint")
        out = self.work / "inprocess.json"
        self.sh(
            [
                self.python,
                str(BENCH / "inprocess.py"),
                "--dataset",
                str(self.work / f"dataset-{size}.json"),
                "--out",
                str(out),
                "--repeat",
                str(self.args.pdf_repeat),
                "--profile",
                str(self.work / "pdf-profile.txt"),
            ],
            self.tool_env(size),
            "inprocess",
        )
        return json.loads(out.read_text())

    def signing_cpu(self) -> dict[str, Any]:
        """sign_consent's CPU time now (B-LT with the local TSA) and before the records issue, same machine."""
        log(f"signing CPU: now vs {SIGNING_BEFORE} (alternating rounds)")
        out = self.work / "sign-cpu.json"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
        self.sh(
            [self.python, str(BENCH / "sign_cpu.py"), "--tsa", "--before", SIGNING_BEFORE, "--tree", str(self.src)]
            + ["--rounds", "2", "--json", str(out)],
            env,
            "sign-cpu",
        )
        return json.loads(out.read_text())

    def signing_email(self) -> dict[str, Any]:
        """Signing's wall time with its email against a mail server that takes 2 s: queued vs sent inline."""
        log("signing with a slow mail server: the task queue vs sending inside the request")
        out = self.work / "sign-email.json"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
        env["PYTHONPATH"] = str(self.src)
        self.sh([self.python, str(BENCH / "sign_cpu.py"), "--email", "--json", str(out)], env, "sign-email")
        return json.loads(out.read_text())

    def collectstatic(self, size: int) -> None:
        self.sh(
            [self.python, "manage.py", "collectstatic", "--no-input", "-v0"],
            self.server_env(size, "collectstatic"),
            "collectstatic",
        )

    def flush_redis(self) -> None:
        import redis

        redis.Redis.from_url(f"{self.args.redis_url.rstrip('/')}/{self.args.redis_db}").flushdb()

    # -- local services: the PKI (TSA, OCSP, CRL) and the task worker --------------------------------------
    def start_pki(self) -> subprocess.Popen:
        """The tests' certomancer PKI on 127.0.0.1 in a child process: the seal's chain, a TSA, OCSP and CRLs."""
        code = (
            "import json\nfrom tests.consent.pki import LocalPKI\npki = LocalPKI.start()\n"
            "print(json.dumps(pki.settings()), flush=True)\npki.thread.join()\n"
        )
        pki = subprocess.Popen(
            [self.python, "-c", code],
            cwd=self.src,
            env={**self.base_env(self.args.patients), "PYTHONPATH": str(self.src)},
            stdout=subprocess.PIPE,
            stderr=open(self.work / "pki.log", "w"),  # noqa: SIM115 - closed with the process
            text=True,
            start_new_session=True,
        )
        line = pki.stdout.readline() if pki.stdout else ""
        if not line:
            raise SystemExit(f"the local PKI did not start: see {self.work / 'pki.log'}")
        settings = json.loads(line)
        self.pki_settings = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in settings.items()}
        log(f"local PKI: TSA at {self.pki_settings['CONSENT_TSA_URL']}")
        return pki

    def start_worker(self, size: int, phase: str) -> subprocess.Popen:
        """The task worker (emails, texts, timestamps) as production runs it: a second process type."""
        return subprocess.Popen(
            [self.python, "manage.py", "db_worker", "--interval", "0.5"],
            cwd=self.src,
            env=self.server_env(size, phase),
            stdout=open(self.work / f"worker-{phase}.log", "w"),  # noqa: SIM115 - closed with the process
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def message_states(self, size: int) -> dict[str, int]:
        """How the queued emails ended: the Message log's states after the phase."""
        code = (
            "import json, django\ndjango.setup()\nfrom django.db.models import Count\n"
            "from messaging.models import Message\n"
            "rows = Message.objects.values('channel', 'status').annotate(n=Count('id'))\n"
            "print(json.dumps({f\"{r['channel']} {r['status']}\": r['n'] for r in rows}))\n"
        )
        return json.loads(self.sh([self.python, "-c", code], self.tool_env(size), "messages").strip().splitlines()[-1])

    def drain(self, size: int, limit: float = 180) -> float | None:
        """After the load, let the worker send what is still queued (the slow mail server): seconds taken."""
        started = time.monotonic()
        while time.monotonic() - started < limit:
            states = self.message_states(size)
            if not states.get("email queued") and not states.get("email sending"):
                return round(time.monotonic() - started, 1)
            time.sleep(3)
        return None

    # -- the server and the load -------------------------------------------------------------------------
    def start_server(self, size: int, phase: str, port: int | None = None, flush: bool = True) -> subprocess.Popen:
        port = port or self.port
        if flush:
            self.flush_redis()
        log_file = open(self.work / f"gunicorn-{phase}.log", "w")  # noqa: SIM115 - closed with the process
        server = subprocess.Popen(
            [self.python, "-m", "gunicorn", "-c", str(self.src / "gunicorn.conf.py")],
            cwd=self.src,
            env=self.server_env(size, phase, port),
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise SystemExit(f"gunicorn exited: see {self.work / f'gunicorn-{phase}.log'}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:  # noqa: S310
                    if response.status == 200:
                        return server
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.3)
        self.stop_server(server)
        raise SystemExit("gunicorn did not answer /healthz within 90 s")

    @staticmethod
    def stop_server(server: subprocess.Popen) -> None:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=40)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()

    def locust(
        self,
        size: int,
        phase: str,
        classes: list[str],
        users: int,
        duration: int,
        routes: dict,
        extra_env: dict[str, str] | None = None,
    ) -> dict:
        prefix = self.work / f"locust-{phase}"
        not_available = self.work / f"not-available-{phase}.json"
        window = self.work / f"window-{phase}.json"
        window.unlink(missing_ok=True)
        env = {
            **self.base_env(size),
            "BENCH_DATASET": str(self.work / f"dataset-{size}.json"),
            "BENCH_ROUTES": json.dumps(routes),
            "BENCH_NOT_AVAILABLE": str(not_available),
            "BENCH_WINDOW": str(window),
            "BENCH_RESET_AFTER": str(self.args.settle),
            **(extra_env or {}),
        }
        cmd = [
            self.python,
            "-m",
            "locust",
            "-f",
            str(BENCH / "locustfile.py"),
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(max(1, users // 4)),
            "--run-time",
            f"{duration}s",
            # Without --host each user class uses its own host (the growth run has two servers).
            *([] if extra_env and "BENCH_HOST_BIG" in extra_env else ["--host", f"http://127.0.0.1:{self.port}"]),
            "--csv",
            str(prefix),
            "--only-summary",
            "--stop-timeout",
            "30",
            "--loglevel",
            "WARNING",
            *classes,
        ]
        log(f"load '{phase}': {users} users ({', '.join(classes)}) for {duration} s on {size:,} patients")
        with (
            open(self.work / f"locust-{phase}.log", "w") as out,
            subprocess.Popen(cmd, cwd=BENCH, env=env, stdout=out, stderr=subprocess.STDOUT) as locust,
        ):
            _client_ahead_of_the_server(locust.pid)
            try:
                locust.wait(timeout=duration + 180)
            except subprocess.TimeoutExpired:
                locust.kill()
                raise
        stats = read_locust_stats(Path(f"{prefix}_stats.csv"))
        failures = read_locust_failures(Path(f"{prefix}_failures.csv"))
        missing = json.loads(not_available.read_text()) if not_available.exists() else []
        moments = json.loads(window.read_text()) if window.exists() else {}
        measured = moments.get("stopped", 0) - moments.get("started", 0)
        return {
            "size": size,
            "duration_s": duration,
            "measured_s": round(measured, 1) if measured > 0 else max(1, duration - self.args.settle),
            "users": users,
            "classes": classes,
            "endpoints": stats,
            "failures": failures,
            "not_available": missing,
        }

    def warm_up(self, size: int, port: int | None = None) -> None:
        """A few requests per worker first, so templates, imports and connections are not in the figures."""
        dataset = json.loads((self.work / f"dataset-{size}.json").read_text())
        paths = ["/healthz", "/accounts/login/"] + [f"/p/{j['token']}/" for j in dataset["journeys"][-3:]]

        def fetch(path: str) -> None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port or self.port}{path}", timeout=60) as response:  # noqa: S310
                    response.read()
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass

        with ThreadPoolExecutor(max_workers=self.args.workers) as pool:
            list(pool.map(fetch, paths * self.args.workers * 2))

    def start_profiler(self, master_pid: int, phase: str, duration: int) -> subprocess.Popen | None:
        """py-spy samples every worker during the mixed load (--profile): where the CPU time goes."""
        if not self.args.profile or phase != "mixed":
            return None
        py_spy = Path(self.python).with_name("py-spy")
        return subprocess.Popen(
            [
                str(py_spy),
                "record",
                "--pid",
                str(master_pid),
                "--subprocesses",
                "--rate",
                "40",
                "--format",
                "raw",
                "--nonblocking",
                "--duration",
                str(duration),
                "--output",
                str(self.work / f"pyspy-{phase}.txt"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=open(self.work / f"pyspy-{phase}.log", "w"),  # noqa: SIM115 - closed with the process
        )

    def phase(self, size: int, phase: str, classes: list[str], users: int, duration: int, routes: dict) -> dict:
        server = self.start_server(size, phase)
        worker = self.start_worker(size, phase)
        try:
            self.warm_up(size)
            (self.work / f"access-{phase}.log").write_text("")  # the figures start after the warm-up
            emails_before = self.smtp.messages
            profiler = self.start_profiler(server.pid, phase, duration)
            sampler = MemorySampler(server.pid)
            sampler.start()
            load_before = os.getloadavg()
            result = self.locust(size, phase, classes, users, duration, routes)
            sampler.stop()
            result["memory"] = sampler.summary()
            result["emails_during_load"] = self.smtp.messages - emails_before
            result["drain_s"] = self.drain(size)
            result["emails_sent"] = self.smtp.messages - emails_before
            result["smtp_delay_s"] = self.args.smtp_delay
            if profiler is not None:
                profiler.wait(timeout=120)
                result["profile"] = summarize_profile(self.work / f"pyspy-{phase}.txt")
            result["load_average"] = {
                "before": [round(x, 2) for x in load_before],
                "after": [round(x, 2) for x in os.getloadavg()],
            }
        finally:
            self.stop_server(server)
            self.stop_server(worker)
        result["messages"] = self.message_states(size)
        result["server"] = read_access_log(self.work / f"access-{phase}.log")
        return result

    def growth(self, small: int, big: int, routes: dict) -> dict[str, dict]:
        """The board at both sizes at the same time: two servers, one load run, the same machine moment."""
        ports = {small: self.port + 1, big: self.port + 2}
        self.flush_redis()
        servers = {size: self.start_server(size, f"board-{size}", ports[size], flush=False) for size in (small, big)}
        try:
            for size in (small, big):
                self.warm_up(size, ports[size])
                (self.work / f"access-board-{size}.log").write_text("")
            samplers = {size: MemorySampler(server.pid) for size, server in servers.items()}
            for sampler in samplers.values():
                sampler.start()
            load_before = os.getloadavg()
            extra = {
                "BENCH_DATASET_SMALL": str(self.work / f"dataset-{small}.json"),
                "BENCH_DATASET_BIG": str(self.work / f"dataset-{big}.json"),
                "BENCH_HOST_SMALL": f"http://127.0.0.1:{ports[small]}",
                "BENCH_HOST_BIG": f"http://127.0.0.1:{ports[big]}",
            }
            users = 2 * self.args.board_users
            combined = self.locust(
                big, "growth", ["BoardUserSmall", "BoardUserBig"], users, self.args.growth_duration, routes, extra
            )
            for sampler in samplers.values():
                sampler.stop()
            load_after = os.getloadavg()
        finally:
            for server in servers.values():
                self.stop_server(server)
        phases = {}
        for size in (small, big):
            label = f"{size} | "
            phases[f"board@{size}"] = {
                **combined,
                "size": size,
                "users": self.args.board_users,
                "classes": ["BoardUserSmall" if size == small else "BoardUserBig"],
                "endpoints": [
                    {**row, "name": row["name"][len(label) :]}
                    for row in combined["endpoints"]
                    if row["name"].startswith(label)
                ],
                "failures": [f for f in combined["failures"] if f["name"].startswith(label)],
                "memory": samplers[size].summary(),
                "load_average": {
                    "before": [round(x, 2) for x in load_before],
                    "after": [round(x, 2) for x in load_after],
                },
                "server": read_access_log(self.work / f"access-board-{size}.log"),
                "simultaneous": True,
            }
        return phases

    # -- the whole run -----------------------------------------------------------------------------------
    def main(self) -> int:
        args = self.args
        log(f"run {self.run}: work folder {self.work}")
        services = self.check_services()
        commit = self.snapshot()
        sizes = [args.patients] if args.skip_growth else sorted({args.small, args.patients})
        datasets = {size: self.prepare(size) for size in sizes}
        try:
            routes = self.routes(args.patients)
            log(f"routes: {sum(1 for v in routes.values() if v)} of {len(routes)} available")
            inprocess = self.inprocess(args.patients)
            inprocess["signing_cpu"] = self.signing_cpu()
            inprocess["signing_email"] = self.signing_email()
            self.collectstatic(args.patients)
            pki = self.start_pki() if args.tsa else None
            phases = {
                "mixed": self.phase(
                    args.patients,
                    "mixed",
                    # One practice system feeds 200 visits a minute through the API while the rest runs
                    # (--no-api leaves it out, to see what the feed itself costs the other targets).
                    ["PatientUser", "ReceptionUser", "ClinicianUser"] + ([] if args.no_api else ["PracticeSystemUser"]),
                    args.users + (0 if args.no_api else 4),  # the practice system's four connections (fixed_count)
                    args.duration,
                    routes,
                )
            }
            if pki is not None:
                self.stop_server(pki)
            if not args.skip_growth:
                log(f"growth: the board at {sizes[0]:,} and {sizes[-1]:,} patients, both servers at once")
                phases.update(self.growth(sizes[0], sizes[-1], routes))
        finally:
            if not args.keep_db:
                self.drop_databases()
        result = {
            "run": self.run,
            "started": self.run,
            "commit": commit,
            "machine": machine(services),
            "settings": {
                "patients": args.patients,
                "small": None if args.skip_growth else args.small,
                "duration_s": args.duration,
                "growth_duration_s": args.growth_duration,
                "users": args.users,
                "board_users": args.board_users,
                "workers": args.workers,
                "smtp_delay_s": args.smtp_delay,
                "tsa": bool(args.tsa),
                "stack": "gunicorn (sync workers, DEBUG=false) + a task worker (db_worker) + PostgreSQL + Redis "
                "cache"
                + (" + a local PKI (TSA, OCSP, CRL; seals at B-LT)" if args.tsa else "")
                + ", all on 127.0.0.1; Locust on the same machine",
            },
            "datasets": {
                str(size): {
                    "counts": d["counts"],
                    "seconds": d["seconds"],
                    "cloned_from_demo": d.get("cloned_from_demo"),
                }
                for size, d in datasets.items()
            },
            "routes": routes,
            "inprocess": inprocess,
            "phases": phases,
        }
        result["targets"] = report.evaluate(result)
        paths = report.write(result, self.results_dir)
        print(report.markdown(result))
        log("wrote " + ", ".join(str(p.relative_to(REPO)) if p.is_relative_to(REPO) else str(p) for p in paths))
        return 0


class SmtpSink(socketserver.ThreadingTCPServer):
    """A local mail server that accepts every message and counts it, so emails cost what SMTP costs."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, delay: float = 0.0):
        self.messages = 0
        self.delay = delay  # seconds before accepting each message: a slow mail server
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _SmtpHandler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def port(self) -> int:
        return self.server_address[1]


class _SmtpHandler(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self.reply("220 bench-smtp ready")
        while line := self.rfile.readline():
            verb = line.decode(errors="replace").strip().split(" ")[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 bench-smtp")
            elif verb == "DATA":
                self.reply("354 go ahead")
                while (chunk := self.rfile.readline()) and chunk.rstrip(b"\r\n") != b".":
                    pass
                time.sleep(self.server.delay)
                with self.server.lock:
                    self.server.messages += 1
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:  # MAIL, RCPT, RSET, NOOP
                self.reply("250 ok")


class MemorySampler(threading.Thread):
    """Samples the RSS of every gunicorn worker (children of the master) twice a second."""

    def __init__(self, master_pid: int, interval: float = 0.5):
        super().__init__(daemon=True)
        self.master = psutil.Process(master_pid)
        self.interval = interval
        self.peaks: dict[int, int] = {}
        self.last: dict[int, int] = {}
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            self.sample()
            self._halt.wait(self.interval)

    def sample(self) -> None:
        try:
            children = self.master.children()
        except psutil.Error:
            return
        current = {}
        for child in children:
            try:
                rss = child.memory_info().rss
            except psutil.Error:
                continue
            current[child.pid] = rss
            self.peaks[child.pid] = max(self.peaks.get(child.pid, 0), rss)
        if current:
            self.last = current

    def stop(self) -> None:
        self.sample()
        self._halt.set()
        self.join(timeout=5)

    def summary(self) -> dict[str, Any]:
        mb = 1024 * 1024
        return {
            "workers_seen": len(self.peaks),
            "peak_rss_mb_per_worker": sorted((round(v / mb, 1) for v in self.peaks.values()), reverse=True),
            "after_run_rss_mb_per_worker": sorted((round(v / mb, 1) for v in self.last.values()), reverse=True),
            "master_rss_mb": round(self.master.memory_info().rss / mb, 1) if self.master.is_running() else None,
        }


PROFILE_BUCKETS = [
    ("PDF layout and drawing (WeasyPrint, Pango)", ("weasyprint", "pydyf", "tinycss2", "cssselect2", "tinyhtml5")),
    ("PDF seal (pyHanko, cryptography)", ("pyhanko", "asn1crypto", "cryptography")),
    ("password hashing (login)", ("pbkdf2", "hashers.py")),
    ("database driver and ORM", ("psycopg", "django/db/")),
    ("templates and forms", ("django/template", "crispy", "django/forms")),
    ("signature image and QR code", ("PIL", "qrcode")),
]


def summarize_profile(path: Path, top: int = 15) -> dict[str, Any] | None:
    """Samples per kind of work, and the functions where most samples were taken (self time).

    py-spy samples wall time: a worker waiting for PostgreSQL counts as "database driver", so on a busy
    machine that share includes the database's own queueing for a core.
    """
    if not path.exists():
        return None
    buckets: dict[str, int] = {}
    own: dict[str, int] = {}
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        if "handle_request" not in stack:  # only a worker serving a request, not one waiting for the next
            continue
        total += count
        name = next((label for label, keys in PROFILE_BUCKETS if any(k in stack for k in keys)), "other")
        buckets[name] = buckets.get(name, 0) + count
        leaf = re.sub(r"\s+\(/.*/(site-packages|python3\.\d+|src)/", " (", frames[-1])
        own[leaf] = own.get(leaf, 0) + count
    if not total:
        return None
    return {
        "samples": total,
        "by_kind_pct": {k: round(100 * v / total, 1) for k, v in sorted(buckets.items(), key=lambda kv: -kv[1])},
        "top_self_pct": {k: round(100 * v / total, 1) for k, v in sorted(own.items(), key=lambda kv: -kv[1])[:top]},
    }


CLIENT_NICENESS = int(os.environ.get("BENCH_CLIENT_NICENESS", "-5"))


def _client_ahead_of_the_server(pid: int) -> None:
    """Locust stands in for the patients' phones and the staff's computers, which have CPUs of their own.
    Sharing this machine's two cores with the server at the same priority, it read some responses late
    and timed its own wait as the portal's. Raising its priority needs root; without it, it stays as is."""
    try:
        os.setpriority(os.PRIO_PROCESS, pid, CLIENT_NICENESS)
    except OSError:
        log(f"Locust keeps the server's priority (setting nice {CLIENT_NICENESS} needs root)")


def read_locust_stats(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    rows = []
    with open(path, newline="") as handle:
        for row in csv.DictReader(handle):
            if row["Name"] == "Aggregated":
                continue

            def num(key, row=row):
                value = row.get(key, "")
                return float(value) if value not in ("", "N/A") else None

            rows.append(
                {
                    "type": row["Type"],
                    "name": row["Name"],
                    "requests": int(row["Request Count"]),
                    "failures": int(row["Failure Count"]),
                    "p50_ms": num("50%"),
                    "p95_ms": num("95%"),
                    "p99_ms": num("99%"),
                    "mean_ms": round(num("Average Response Time") or 0, 1),
                    "max_ms": num("Max Response Time"),
                    "rps": round(num("Requests/s") or 0, 2),
                }
            )
    return rows


ACCESS_LINE = re.compile(r'"(?P<method>[A-Z]+) (?P<route>\S+)" (?P<status>\d+) \S+ (?P<wall>\d+)ms cpu=(?P<cpu>\d+)ms')


def read_access_log(path: Path) -> list[dict[str, Any]]:
    """Per route (the path's shape, as gunicorn.conf.py logs it): time inside the worker and its CPU time."""
    if not path.exists():
        return []
    groups: dict[tuple[str, str], list[tuple[int, int, int]]] = {}
    for line in path.read_text().splitlines():
        match = ACCESS_LINE.search(line)
        if match:
            key = (match["method"], match["route"])
            groups.setdefault(key, []).append((int(match["wall"]), int(match["cpu"]), int(match["status"])))
    rows = []
    for (method, route), values in sorted(groups.items()):
        walls = sorted(v[0] for v in values)
        cpus = sorted(v[1] for v in values)
        rows.append(
            {
                "method": method,
                "route": route,
                "requests": len(values),
                "errors": sum(1 for v in values if v[2] >= 500),
                "wall_p50_ms": pct(walls, 50),
                "wall_p95_ms": pct(walls, 95),
                "cpu_p50_ms": pct(cpus, 50),
                "cpu_p95_ms": pct(cpus, 95),
                "cpu_mean_ms": round(sum(cpus) / len(cpus), 1),
            }
        )
    return rows


def pct(ordered: list[int], percentile: float) -> int:
    return ordered[min(len(ordered) - 1, round(percentile / 100 * (len(ordered) - 1)))] if ordered else 0


def read_locust_failures(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    with open(path, newline="") as handle:
        return [
            {"method": r["Method"], "name": r["Name"], "error": r["Error"][:300], "count": int(r["Occurrences"])}
            for r in csv.DictReader(handle)
        ]


def machine(services: dict[str, str]) -> dict[str, Any]:
    from importlib.metadata import version

    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    packages = {}
    for name in ("Django", "gunicorn", "weasyprint", "pyHanko", "psycopg", "redis", "locust"):
        try:
            packages[name] = version(name)
        except Exception:  # noqa: S112 - a missing package is simply not listed
            continue
    return {
        "cpu": cpu,
        "cores": psutil.cpu_count(logical=True),
        "memory_gb": round(psutil.virtual_memory().total / 1024**3, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "packages": packages,
        **services,
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=20000, help="patients in the full data set (20000)")
    parser.add_argument("--small", type=int, default=2000, help="patients in the small data set for growth (2000)")
    parser.add_argument("--duration", type=int, default=100, help="seconds of mixed load (100)")
    parser.add_argument("--growth-duration", type=int, default=70, help="seconds of the growth load (70)")
    parser.add_argument("--users", type=int, default=18, help="simulated people in the mixed load (18)")
    parser.add_argument("--board-users", type=int, default=8, help="reception users per size in the growth load (8)")
    parser.add_argument("--workers", type=int, default=(psutil.cpu_count() or 1) * 2 + 1, help="gunicorn workers")
    parser.add_argument(
        "--settle",
        type=int,
        default=16,
        help="seconds after all users started before figures count (16: every patient's first journey has begun)",
    )
    parser.add_argument("--journeys", type=int, default=1500, help="fresh invited visits for journeys (1500)")
    parser.add_argument("--pdf-repeat", type=int, default=12, help="timed PDF renders in-process (12)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379"))
    parser.add_argument("--redis-db", type=int, default=13, help="Redis database number, flushed per phase (13)")
    parser.add_argument("--results-dir", default=str(BENCH / "results"))
    parser.add_argument("--run", default="", help="name of the run (default: the UTC time)")
    parser.add_argument("--worktree", action="store_true", help="benchmark the working tree, not HEAD")
    parser.add_argument("--skip-growth", action="store_true", help="only the full size, no growth phases")
    parser.add_argument("--keep-db", action="store_true", help="keep the benchmark databases afterwards")
    parser.add_argument("--profile", action="store_true", help="sample the workers with py-spy during the mixed load")
    parser.add_argument(
        "--smtp-delay",
        type=float,
        default=2.0,
        help="seconds the local mail server takes per message (2.0): signing must not wait for it",
    )
    parser.add_argument(
        "--no-api", action="store_true", help="mixed load without the practice system's 200 API calls a minute"
    )
    parser.add_argument(
        "--no-tsa", dest="tsa", action="store_false", help="seal at B-B without the local TSA (default: B-LT)"
    )
    return parser.parse_args(argv)


if __name__ == "__main__":
    raise SystemExit(Bench(parse_args()).main())
