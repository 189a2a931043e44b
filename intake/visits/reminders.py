"""Reminders before the visit: a patient who has not finished the steps gets one email and text at
each of PRE_VISIT_REMINDER_HOURS before the appointment, and reception can remind everyone not ready
for tomorrow. Like every reminder, it carries a signed reference to the current link (nothing issued
or revoked)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from intake.links.message_links import REMINDER, current_link, message_url
from intake.models import AccessLink, Visit
from messaging.models import Message
from messaging.render import Unsendable, register_context
from messaging.services import queue_to_patient
from portal import audit

TEMPLATE = "pre-visit-reminder"


def not_ready(now: datetime) -> QuerySet[Visit]:
    """Visits ahead whose patient has not signed yet, who can be reached, with a usable link."""
    return (
        Visit.objects.filter(scheduled_at__gt=now, signed_at__isnull=True)
        .exclude(Q(patient__email="") & Q(patient__phone=""))
        .filter(Exists(AccessLink.objects.usable(now).filter(visit=OuterRef("pk"))))
        .select_related("patient")
    )


def visits_due(*, hours: int, now: datetime) -> QuerySet[Visit]:
    """Not-ready visits within `hours`, booked before that reminder's moment, not yet reminded then."""
    ahead = timedelta(hours=hours)
    return (
        not_ready(now)
        .filter(scheduled_at__lte=now + ahead, created_at__lte=F("scheduled_at") - ahead)
        .exclude(Exists(Message.objects.filter(visit=OuterRef("pk"), template=TEMPLATE, context__hours=hours)))
        .order_by("scheduled_at")
    )


def tomorrow_not_ready(now: datetime | None = None) -> QuerySet[Visit]:
    """Reception's "remind all not ready for tomorrow": tomorrow in the clinic's time zone."""
    now = now or timezone.now()
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    return not_ready(now).filter(scheduled_at__gte=start, scheduled_at__lt=start + timedelta(days=1))


@transaction.atomic
def remind(*, visit: Visit, hours: int | None, key: str, request=None) -> bool:
    queued = queue_to_patient(
        patient=visit.patient,
        visit=visit,
        template=TEMPLATE,
        context={"visit": str(visit.pk), "hours": hours},
        key=key,
    )
    if queued:
        audit.record(
            "visit.reminder_queued",
            request=request,
            obj=visit,
            patient=visit.patient,
            details={"hours": hours, "channels": sorted(m.channel for m in queued)},
        )
    return bool(queued)


def send_due(*, now: datetime | None = None) -> int:
    """Queue every pre-visit reminder that is due (idempotent). Returns how many visits were reminded."""
    now = now or timezone.now()
    sent = 0
    for hours in settings.PRE_VISIT_REMINDER_HOURS:
        for visit in visits_due(hours=hours, now=now):
            sent += remind(visit=visit, hours=hours, key=f"pre-visit:{visit.pk}:{hours}h")
    return sent


def remind_tomorrow(*, request=None, now: datetime | None = None) -> int:
    """Remind every patient not ready for tomorrow, at most once a day each (the key holds the date)."""
    now = now or timezone.now()
    day = timezone.localdate(now).isoformat()
    sent = 0
    for visit in tomorrow_not_ready(now):
        sent += remind(visit=visit, hours=None, key=f"pre-visit:{visit.pk}:manual:{day}", request=request)
    return sent


def _context(message) -> dict:
    visit = Visit.objects.select_related("patient").get(pk=message.context["visit"])
    if visit.signed_at is not None:
        raise Unsendable("already_signed")
    link = current_link(visit)
    if link is None:
        raise Unsendable("no_usable_link")
    return {"patient": visit.patient, "visit": visit, "url": message_url(link, purpose=REMINDER)}


register_context(TEMPLATE, _context, label="Reminder before the visit")
