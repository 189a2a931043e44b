"""Every text template fits in one SMS (160 GSM-7 characters, or 70 when it needs Unicode), with the
longest values it can hold. Patient-facing texts are checked in English and Spanish."""

import pytest

from messaging.models import Message
from messaging.render import render
from messaging.services import raise_alert
from messaging.sms import fits_one_sms, sms_length

LONGEST_SYMPTOM = "Numbness, tingling or weakness"  # the longest staff label in intake/aftercare.py


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Hello", (5, 160)), ("€[]", (6, 160)), ("Hola, ¿qué tal? Año", (19, 160)), ("Ćao", (3, 70)), ("💉", (1, 70))],
)
def test_the_length_counts_gsm7_septets_or_unicode_characters(text, expected):
    assert sms_length(text) == expected


@pytest.mark.parametrize("template", ["alert", "alert-escalation"])
def test_alert_texts_fit_one_sms_with_the_longest_values(alert_visit, alert_settings, template):
    patient = alert_visit.patient
    patient.first_name, patient.last_name = "Maximiliana-Josefina", "Wolfeschlegelsteinhausen"
    patient.save()
    alert = raise_alert(
        visit=alert_visit, symptoms=[LONGEST_SYMPTOM, "Signs of infection", "Soreness getting worse"], source="x"
    )
    message = Message(channel="sms", recipient="+12015550150", template=template, context={"alert": str(alert.pk)})
    text = render(message).text
    assert fits_one_sms(text), (len(text), text)
    assert LONGEST_SYMPTOM in text and "+2" in text and "Wolfeschlegelsteinhausen" not in text


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("template", ["link", "pre-visit-reminder", "checkin-reminder"])
def test_patient_texts_fit_one_sms_in_english_and_spanish(db, alert_settings, template, language):
    """With the demo clinic's name, a 33-character SITE_URL and a real reference to a link."""
    from django.utils import translation

    from intake.links.services import send_link_message  # noqa: F401 - registers the link message
    from tests.factories import AccessLinkFactory, VisitFactory

    visit = VisitFactory(language=language)
    AccessLinkFactory(visit=visit)
    message = Message(
        channel="sms",
        recipient="+12015550150",
        template=template,
        language=language,
        context={"visit": str(visit.pk), "window": "24h", "hours": 24},
    )
    text = render(message).text
    assert fits_one_sms(text), (sms_length(text), text)
    assert "/p/r/" in text and "Riverside Physiotherapy" in text
    with translation.override(language):
        assert (language == "es") == any(word in text for word in ("cita", "visita", "prepare", "cuentenos"))
