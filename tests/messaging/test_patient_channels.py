"""Which channels reach a patient, and the record's plain note when none (or not texts) can."""

import pytest

from messaging.models import Message
from messaging.services import contact_notes, patient_channels, queue_to_patient
from tests.factories import PatientFactory, VisitFactory


@pytest.mark.parametrize(
    ("email", "phone", "opt_out", "channels"),
    [
        ("a@example.com", "+12015550123", False, {"email": "a@example.com", "sms": "+12015550123"}),
        ("a@example.com", "(201) 555-0123", False, {"email": "a@example.com", "sms": "+12015550123"}),
        ("a@example.com", "+12015550123", True, {"email": "a@example.com"}),
        ("", "555-0199", False, {}),
        ("", "", False, {}),
    ],
)
def test_a_patient_is_reached_by_each_usable_channel(db, email, phone, opt_out, channels):
    assert patient_channels(PatientFactory(email=email, phone=phone, sms_opt_out=opt_out)) == channels


def test_the_record_says_plainly_why_messages_cannot_reach_a_patient(db):
    assert "No email or phone" in contact_notes(PatientFactory(email="", phone=""))[0]
    assert "cannot be texted" in contact_notes(PatientFactory(phone="555-0199"))[0]
    assert "asked not to get texts" in contact_notes(PatientFactory(phone="+12015550123", sms_opt_out=True))[0]
    assert contact_notes(PatientFactory(phone="+12015550123")) == []


def test_queueing_to_a_patient_twice_with_one_key_queues_once_per_channel(db, django_capture_on_commit_callbacks):
    visit = VisitFactory(patient=PatientFactory(email="a@example.com", phone="+12015550123"), language="es")
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            queue_to_patient(patient=visit.patient, visit=visit, template="testmsg", key="k1", context={"name": "Ana"})
    assert sorted(Message.objects.values_list("channel", "language", "idempotency_key")) == [
        ("email", "es", "k1:email"),
        ("sms", "es", "k1:sms"),
    ]


def test_without_sms_credentials_no_text_is_queued(db, settings):
    settings.SMS_BACKEND = "messaging.sms.TwilioBackend"
    settings.TWILIO_ACCOUNT_SID = settings.TWILIO_AUTH_TOKEN = ""
    patient = PatientFactory(email="a@example.com", phone="+12015550123")
    assert patient_channels(patient) == {"email": "a@example.com"}
