"""Red-flag alerts: at once to the clinician and on-call contacts, escalation at the minute, and an
acknowledgement that needs an outcome and a note."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from messaging import sms
from messaging.models import Alert, Message, Outcome, Status
from messaging.services import AlertError, acknowledge_alert, raise_alert
from messaging.signals import alert_resolved
from portal.models import AuditEvent

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BREATHING = "Breathing or chest symptoms"


def _raise(visit, capture):
    with capture(execute=True):
        return raise_alert(visit=visit, symptoms=[BREATHING], source="checkin_24h")


def _schedules():
    call_command("run_schedules", stdout=open("/dev/null", "w"))  # noqa: SIM115, PTH123


def test_a_red_flag_reaches_the_clinician_and_on_call_by_email_and_text_at_once(
    alert_visit, alert_settings, django_capture_on_commit_callbacks
):
    alert = _raise(alert_visit, django_capture_on_commit_callbacks)
    assert sorted(m.to[0] for m in mail.outbox) == ["doc@example.com", "oncall@example.com"]
    email = mail.outbox[0]
    assert email.subject == f"URGENT red flag: {BREATHING} (\u2068Ana G.\u2069)"  # the name isolated (bidi)
    for fact in (BREATHING, "Ana García", "+12015550123", "\u2068Luis García\u2069 (\u2068brother\u2069) +12015550124"):
        assert fact in email.body
    assert f"https://portal.example-clinic.com/staff/alerts/{alert.pk}/" in email.body
    assert f"https://portal.example-clinic.com/staff/patients/{alert_visit.patient_id}/" in email.body
    [text] = sms.outbox
    assert text.to == "+12015550150"
    assert (
        text.body
        == f"URGENT {BREATHING}: Ana G. +12015550123 https://portal.example-clinic.com/staff/alerts/{alert.pk}/"
    )
    assert Message.objects.filter(status=Status.SENT).count() == 3
    event = AuditEvent.objects.get(action="alert.raised")
    assert event.details == {"source": "checkin_24h", "symptom_count": 1, "messages": 3}


def test_the_text_carries_no_health_detail_but_the_symptom(
    alert_visit, alert_settings, django_capture_on_commit_callbacks
):
    alert_visit.patient.emergency_contact_name = "Secret Contact"
    alert_visit.patient.save()
    _raise(alert_visit, django_capture_on_commit_callbacks)
    [text] = sms.outbox
    assert "Secret" not in text.body and "García" not in text.body and "Luis" not in text.body


def test_a_bad_on_call_number_is_skipped_and_the_alert_still_goes_out(
    alert_visit, alert_settings, django_capture_on_commit_callbacks
):
    alert_settings.CLINIC_ALERT_PHONES = ["12345", "+12015550150"]
    _raise(alert_visit, django_capture_on_commit_callbacks)
    assert [t.to for t in sms.outbox] == ["+12015550150"]
    from messaging.checks import alert_phones_are_textable

    assert [w.id for w in alert_phones_are_textable()] == ["messaging.W001"]


def test_it_escalates_at_the_minute_once_and_shows_as_overdue(
    alert_visit, alert_settings, django_capture_on_commit_callbacks
):
    with time_machine.travel(T0, tick=False) as clock:
        alert = _raise(alert_visit, django_capture_on_commit_callbacks)
        mail.outbox.clear()
        sms.outbox.clear()
        clock.move_to(T0 + timedelta(minutes=29, seconds=59))
        _schedules()
        alert.refresh_from_db()
        assert alert.escalated_at is None and not alert.is_overdue and mail.outbox == []

        clock.move_to(T0 + timedelta(minutes=30))
        _schedules()
        _schedules()  # a second run the same minute escalates nothing more
        alert.refresh_from_db()
        assert alert.escalated_at == T0 + timedelta(minutes=30) and alert.is_overdue
    assert [m.to for m in mail.outbox] == [["manager@example.com"]]
    assert mail.outbox[0].subject.startswith("ESCALATED")
    assert [t.to for t in sms.outbox] == ["+12015550160"]
    assert AuditEvent.objects.filter(action="alert.escalated").count() == 1


def test_an_acknowledged_alert_does_not_escalate(
    alert_visit, alert_settings, clinician, django_capture_on_commit_callbacks
):
    with time_machine.travel(T0, tick=False) as clock:
        alert = _raise(alert_visit, django_capture_on_commit_callbacks)
        acknowledge_alert(alert=alert, by=clinician, outcome=Outcome.NO_ANSWER, note="Voicemail, will try at 9:15")
        clock.shift(timedelta(hours=1))
        _schedules()
    alert.refresh_from_db()
    assert alert.escalated_at is None and not alert.is_overdue
    assert alert.resolved_at is None  # "no answer, try again" keeps it open
    assert list(Alert.objects.open()) == [alert]


@pytest.mark.parametrize(
    ("outcome", "note", "message"),
    [
        ("", "called", "Choose what you did."),
        ("shrugged", "called", "Choose what you did."),
        (Outcome.CALLED, "   ", "Add a short note of what happened."),
        (Outcome.CALLED, "x" * 2001, "Keep the note under 2,000 characters."),
    ],
)
def test_acknowledging_needs_an_outcome_and_a_note(alert_visit, clinician, outcome, note, message):
    alert = raise_alert(visit=alert_visit, symptoms=[BREATHING], source="checkin_24h")
    with pytest.raises(AlertError, match=message):
        acknowledge_alert(alert=alert, by=clinician, outcome=outcome, note=note)
    alert.refresh_from_db()
    assert alert.acknowledged_at is None and alert.outcome == ""


def test_the_database_refuses_an_acknowledgement_without_an_outcome(alert_visit, clinician):
    from django.db import IntegrityError, transaction

    alert = raise_alert(visit=alert_visit, symptoms=[BREATHING], source="checkin_24h")
    alert.acknowledged_at, alert.acknowledged_by = datetime.now(UTC), clinician
    with pytest.raises(IntegrityError), transaction.atomic():
        alert.save()


def test_resolving_tells_the_domain_and_is_audited_without_the_note(alert_visit, clinician):
    heard = []

    def listener(sender, alert, by, **kwargs):
        heard.append((alert.pk, by))

    alert_resolved.connect(listener)
    try:
        alert = raise_alert(visit=alert_visit, symptoms=[BREATHING], source="checkin_24h")
        acknowledge_alert(alert=alert, by=clinician, outcome=Outcome.EMERGENCY, note="Told to call 911 now")
    finally:
        alert_resolved.disconnect(listener)
    assert heard == [(alert.pk, clinician)]
    event = AuditEvent.objects.get(action="alert.acknowledged")
    assert event.details == {"outcome": "emergency_advised", "resolved": True, "fields": ["outcome", "note"]}
    with pytest.raises(AlertError, match="already"):
        acknowledge_alert(alert=alert, by=clinician, outcome=Outcome.CALLED, note="again")
