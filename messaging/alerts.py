"""What an alert message says: the context made at send time from the Alert row (registered below)."""

from __future__ import annotations

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from messaging.models import Alert
from messaging.render import register_context
from messaging.services import ALERT_TEMPLATE, ESCALATION_TEMPLATE


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
    alert = Alert.objects.select_related("visit__patient", "visit__clinician").get(pk=message.context["alert"])
    patient = alert.visit.patient
    return {
        "alert": alert,
        "patient": patient,
        "short_name": short_name(patient),
        "symptoms": ", ".join(alert.symptoms),
        # A text names the first sign and counts the rest, to stay within one SMS.
        "sms_symptoms": (alert.symptoms[0] + (f" +{len(alert.symptoms) - 1}" if len(alert.symptoms) > 1 else ""))
        if alert.symptoms
        else "red flag",
        "alert_url": alert_url(alert),
        "record_url": record_url(patient),
        "escalate_minutes": settings.ALERT_ESCALATE_MINUTES,
    }


register_context(ALERT_TEMPLATE, _context, label="Red-flag alert")
register_context(ESCALATION_TEMPLATE, _context, label="Red-flag escalation")
