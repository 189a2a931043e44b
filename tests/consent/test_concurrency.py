"""Signing at the same moment (PostgreSQL, real threads): one record per visit, and no patient waits for another."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from consent import services
from consent.models import ConsentRecord
from tests.factories import VisitFactory


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_double_submit_creates_one_record(sign):
    visit = VisitFactory(understanding_done_at=timezone.now())
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def submit():
        try:
            start.wait(timeout=10)
            sign(visit, send_email=False)
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


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_patients_signing_the_same_text_do_not_wait_for_each_other(sign, monkeypatch):
    """While one patient's document is being made (its transaction open, half a second in real life), another
    patient signs the same consent text and is done. A lock on the shared version row once made them queue."""
    first, second = (VisitFactory(understanding_done_at=timezone.now()) for _ in range(2))
    rendering, release = threading.Event(), threading.Event()
    render = services.render_consent_pdf

    def slow_for_the_first(record):
        if record.visit_id == first.pk:
            rendering.set()
            release.wait(timeout=30)
        return render(record)

    monkeypatch.setattr(services, "render_consent_pdf", slow_for_the_first)
    outcomes: dict = {}

    def submit(visit):
        try:
            sign(visit, send_email=False)
            outcomes[visit.pk] = "signed"
        except Exception as exc:  # surfaced in the assertions below
            outcomes[visit.pk] = f"error: {exc!r}"
        finally:
            connections.close_all()

    held = threading.Thread(target=submit, args=(first,))
    held.start()
    try:
        assert rendering.wait(timeout=30)
        other = threading.Thread(target=submit, args=(second,))
        other.start()
        other.join(timeout=20)
        finished_meanwhile = not other.is_alive()
    finally:
        release.set()
        held.join(timeout=60)
    other.join(timeout=60)

    assert finished_meanwhile, "the second signing waited for the first one's document"
    assert outcomes == {first.pk: "signed", second.pk: "signed"}
    assert ConsentRecord.objects.filter(visit__in=[first, second]).count() == 2
