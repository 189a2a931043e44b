"""Two signing requests at the same moment create one consent record (PostgreSQL, real threads)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from consent import services
from consent.demo import demo_signature_png, seed_versions
from consent.models import ConsentRecord
from tests.consent.conftest import full_acknowledgements
from tests.factories import VisitFactory


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_double_submit_creates_one_record():
    version = seed_versions()
    visit = VisitFactory(understanding_done_at=timezone.now())
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def submit():
        try:
            start.wait(timeout=10)
            services.sign_consent(
                visit=visit,
                version=version,
                signer_name=visit.patient.full_name,
                signature_png=demo_signature_png(),
                acknowledgements=full_acknowledgements(version),
                time_zone="UTC",
                send_email=False,
            )
            outcomes.append("signed")
        except services.AlreadySigned:
            outcomes.append("already signed")
        except Exception as exc:  # surfaced in the assertion below
            outcomes.append(f"error: {exc!r}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["already signed", "signed"]
    assert ConsentRecord.objects.filter(visit=visit).count() == 1
