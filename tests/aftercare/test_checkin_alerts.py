"""A red-flag check-in raises an alert at once; resolving it takes the visit off the urgent list; the
board, the review queue and the record show the symptom and the phone."""

from datetime import timedelta

from django.core import mail
from django.test import Client
from django.utils import timezone

from intake.aftercare.checkins import submit_checkin
from messaging import sms
from messaging.models import Alert, Message, Outcome, Status
from messaging.services import acknowledge_alert
from tests.aftercare.conftest import record_visit
from tests.factories import AccessLinkFactory, PatientFactory, VisitFactory


def _treated(clinician):
    clinician.email = "doc@example.com"
    clinician.save()
    visit = VisitFactory(
        clinician=clinician,
        patient=PatientFactory(phone="+12015550123"),
        scheduled_at=timezone.now() - timedelta(hours=20),
    )
    AccessLinkFactory(visit=visit)
    record_visit(visit, treated_at=timezone.now() - timedelta(hours=20))
    return visit


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_red_flag_check_in_alerts_the_clinician_at_once(clinician, settings, django_capture_on_commit_callbacks):
    settings.CLINIC_ALERT_PHONES = ["+12015550150"]
    visit = _treated(clinician)
    with django_capture_on_commit_callbacks(execute=True):
        submit_checkin(visit=visit, window="24h", soreness=4, trend="better", red_flags=["breathing"])
    alert = Alert.objects.get()
    assert alert.symptoms == ["breathing"] and alert.source == "checkin_24h"  # codes, named per reader
    assert alert.symptom_labels == ["Breathing or chest symptoms"]
    assert "Breathing or chest symptoms" in mail.outbox[0].subject
    assert [m.to for m in mail.outbox] == [["doc@example.com"]]
    assert [t.to for t in sms.outbox] == ["+12015550150"]


def test_a_check_in_without_red_flags_raises_nothing(clinician, django_capture_on_commit_callbacks):
    visit = _treated(clinician)
    with django_capture_on_commit_callbacks(execute=True):
        submit_checkin(visit=visit, window="24h", soreness=2, trend="better", red_flags=[])
    assert not Alert.objects.exists() and mail.outbox == []


def test_resolving_the_alert_takes_the_visit_off_the_urgent_list(clinician):
    visit = _treated(clinician)
    submit_checkin(visit=visit, window="24h", soreness=4, trend="better", red_flags=["infection"])
    visit.refresh_from_db()
    assert visit.urgent_since is not None
    acknowledge_alert(alert=Alert.objects.get(), by=clinician, outcome=Outcome.NO_ANSWER, note="Voicemail")
    visit.refresh_from_db()
    assert visit.urgent_since is not None  # "no answer, try again" keeps it urgent
    acknowledge_alert(alert=Alert.objects.get(), by=clinician, outcome=Outcome.CALLED, note="Spoke to him")
    visit.refresh_from_db()
    assert visit.urgent_since is None and visit.checkins.get().acknowledged_by == clinician


def test_the_board_and_queue_show_the_symptom_the_phone_and_the_alert(clinician, reception):
    visit = _treated(clinician)
    submit_checkin(visit=visit, window="24h", soreness=4, trend="better", red_flags=["nerve"])
    alert = Alert.objects.get()
    for user, url in ((reception, "/staff/"), (clinician, "/staff/review/")):
        body = _login(user).get(url).content.decode()
        assert "Numbness, tingling or weakness" in body
        assert 'href="tel:+12015550123"' in body
        assert f"/staff/alerts/{alert.pk}/" in body
    review = _login(clinician).get(f"/staff/visits/{visit.pk}/review/").content.decode()
    assert f"/staff/alerts/{alert.pk}/" in review and "mark as dealt with" not in review


def test_the_record_lists_messages_masked_and_never_the_link(reception, clinician, django_capture_on_commit_callbacks):
    visit = _treated(clinician)
    visit.patient.email = "jane.doe@example.com"
    visit.patient.save()
    with django_capture_on_commit_callbacks(execute=True):
        from intake.links.services import send_link_message

        send_link_message(visit=visit)
    body = _login(reception).get(f"/staff/patients/{visit.patient_id}/").content.decode()
    assert "j***@e***.com" in body and "+1 **** **01 23" in body
    assert "jane.doe@example.com</td>" not in body and "Link to the visit" in body
    sent_url = mail.outbox[0].body.split("/p/r/")[1].split("/")[0]
    assert sent_url not in body


def test_a_message_that_gave_up_shows_on_the_board_and_the_record(reception, clinician):
    visit = _treated(clinician)
    Message.objects.create(
        channel="email",
        recipient="jane@example.com",
        template="link",
        patient=visit.patient,
        visit=visit,
        idempotency_key="gave-up",
        status=Status.GAVE_UP,
        attempts=6,
        last_error="ConnectionRefusedError: ECONNREFUSED",
    )
    board = _login(reception).get("/staff/").content.decode()
    assert "Messages that could not be sent" in board and "j***@e***.com" in board
    record = _login(reception).get(f"/staff/patients/{visit.patient_id}/").content.decode()
    assert "Gave up" in record and "ECONNREFUSED" in record


def test_the_record_says_when_no_message_can_reach_the_patient(reception):
    patient = PatientFactory(email="", phone="")
    VisitFactory(patient=patient)
    body = _login(reception).get(f"/staff/patients/{patient.pk}/").content.decode()
    assert "No email or phone on file" in body
