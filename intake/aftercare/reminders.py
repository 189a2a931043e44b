"""Check-in reminders: which visits are due one, and queueing each at most once per window.

A reminder never issues or revokes a link: its email and text carry a short-lived signed reference
to the visit's current link (intake/links/message_links.py), made when the message is sent.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from intake.aftercare import advice as aftercare
from intake.links.message_links import REMINDER, current_link, message_url
from intake.models import AccessLink, CheckIn, CheckInReminder, Visit
from messaging.render import Unsendable, register_context
from messaging.services import queue_to_patient
from portal import audit

logger = logging.getLogger(__name__)
TEMPLATE = "checkin-reminder"


def visits_due_reminder(*, window: str, now: datetime | None = None) -> QuerySet[Visit]:
    """Visits whose check-in window is open and on time, with an email or phone, a usable link, no
    check-in and no reminder yet."""
    now = now or timezone.now()
    rules = aftercare.WINDOWS[window]
    return (
        Visit.objects.filter(
            record__treated_at__lte=now - rules.opens_after,
            record__treated_at__gt=now - rules.on_time_until,
        )
        .exclude(Q(patient__email="") & Q(patient__phone=""))
        .filter(Exists(AccessLink.objects.usable(now).filter(visit=OuterRef("pk"))))
        .exclude(Exists(CheckIn.objects.filter(visit=OuterRef("pk"), window=window)))
        .exclude(Exists(CheckInReminder.objects.filter(visit=OuterRef("pk"), window=window)))
        .select_related("patient", "record")
        .order_by("record__treated_at")
    )


@transaction.atomic
def send_reminder(*, visit: Visit, window: str) -> bool:
    """Queue one reminder (email and text) if none went out for this visit and window."""
    reminder, created = CheckInReminder.objects.get_or_create(visit=visit, window=window)
    if not created:
        return False
    queued = queue_to_patient(
        patient=visit.patient,
        visit=visit,
        template=TEMPLATE,
        context={"visit": str(visit.pk), "window": window},
        key=f"checkin-reminder:{visit.pk}:{window}",
    )
    audit.record(
        "checkin.reminder_sent",
        obj=reminder,
        patient=visit.patient,
        details={"window": window, "channels": sorted(m.channel for m in queued)},
    )
    return bool(queued)


def send_due_reminders(*, now: datetime | None = None) -> int:
    """Queue every reminder that is due, each in its own transaction. Returns how many were queued."""
    now = now or timezone.now()
    sent = 0
    for window in aftercare.WINDOWS:
        for visit in visits_due_reminder(window=window, now=now):
            try:
                if send_reminder(visit=visit, window=window):
                    sent += 1
            except IntegrityError:
                logger.info("check-in reminder already queued by another run (window %s)", window)
    return sent


def _context(message) -> dict:
    visit = Visit.objects.select_related("patient").get(pk=message.context["visit"])
    link = current_link(visit)
    if link is None:
        raise Unsendable("no_usable_link")
    return {"patient": visit.patient, "visit": visit, "url": message_url(link, purpose=REMINDER)}


register_context(TEMPLATE, _context, label="Check-in reminder")
