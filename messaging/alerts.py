"""What an alert message says: the context made at send time from the Alert row (registered below)."""

from __future__ import annotations

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext

from messaging.models import Alert
from messaging.render import register_context, render_sms, symptom_labels
from messaging.services import ALERT_TEMPLATE, ESCALATION_TEMPLATE
from messaging.sms import fits_one_sms, gsm7_fold
from portal.text import isolate_if_right_to_left


def record_url(patient) -> str:
    try:
        return settings.SITE_URL + reverse("staff:patient", args=[patient.pk])
    except NoReverseMatch:
        return ""


def alert_url(alert: Alert) -> str:
    return settings.SITE_URL + reverse("messaging:alert", args=[alert.pk])


def short_name(patient, letters: int = 12) -> str:
    """ "Ana G." in a text: enough for staff to find the record, short enough for one SMS."""
    first = (patient.preferred_name or patient.first_name or "")[:letters]
    return f"{first} {patient.last_name[:1]}.".strip() if patient.last_name else first


def _context(message) -> dict:
    """Made in the message's language (the recipient's): the symptoms are named in it too."""
    alert = Alert.objects.select_related("visit__patient", "visit__clinician").get(pk=message.context["alert"])
    patient = alert.visit.patient
    labels = symptom_labels(alert.symptoms, message.language)
    name = short_name(patient)  # an email's subject
    # A text names the first sign and counts the rest, to stay within one SMS; GSM-7 letters only
    # (a Spanish "Síntomas" would make it a 70-character Unicode text).
    first = gsm7_fold(labels[0]) + (f" +{len(labels) - 1}" if len(labels) > 1 else "") if labels else ""
    context = {
        "alert": alert,
        "patient": patient,
        "short_name": name,
        "symptoms": ", ".join(labels),
        "sms_symptoms": first or gettext("red flag"),
        "alert_url": alert_url(alert),
        "record_url": record_url(patient),
        "escalate_minutes": settings.ALERT_ESCALATE_MINUTES,
    }
    if message.channel == "sms":
        context["sms_name"] = _sms_name(message.template, context, patient)
    return context


def _sms_name(template: str, context: dict, patient) -> str:
    """The name as a text shows it: the longest first name (12 letters, down to 4) with which the text
    still fits one SMS, whatever the language's wording and the symptom's length.

    A right-to-left name (Arabic, Hebrew) is isolated so it cannot reorder the phone number after it;
    a left-to-right one stays plain, as isolates are not GSM-7. A text that cannot fit one SMS anyway
    (a name in a non-Latin script makes it Unicode) keeps the 12 letters."""

    def sms_name(letters: int) -> str:
        return isolate_if_right_to_left(gsm7_fold(short_name(patient, letters)))

    for letters in range(12, 3, -1):
        if fits_one_sms(render_sms(template, {**context, "sms_name": sms_name(letters)})):
            return sms_name(letters)
    return sms_name(12)


register_context(ALERT_TEMPLATE, _context, label="Red-flag alert")
register_context(ESCALATION_TEMPLATE, _context, label="Red-flag escalation")
