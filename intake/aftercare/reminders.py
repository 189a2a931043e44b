"""Check-in reminder emails: which visits are due one, and sending each at most once per window."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from intake.aftercare import advice as aftercare
from intake.links.services import issue_link
from intake.links.tokens import patient_url
from intake.models import CheckIn, CheckInReminder, Visit
from portal import audit
from portal.emails import make_message

logger = logging.getLogger(__name__)


def visits_due_reminder(*, window: str, now: datetime | None = None) -> QuerySet[Visit]:
    """Visits whose check-in window is open and on time, with an email, no check-in and no reminder yet."""
    now = now or timezone.now()
    rules = aftercare.WINDOWS[window]
    return (
        Visit.objects.filter(
            record__treated_at__lte=now - rules.opens_after,
            record__treated_at__gt=now - rules.on_time_until,
        )
        .exclude(patient__email="")
        .exclude(Exists(CheckIn.objects.filter(visit=OuterRef("pk"), window=window)))
        .exclude(Exists(CheckInReminder.objects.filter(visit=OuterRef("pk"), window=window)))
        .select_related("patient", "record")
        .order_by("record__treated_at")
    )


@dataclass(frozen=True)
class ReminderEmail:
    to: str
    language: str
    window: str
    url: str
    opens_at: datetime


def _send(email: ReminderEmail) -> None:
    context = {
        "clinic": {
            "name": settings.CLINIC_NAME,
            "phone": settings.CLINIC_PHONE,
            "emergency_number": settings.CLINIC_EMERGENCY_NUMBER,
        },
        "url": email.url,
        "window": email.window,
    }
    make_message("checkin-reminder", email.to, context, language=email.language).send()


@transaction.atomic
def send_reminder(*, visit: Visit, window: str) -> bool:
    """Send one reminder if none went out for this visit and window. Returns whether one was sent.

    Only token hashes are stored, so the email carries a fresh link (issue_link revokes the old one):
    the newest email always works, and the link still asks for the date of birth.
    """
    reminder, created = CheckInReminder.objects.get_or_create(visit=visit, window=window)
    if not created:
        return False
    _link, token = issue_link(visit=visit)
    audit.record(
        "checkin.reminder_sent", obj=reminder, patient=visit.patient, details={"window": window, "channel": "email"}
    )
    email = ReminderEmail(
        to=visit.patient.email,
        language=visit.language,
        window=window,
        url=patient_url(token),
        opens_at=aftercare.WINDOWS[window].opens_at(visit.record.treated_at),
    )
    # robust: a mail server hiccup is logged and does not undo the reminder row (no double sends).
    transaction.on_commit(lambda: _send(email), robust=True)
    return True


def send_due_reminders(*, now: datetime | None = None) -> int:
    """Send every reminder that is due, each in its own transaction. Returns how many were sent."""
    now = now or timezone.now()
    sent = 0
    for window in aftercare.WINDOWS:
        for visit in visits_due_reminder(window=window, now=now):
            try:
                if send_reminder(visit=visit, window=window):
                    sent += 1
            except IntegrityError:
                logger.info("check-in reminder already sent by another run (window %s)", window)
    return sent
