"""Signing CPU time: sign_consent's whole PDF path (render, seal, timestamp, store), median of 9.

Run: `PYTHONPATH=. .venv/bin/python bench/sign_cpu.py` (test settings, an in-memory SQLite database, the
demo seal). With `--tsa` it starts the tests' local PKI (certomancer: TSA, OCSP, CRL on 127.0.0.1 in a
child process) and seals at B-LT, so the figure includes the timestamp and revocation round trips. The
time is this process's CPU time (time.process_time: the signing thread and the helper threads pyHanko
uses for HTTP), while the local TSA, OCSP and CRL work is done in the child and not counted.
"""

from __future__ import annotations

import multiprocessing
import os
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")


def main(argv: list[str]) -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import override_settings, setup_test_environment

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    overrides = {}
    if "--tsa" in argv:
        parent, child = multiprocessing.Pipe()
        multiprocessing.Process(target=_serve_pki, args=(child,), daemon=True).start()
        overrides = parent.recv()
    with override_settings(**overrides):
        from consent.demo import demo_signature_png, seed_versions
        from consent.services import sign_consent
        from tests.consent.conftest import full_acknowledgements
        from tests.factories import VisitFactory

        version = seed_versions()
        timings = []
        for index in range(10):
            visit = VisitFactory(ready_to_sign=True)
            started = time.process_time()
            sign_consent(
                visit=visit,
                version=version,
                signer_name=visit.patient.full_name,
                signature_png=demo_signature_png(),
                acknowledgements=full_acknowledgements(version),
                time_zone="Europe/Madrid",
                ip="203.0.113.7",
                user_agent="bench",
                send_email=False,
            )
            if index:  # the first one warms the fonts and imports
                timings.append((time.process_time() - started) * 1000)
    timings.sort()
    print(
        f"sign_consent CPU ms over {len(timings)}: median {statistics.median(timings):.0f}, "
        f"min {timings[0]:.0f}, max {timings[-1]:.0f}, load {os.getloadavg()[0]:.1f}"
    )


def _serve_pki(connection) -> None:
    from tests.consent.pki import LocalPKI

    pki = LocalPKI.start()
    connection.send(pki.settings())
    pki.thread.join()


if __name__ == "__main__":
    main(sys.argv[1:])
