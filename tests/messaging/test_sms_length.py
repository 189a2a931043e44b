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
