"""Reminders before the visit: one per PRE_VISIT_REMINDER_HOURS to a patient not ready, never a new
link; and reception's "remind all not ready for tomorrow", with the count first."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.test import Client

from messaging import sms
from messaging.models import Message
from portal.models import AuditEvent
from tests.factories import AccessLinkFactory, PatientFactory, VisitFactory
from tests.helpers import open_patient_session

BOOKED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
VISIT = BOOKED + timedelta(days=5)


def _visit(**extra):
    with time_machine.travel(BOOKED, tick=False):
        visit = VisitFactory(scheduled_at=VISIT, patient=PatientFactory(phone="+12015550123"), **extra)
        AccessLinkFactory(visit=visit)
    return visit


def _run(capture, when) -> dict[str, int]:
    out = StringIO()
    with time_machine.travel(when, tick=False), capture(execute=True):
        call_command("run_schedules", stdout=out)
    return {line.split(": ")[0]: int(line.split(": ")[1]) for line in out.getvalue().splitlines()}


def test_a_patient_not_ready_gets_one_reminder_48h_and_one_24h_before(db, django_capture_on_commit_callbacks):
    visit = _visit()
    run = django_capture_on_commit_callbacks
    assert _run(run, VISIT - timedelta(hours=48, minutes=1))["intake.pre_visit_reminders"] == 0
    assert _run(run, VISIT - timedelta(hours=48))["intake.pre_visit_reminders"] == 1
    assert _run(run, VISIT - timedelta(hours=47))["intake.pre_visit_reminders"] == 0
    assert _run(run, VISIT - timedelta(hours=24))["intake.pre_visit_reminders"] == 1
    assert _run(run, VISIT - timedelta(hours=1))["intake.pre_visit_reminders"] == 0
    assert len(mail.outbox) == 2 and len(sms.outbox) == 2
    assert "finish" in mail.outbox[0].subject and "/p/r/" in mail.outbox[0].body
    assert sms.outbox[0].to == "+12015550123" and "/p/r/" in sms.outbox[0].body
    assert visit.access_links.count() == 1 and visit.access_links.get().revoked_at is None
    assert AuditEvent.objects.filter(action="visit.reminder_queued").count() == 2


def test_a_patient_who_signed_gets_no_reminder(db, django_capture_on_commit_callbacks):
    _visit(signed_at=BOOKED)
    assert _run(django_capture_on_commit_callbacks, VISIT - timedelta(hours=24))["intake.pre_visit_reminders"] == 0
    assert mail.outbox == [] and sms.outbox == []


def test_a_visit_booked_late_gets_no_catch_up_for_the_earlier_reminder(db, django_capture_on_commit_callbacks):
    with time_machine.travel(VISIT - timedelta(hours=30), tick=False):
        visit = VisitFactory(scheduled_at=VISIT)
        AccessLinkFactory(visit=visit)
    run = django_capture_on_commit_callbacks
    assert _run(run, VISIT - timedelta(hours=29))["intake.pre_visit_reminders"] == 0
    assert _run(run, VISIT - timedelta(hours=24))["intake.pre_visit_reminders"] == 1


def test_run_schedules_runs_every_registered_job_and_says_how_many_each_queued(db, django_capture_on_commit_callbacks):
    counts = _run(django_capture_on_commit_callbacks, BOOKED)
    assert set(counts) == {
        "api.webhook_retries",
        "intake.checkin_reminders",
        "intake.pre_visit_reminders",
        "messaging.escalate_alerts",
        "messaging.rescue",
    }


# --- remind all not ready for tomorrow ----------------------------------------------------------

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
URL = "/staff/reminders/tomorrow/"


@pytest.fixture
def tomorrow():
    with time_machine.travel(NOW, tick=False):
        ready = [VisitFactory(scheduled_at=NOW + timedelta(hours=20)) for _ in range(2)]
        for visit in ready:
            AccessLinkFactory(visit=visit)
        VisitFactory(scheduled_at=NOW + timedelta(hours=20), signed_at=NOW)  # ready: not counted
        AccessLinkFactory(visit=VisitFactory(scheduled_at=NOW + timedelta(days=3)))  # not tomorrow
        yield ready


@pytest.fixture
def as_user():
    def login(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return login


def test_reception_sees_the_count_first_then_sends_once(
    reception, as_user, tomorrow, django_capture_on_commit_callbacks
):
    client = as_user(reception)
    page = client.get(URL)
    assert page.status_code == 200 and "2 patients with a visit on" in page.content.decode()
    assert Message.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, follow=True)
        client.post(URL)  # a second press the same day sends nothing more
    assert "Reminders are on their way to 2 patients." in response.content.decode()
    assert len(mail.outbox) == 2
    assert AuditEvent.objects.filter(action="visit.reminders_sent_tomorrow").count() == 2


def test_the_reminder_page_walks_the_ladder(
    client, outsider, reception, clinician, clinic_admin, as_user, patient_link
):
    assert client.get(URL)["Location"].startswith("/accounts/login/")
    assert client.post(URL)["Location"].startswith("/accounts/login/")
    link, token = patient_link
    patient = Client()
    open_patient_session(patient, token, link)
    assert patient.get(URL).status_code == 404
    assert as_user(outsider).get(URL).status_code == 403
    assert as_user(outsider).post(URL).status_code == 403
    for user in (reception, clinician, clinic_admin):
        assert as_user(user).get(URL).status_code == 200
        assert as_user(user).post(URL).status_code == 302
