"""Every text template fits in one SMS (160 GSM-7 characters, or 70 when it needs Unicode), with the
longest values it can hold. Patient-facing texts are checked in English and Spanish."""

import pytest

from messaging.models import Message
from messaging.render import render
from messaging.services import raise_alert
from messaging.sms import fits_one_sms, gsm7_fold, sms_length

LONGEST_SYMPTOM = "Numbness, tingling or weakness"  # an alert stored before codes held English labels
# The red flag whose label is longest in each language (intake/aftercare/texts/<language>.json).
LONGEST_CODE = {"en": "nerve", "es": "breathing"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Hello", (5, 160)), ("€[]", (6, 160)), ("Hola, ¿qué tal? Año", (19, 160)), ("Ćao", (3, 70)), ("💉", (1, 70))],
)
def test_the_length_counts_gsm7_septets_or_unicode_characters(text, expected):
    assert sms_length(text) == expected


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("template", ["alert", "alert-escalation"])
def test_alert_texts_fit_one_sms_with_the_longest_values(alert_visit, alert_settings, template, language):
    """Staff texts in English and Spanish, the longest label first in each (red-flag codes)."""
    from intake.aftercare.advice import red_flag_label

    patient = alert_visit.patient
    patient.first_name, patient.last_name = "Maximiliana-Josefina", "Wolfeschlegelsteinhausen"
    patient.save()
    alert = raise_alert(visit=alert_visit, symptoms=[LONGEST_CODE[language], "infection", "soreness_worse"], source="x")
    message = Message(
        channel="sms", recipient="+12015550150", template=template, language=language, context={"alert": str(alert.pk)}
    )
    text = render(message).text
    assert fits_one_sms(text), (sms_length(text), text)
    assert sms_length(text)[1] == 160, "a staff text must stay GSM-7"
    assert gsm7_fold(red_flag_label(LONGEST_CODE[language], language)) in text
    assert "+2" in text and "Wolfeschlegelsteinhausen" not in text
    assert " Maxi" in text and " W. +12015550123 " in text  # the first name gives way, never the whole name


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Síntomas en la respiración", "Sintomas en la respiracion"),
        ("Señales de infección", "Señales de infeccion"),  # ñ is GSM-7 already
        ("Raúl Çelik", "Raul Çelik"),
        ("مريم", "مريم"),  # no plain form: kept
    ],
)
def test_gsm7_fold_keeps_what_gsm7_has_and_plain_letters_for_the_rest(text, folded):
    assert gsm7_fold(text) == folded


def test_the_longest_codes_are_the_longest_labels():
    from intake.aftercare.advice import ADVICE

    for language, code in LONGEST_CODE.items():
        labels = {c: flag["label"] for c, flag in ADVICE[language]["red_flags"].items()}
        assert len(labels[code]) == max(len(label) for label in labels.values())


def test_an_alert_stored_with_an_english_label_still_fits(alert_visit, alert_settings):
    alert = raise_alert(visit=alert_visit, symptoms=[LONGEST_SYMPTOM, "Signs of infection"], source="x")
    message = Message(channel="sms", recipient="+12015550150", template="alert", context={"alert": str(alert.pk)})
    text = render(message).text
    assert fits_one_sms(text) and LONGEST_SYMPTOM in text


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
