"""Signing CPU time: sign_consent's whole PDF path (render, seal, timestamp, store), median of 9.

Run: `PYTHONPATH=. .venv/bin/python bench/sign_cpu.py` (test settings, an in-memory SQLite database, the
demo seal). With `--tsa` it starts the tests' local PKI (certomancer: TSA, OCSP, CRL on 127.0.0.1 in a
child process) and seals at B-LT, so the figure includes the timestamp and revocation round trips. The
time is this process's CPU time (time.process_time: the signing thread and the helper threads pyHanko
uses for HTTP), while the local TSA, OCSP and CRL work is done in the child and not counted.

With `--before COMMIT` it also measures that commit's signing (a `git worktree` in bench/work/) on this
machine, alternating rounds between the two so both meet the same moment of a shared machine, and prints
the ratio of the medians: the records issue allows PDF/A, tags and the timestamp to cost 1.2x at most.
CPU time on a virtual machine still varies with its neighbours, so only a same-machine ratio is fair.
With `--email` it measures instead the wall time of signing with the confirmation email on, against a
local mail server that takes 2 s per message: once with the task queue (django-tasks' database
backend, as the portal runs) and once with the immediate backend (the email sent inside the request,
as before the messages issue). The first must not contain the 2 s; the second shows what it would cost.
`--json PATH` writes the figures for the benchmark report; `--tree PATH` measures another checkout as "now".
"""

from __future__ import annotations

import inspect
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

REPO = Path(__file__).resolve().parent.parent
RUNS = 10  # the first warms fonts and imports and is not counted


def _test_database() -> None:
    """Django with the test settings and a fresh in-memory database, logging off."""
    import logging

    import django

    django.setup()
    logging.disable(logging.CRITICAL)
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True)


def _timed_signings(runs: int, clock, **options) -> list[float]:
    """Sign `runs` + 1 fresh visits, timing each sign_consent with `clock`; the first (cold) is dropped.
    Works on older commits too: `options` are passed only where that commit's sign_consent takes them."""
    from django.utils import timezone

    from consent.demo import demo_signature_png, seed_versions
    from consent.services import sign_consent
    from tests.consent.conftest import full_acknowledgements
    from tests.factories import VisitFactory

    accepted = inspect.signature(sign_consent).parameters
    options = {key: value for key, value in options.items() if key in accepted}
    version = seed_versions()
    timings = []
    for index in range(runs + 1):
        now = timezone.now()
        visit = VisitFactory(opened_at=now, explanation_read_at=now, screening_done_at=now, understanding_done_at=now)
        started = clock()
        sign_consent(
            visit=visit,
            version=version,
            signer_name=visit.patient.full_name,
            signature_png=demo_signature_png(),
            acknowledgements=full_acknowledgements(version),
            time_zone="Europe/Madrid",
            ip="203.0.113.7",
            user_agent="bench",
            **options,
        )
        if index:
            timings.append((clock() - started) * 1000)
    return timings


def measure(tsa: bool) -> list[float]:
    """CPU milliseconds of each sign_consent call in this checkout (works on older commits too)."""
    from django.test.utils import override_settings

    _test_database()
    overrides = {}
    if tsa:
        parent, child = multiprocessing.Pipe()
        multiprocessing.Process(target=_serve_pki, args=(child,), daemon=True).start()
        overrides = parent.recv()
    with override_settings(**overrides):
        return _timed_signings(RUNS - 1, time.process_time, send_email=False)


EMAIL_DELAY_S = 2.0
TASK_BACKENDS = {
    "queued (database task backend)": "django_tasks_db.DatabaseBackend",
    "inside the request (immediate backend)": "django_tasks.backends.immediate.ImmediateBackend",
}


def measure_email(runs: int = 5) -> dict:
    """Wall milliseconds of sign_consent with its email, per task backend, with a slow mail server."""
    from django.test.utils import override_settings
    from orchestrate import SmtpSink

    _test_database()
    sink = SmtpSink(delay=EMAIL_DELAY_S)
    result = {}
    for label, backend in TASK_BACKENDS.items():
        smtp = {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "127.0.0.1"}
        smtp |= {"EMAIL_PORT": sink.port, "EMAIL_USE_TLS": False, "TASKS": {"default": {"BACKEND": backend}}}
        with override_settings(**smtp):
            sent_before = sink.messages
            timings = _timed_signings(runs, time.perf_counter)
            result[label] = {**summary(timings), "emails_sent_during_signing": sink.messages - sent_before}
    return {"smtp_delay_s": EMAIL_DELAY_S, "backends": result}


def _serve_pki(connection) -> None:
    from tests.consent.pki import LocalPKI

    pki = LocalPKI.start()
    connection.send(pki.settings())
    pki.thread.join()


def run_in(tree: Path, *, tsa: bool) -> list[float]:
    """One measuring round in a fresh interpreter with `tree` as the code (cold imports every round)."""
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--measure"] + (["--tsa"] if tsa else []),
        cwd=tree,
        env={**os.environ, "PYTHONPATH": str(tree)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def before_tree(commit: str) -> Path:
    tree = REPO / "bench" / "work" / f"before-{commit[:12]}"
    if not tree.exists():
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(tree), commit], cwd=REPO, check=True, capture_output=True
        )
    return tree


def summary(timings: list[float]) -> dict:
    ordered = sorted(timings)
    return {
        "runs": len(ordered),
        "median_ms": round(statistics.median(ordered)),
        "min_ms": round(ordered[0]),
        "max_ms": round(ordered[-1]),
    }


def main(argv: list[str]) -> None:
    tsa = "--tsa" in argv
    if "--email" in argv:
        result = measure_email()
        for label, row in result["backends"].items():
            sent = row["emails_sent_during_signing"]
            print(f"signing with its email, {label}: median {row['median_ms']} ms wall; emails sent meanwhile {sent}")
        if "--json" in argv:
            Path(argv[argv.index("--json") + 1]).write_text(json.dumps(result, indent=2))
        return
    if "--measure" in argv:
        print(json.dumps(measure(tsa)))
        return
    before = argv[argv.index("--before") + 1] if "--before" in argv else ""
    rounds = int(argv[argv.index("--rounds") + 1]) if "--rounds" in argv else 2
    tree = Path(argv[argv.index("--tree") + 1]) if "--tree" in argv else REPO  # the code measured as "now"
    now: list[float] = []
    then: list[float] = []
    for _ in range(rounds if before else 1):
        if before:
            then += run_in(before_tree(before), tsa=False)  # before the records issue: B-B, no PDF/A
        now += run_in(tree, tsa=tsa)
    result = {"now": summary(now), "tsa": tsa, "load": round(os.getloadavg()[0], 1)}
    line = f"sign_consent CPU ms over {len(now)}: median {result['now']['median_ms']}"
    if before:
        result["before"] = {"commit": before, **summary(then)}
        result["ratio"] = round(statistics.median(now) / statistics.median(then), 2)
        line += f"; before ({before}) median {result['before']['median_ms']}; ratio {result['ratio']:.2f}x"
    print(f"{line}; load {result['load']}")
    if "--json" in argv:
        Path(argv[argv.index("--json") + 1]).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
