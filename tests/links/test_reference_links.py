"""A link inside a message is a signed reference to the visit's current link: it opens the same
date-of-birth gate, never replaces the printed link, dies with that link, and a reminder's expires."""

from datetime import UTC, datetime, timedelta

import time_machine
from django.conf import settings
from django.utils import timezone

from intake.links.message_links import LINK, REMINDER, link_for_reference, message_url
from intake.links.services import issue_link
from intake.models import AccessLink
from portal.log_filters import redact
from tests.factories import AccessLinkFactory, VisitFactory

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _reference(url: str) -> str:
    return url.rsplit("/p/r/", 1)[1].rstrip("/")


def _dob(visit) -> dict:
    return {"date_of_birth": visit.patient.date_of_birth.isoformat()}


def test_a_reminder_opens_the_same_gate_and_the_printed_link_keeps_working(db, client, patient_link):
    link, token = patient_link
    url = message_url(link, purpose=REMINDER)
    assert len(_reference(url)) <= 52
    assert client.get(url).status_code == 200  # the date-of-birth page
    assert client.post(url, _dob(link.visit)).status_code == 302
    assert client.get("/patient/").status_code == 200
    # The printed QR code's link (the token) still opens the visit in another browser.
    from django.test import Client

    other = Client()
    assert other.post(f"/p/{token}/", _dob(link.visit)).status_code == 302
    assert AccessLink.objects.filter(visit=link.visit).count() == 1


def test_a_reminder_link_expires_after_reminder_link_hours(db, client):
    with time_machine.travel(T0, tick=False):
        link = AccessLinkFactory(visit=VisitFactory(scheduled_at=T0 + timedelta(days=10)))
        url = message_url(link, purpose=REMINDER)
    hours = settings.REMINDER_LINK_HOURS
    with time_machine.travel(T0 + timedelta(hours=hours) - timedelta(seconds=1), tick=False):
        assert link_for_reference(_reference(url)) == link
    with time_machine.travel(T0 + timedelta(hours=hours, seconds=1), tick=False):
        assert link_for_reference(_reference(url)) is None
        response = client.get(url)
        assert response.status_code == 404 and "contact the clinic" in response.content.decode().lower()


def test_the_link_message_lives_as_long_as_the_link(db):
    with time_machine.travel(T0, tick=False):
        link = AccessLinkFactory(visit=VisitFactory(scheduled_at=T0 + timedelta(days=10)))
        url = message_url(link, purpose=LINK)
    with time_machine.travel(T0 + timedelta(days=20), tick=False):
        assert link_for_reference(_reference(url)) == link


def test_replacing_or_revoking_the_link_ends_its_references(db, patient_link):
    link, _token = patient_link
    url = message_url(link, purpose=LINK)
    issue_link(visit=link.visit)  # reception issues a new link: the old one is revoked
    assert link_for_reference(_reference(url)) is None


def test_wrong_dates_of_birth_through_a_reference_count_on_the_link_and_lock_it(db, client, patient_link):
    link, _token = patient_link
    url = message_url(link, purpose=REMINDER)
    for _ in range(settings.ACCESS_LINK_MAX_DOB_FAILURES):
        client.post(url, {"date_of_birth": "1950-01-01"})
    link.refresh_from_db()
    assert link.locked_at is not None
    assert client.post(url, _dob(link.visit)).status_code == 403


def test_a_tampered_reference_gets_the_calm_page(db, client, patient_link):
    link, _token = patient_link
    reference = _reference(message_url(link, purpose=REMINDER))
    tampered = reference[:-2] + ("AA" if not reference.endswith("AA") else "BB")
    response = client.get(f"/p/r/{tampered}/")
    assert response.status_code == 404
    assert client.get("/p/r/nonsense/").status_code == 404


def test_references_are_redacted_from_log_lines(db, patient_link):
    link, _token = patient_link
    reference = _reference(message_url(link, purpose=REMINDER))
    line = redact(f"Internal Server Error: /p/r/{reference}/ at {timezone.now()}")
    assert reference not in line and reference.split(".")[2] not in line
