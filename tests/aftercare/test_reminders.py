import re
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from intake.aftercare.checkins import submit_checkin
from intake.aftercare.reminders import visits_due_reminder
from intake.models import AccessLink, CheckInReminder
from messaging.models import Message
from portal.models import AuditEvent
from tests.aftercare.conftest import record_visit
from tests.factories import AccessLinkFactory, PatientFactory, VisitFactory

TREATED = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)


@pytest.fixture
def treated_visit(db):
    visit = VisitFactory(scheduled_at=TREATED)
    AccessLinkFactory(visit=visit)
    record_visit(visit, regions=["neck"], treated_at=TREATED)
    return visit


def run(django_capture_on_commit_callbacks) -> str:
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_checkin_reminders", stdout=out)
    return out.getvalue().strip().splitlines()[-1]


def test_no_reminder_goes_out_before_the_24h_window_opens(treated_visit, django_capture_on_commit_callbacks):
    with time_machine.travel(TREATED + timedelta(hours=12) - timedelta(seconds=1), tick=False):
        assert run(django_capture_on_commit_callbacks) == "sent 0"
    assert mail.outbox == []


def test_reminders_are_sent_once_per_window(treated_visit, django_capture_on_commit_callbacks):
    with time_machine.travel(TREATED + timedelta(hours=12), tick=False):
        assert run(django_capture_on_commit_callbacks) == "sent 1"
        assert run(django_capture_on_commit_callbacks) == "sent 0"
    with time_machine.travel(TREATED + timedelta(hours=30), tick=False):
        assert run(django_capture_on_commit_callbacks) == "sent 0"
    with time_machine.travel(TREATED + timedelta(hours=48), tick=False):
        assert run(django_capture_on_commit_callbacks) == "sent 1"
        assert run(django_capture_on_commit_callbacks) == "sent 0"
    assert len(mail.outbox) == 2
    assert ["about a day" in m.body for m in mail.outbox] == [True, False]
    assert "about three days" in mail.outbox[1].body
    assert sorted(CheckInReminder.objects.values_list("window", flat=True)) == ["24h", "72h"]
    assert AuditEvent.objects.filter(action="checkin.reminder_sent", patient=treated_visit.patient).count() == 2


def test_the_reminder_link_opens_the_visit_and_the_patients_own_link_keeps_working(
    client, treated_visit, django_capture_on_commit_callbacks
):
    """Reminders never revoke a link: they carry a signed reference to the current one."""
    old = AccessLink.objects.get(visit=treated_visit, revoked_at__isnull=True)
    with time_machine.travel(TREATED + timedelta(hours=13), tick=False):
        run(django_capture_on_commit_callbacks)
        message = mail.outbox[0]
        assert message.to == [treated_visit.patient.email]
        html = message.alternatives[0][0]
        reference = re.search(r"http://testserver/p/r/([A-Za-z0-9_.-]+)/", message.body).group(1)
        assert f"/p/r/{reference}/" in html
        assert AccessLink.objects.filter(visit=treated_visit).count() == 1  # nothing issued
        old.refresh_from_db()
        assert old.revoked_at is None and old.is_usable
        response = client.post(f"/p/r/{reference}/", {"date_of_birth": treated_visit.patient.date_of_birth.isoformat()})
        assert response.status_code == 302
        page = client.get("/patient/aftercare/check-in/24h/").content.decode()
    assert "How sore is the treated area" in page
    assert "911" in message.body  # the emergency line is in the email, in case they do not open the link
    assert reference not in str(list(Message.objects.values()))  # the log never holds the link


def test_no_reminder_for_patients_without_email_or_who_already_checked_in(django_capture_on_commit_callbacks, db):
    no_email = VisitFactory(patient=PatientFactory(email=""), scheduled_at=TREATED)
    record_visit(no_email, treated_at=TREATED)
    done = VisitFactory(scheduled_at=TREATED)
    record_visit(done, treated_at=TREATED)
    not_recorded = VisitFactory(scheduled_at=TREATED)
    with time_machine.travel(TREATED + timedelta(hours=20), tick=False):
        submit_checkin(visit=done, window="24h", soreness=2, trend="better", red_flags=[])
        assert list(visits_due_reminder(window="24h")) == []
        assert run(django_capture_on_commit_callbacks) == "sent 0"
    assert mail.outbox == []
    assert not_recorded.access_links.count() == 0


def test_a_stale_window_gets_no_reminder_days_later(treated_visit, django_capture_on_commit_callbacks):
    with time_machine.travel(TREATED + timedelta(hours=24 * 5), tick=False):
        assert run(django_capture_on_commit_callbacks) == "sent 0"


def test_the_reminder_is_in_the_visits_language(treated_visit, django_capture_on_commit_callbacks):
    treated_visit.language = "es"
    treated_visit.save()
    with time_machine.travel(TREATED + timedelta(hours=13), tick=False):
        run(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    assert '<html lang="es">' in mail.outbox[0].alternatives[0][0]


def test_the_query_for_due_reminders_is_constant(django_assert_num_queries, db):
    for _ in range(5):
        visit = VisitFactory(scheduled_at=TREATED)
        AccessLinkFactory(visit=visit)
        record_visit(visit, treated_at=TREATED)
    with time_machine.travel(TREATED + timedelta(hours=13), tick=False), django_assert_num_queries(1):
        assert len(list(visits_due_reminder(window="24h"))) == 5
