"""What an alert message says: the context made at send time from the Alert row (registered below)."""

from __future__ import annotations

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext

from messaging.models import Alert
from messaging.render import register_context, symptom_labels
from messaging.services import ALERT_TEMPLATE, ESCALATION_TEMPLATE
from messaging.sms import gsm7_fold
from portal.text import isolate_if_right_to_left


def record_url(patient) -> str:
    try:
        return settings.SITE_URL + reverse("staff:patient", args=[patient.pk])
    except NoReverseMatch:
        return ""


def alert_url(alert: Alert) -> str:
    return settings.SITE_URL + reverse("messaging:alert", args=[alert.pk])


def short_name(patient) -> str:
    """ "Ana G." in a text: enough for staff to find the record, short enough for one SMS."""
    first = (patient.preferred_name or patient.first_name or "")[:12]
    return f"{first} {patient.last_name[:1]}.".strip() if patient.last_name else first


def _context(message) -> dict:
    """Made in the message's language (the recipient's): the symptoms are named in it too."""
    alert = Alert.objects.select_related("visit__patient", "visit__clinician").get(pk=message.context["alert"])
    patient = alert.visit.patient
    labels = symptom_labels(alert.symptoms, message.language)
    name = short_name(patient)
    # A text names the first sign and counts the rest, to stay within one SMS; GSM-7 letters only
    # (a Spanish "Síntomas" would make it a 70-character Unicode text).
    first = gsm7_fold(labels[0]) + (f" +{len(labels) - 1}" if len(labels) > 1 else "") if labels else ""
    return {
        "alert": alert,
        "patient": patient,
        "short_name": name,
        # A right-to-left name (Arabic, Hebrew) is isolated so it cannot reorder the phone number
        # after it; a left-to-right one stays plain so the text stays GSM-7.
        "sms_name": isolate_if_right_to_left(gsm7_fold(name)),
        "symptoms": ", ".join(labels),
        "sms_symptoms": first or gettext("red flag"),
        "alert_url": alert_url(alert),
        "record_url": record_url(patient),
        "escalate_minutes": settings.ALERT_ESCALATE_MINUTES,
    }


register_context(ALERT_TEMPLATE, _context, label="Red-flag alert")
register_context(ESCALATION_TEMPLATE, _context, label="Red-flag escalation")
