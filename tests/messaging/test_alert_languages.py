"""Alerts reach each person in their language: the treating clinician in the one they chose (by email
and, when they gave one, by text), the on-call and escalation contacts in CLINIC_STAFF_LANGUAGE. The
symptoms are stored as codes and named in the recipient's language when the message is made."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from messaging import sms
from messaging.models import Alert, Message
from messaging.render import render
from messaging.services import escalate_due_alerts, raise_alert
from messaging.sms import fits_one_sms, sms_length

ISOLATE, POP = "\u2068", "\u2069"


@pytest.fixture
def spanish_clinician(alert_visit):
    clinician = alert_visit.clinician
    clinician.alert_language = "es"
    clinician.alert_phone = "+12015550199"
    clinician.save()
    return clinician


def _raise(visit, capture, symptoms=("breathing", "nerve")):
    with capture(execute=True):
        return raise_alert(visit=visit, symptoms=list(symptoms), source="checkin_24h")


def _email_to(address):
    [email] = [m for m in mail.outbox if m.to == [address]]
    return email


def _text_to(number):
    [text] = [t for t in sms.outbox if t.to == number]
    return text


def test_a_spanish_clinician_gets_a_spanish_email_and_text(
    alert_visit, alert_settings, spanish_clinician, django_capture_on_commit_callbacks
):
    alert = _raise(alert_visit, django_capture_on_commit_callbacks)
    email = _email_to("doc@example.com")
    assert email.subject == (
        f"URGENTE señal de alarma: Síntomas en la respiración o el pecho, Adormecimiento, hormigueo o debilidad "
        f"({ISOLATE}Ana G.{POP})"
    )
    for words in (
        "Llámele ahora",
        "Paciente: \u2068Ana García\u2069",
        "Teléfono: +12015550123",
        "Contacto de emergencia",
    ):
        assert words in email.body
    assert "Señal de alarma: Síntomas en la respiración" in email.alternatives[0][0]
    text = _text_to("+12015550199").body
    assert text == (
        "URGENTE Sintomas en la respiracion o el pecho +1: Ana G. +12015550123 "
        f"https://portal.example-clinic.com/staff/alerts/{alert.pk}/"
    )
    assert fits_one_sms(text) and sms_length(text)[1] == 160  # GSM-7: one part of 160, not Unicode's 70


def test_an_english_on_call_contact_gets_english_whatever_the_clinician_chose(
    alert_visit, alert_settings, spanish_clinician, django_capture_on_commit_callbacks
):
    _raise(alert_visit, django_capture_on_commit_callbacks)
    email = _email_to("oncall@example.com")
    assert email.subject.startswith("URGENT red flag: Breathing or chest symptoms, Numbness, tingling or weakness (")
    assert "Please call them now." in email.body and "Llámele" not in email.body
    assert _text_to("+12015550150").body.startswith("URGENT Breathing or chest symptoms +1: Ana G. +12015550123 ")
    languages = dict(Message.objects.values_list("recipient", "language"))
    assert languages == {
        "doc@example.com": "es",
        "+12015550199": "es",
        "oncall@example.com": "en",
        "+12015550150": "en",
    }


def test_the_clinicians_text_has_its_own_idempotency_key_and_goes_once(
    alert_visit, alert_settings, spanish_clinician, django_capture_on_commit_callbacks
):
    alert = _raise(alert_visit, django_capture_on_commit_callbacks)
    message = Message.objects.get(recipient="+12015550199")
    assert message.idempotency_key == f"alert:{alert.pk}:raised:sms:+12015550199"
    assert message.channel == "sms" and message.patient == alert_visit.patient


def test_a_clinician_who_is_also_on_call_gets_one_text_in_their_own_language(
    alert_visit, alert_settings, spanish_clinician, django_capture_on_commit_callbacks
):
    alert_settings.CLINIC_ALERT_PHONES = ["+12015550199", "+12015550150"]
    _raise(alert_visit, django_capture_on_commit_callbacks)
    assert sorted(t.to for t in sms.outbox) == ["+12015550150", "+12015550199"]
    assert _text_to("+12015550199").body.startswith("URGENTE ")


def test_without_texts_set_up_the_clinician_is_only_emailed(
    alert_visit, alert_settings, spanish_clinician, django_capture_on_commit_callbacks
):
    alert_settings.SMS_BACKEND = "messaging.sms.TwilioBackend"
    alert_settings.TWILIO_ACCOUNT_SID = ""
    _raise(alert_visit, django_capture_on_commit_callbacks)
    assert sms.outbox == [] and not Message.objects.filter(channel="sms").exists()
    assert sorted(m.to[0] for m in mail.outbox) == ["doc@example.com", "oncall@example.com"]


def test_a_clinician_without_an_alert_phone_is_only_emailed(
    alert_visit, alert_settings, django_capture_on_commit_callbacks
):
    _raise(alert_visit, django_capture_on_commit_callbacks)
    assert [t.to for t in sms.outbox] == ["+12015550150"]


def test_on_call_and_escalation_contacts_follow_the_clinic_staff_language(
    alert_visit, alert_settings, django_capture_on_commit_callbacks
):
    alert_settings.CLINIC_STAFF_LANGUAGE = "es"
    alert = _raise(alert_visit, django_capture_on_commit_callbacks, symptoms=["infection"])
    assert _email_to("oncall@example.com").subject.startswith("URGENTE señal de alarma: Señales de infección")
    assert _email_to("doc@example.com").subject.startswith("URGENT red flag: Signs of infection")  # chose English
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert escalate_due_alerts(now=alert.raised_at + timedelta(minutes=31)) == 1
    email = _email_to("manager@example.com")
    assert email.subject == f"ESCALADA: señal de alarma sin atender en 30 min ({ISOLATE}Ana G.{POP})"
    assert "Nadie ha atendido esta señal de alarma en 30 minutos." in email.body
    # ñ is GSM-7 and stays; ó is not, and becomes o
    assert _text_to("+12015550160").body.startswith("ESCALADA Señales de infeccion: Ana G. +12015550123 ")


def test_an_alert_stored_with_english_labels_still_reads_as_written(alert_visit, alert_settings):
    """Alerts raised before codes hold the English labels: they stay readable in every language."""
    alert = Alert.objects.create(visit=alert_visit, symptoms=["Breathing or chest symptoms"], source="checkin_24h")
    message = Message(
        channel="email", recipient="doc@example.com", template="alert", language="es", context={"alert": str(alert.pk)}
    )
    assert "Señal de alarma: Breathing or chest symptoms" in render(message).text
    assert alert.symptom_labels == ["Breathing or chest symptoms"]


def test_staff_pages_name_the_symptoms_not_their_codes(alert_visit, alert_settings, as_user, clinician):
    raise_alert(visit=alert_visit, symptoms=["bruise"], source="checkin_72h")
    page = as_user(clinician).get("/staff/alerts/").content.decode()
    assert "Large or growing bruise" in page and ">bruise<" not in page


@pytest.mark.parametrize(("first", "last"), [("مريم", "العلي"), ("נועה", "כהן")], ids=["arabic", "hebrew"])
def test_a_right_to_left_name_is_isolated_in_the_subject_and_the_text(
    alert_visit, alert_settings, first, last, django_capture_on_commit_callbacks
):
    patient = alert_visit.patient
    patient.first_name, patient.last_name, patient.preferred_name = first, last, ""
    patient.save()
    _raise(alert_visit, django_capture_on_commit_callbacks, symptoms=["breathing"])
    name = f"{first} {last[:1]}."
    assert f"({ISOLATE}{name}{POP})" in _email_to("oncall@example.com").subject
    assert f": {ISOLATE}{name}{POP} +12015550123 " in _text_to("+12015550150").body


def test_a_left_to_right_name_stays_plain_in_a_text_so_it_stays_gsm7(
    alert_visit, alert_settings, django_capture_on_commit_callbacks
):
    _raise(alert_visit, django_capture_on_commit_callbacks, symptoms=["breathing"])
    text = _text_to("+12015550150").body
    assert ISOLATE not in text and sms_length(text)[1] == 160


def test_an_alert_without_symptoms_says_red_flag_in_the_recipients_language(alert_visit, alert_settings):
    alert = Alert.objects.create(visit=alert_visit, symptoms=[], source="x", raised_at=timezone.now())
    for language, words in (("en", "URGENT red flag:"), ("es", "URGENTE señal de alarma:")):
        message = Message(
            channel="sms",
            recipient="+12015550150",
            template="alert",
            language=language,
            context={"alert": str(alert.pk)},
        )
        assert render(message).text.startswith(words)
