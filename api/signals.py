"""Where webhook events come from: saves of the journey's records, heard here so intake and consent
never import the API. Each receiver is one rule; `emit_event` does nothing without subscribed endpoints.

Courses of care call `api.webhooks.emit_event("course.discharged", course)` themselves.
"""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from api.models import Event
from api.webhooks import emit_event
from consent.models import ConsentRecord
from intake.models import PROGRESS_STAMPS, CheckIn, FlagLevel, Visit

_STAMPS = {stamp for _, stamp in PROGRESS_STAMPS}


@receiver(post_save, sender=Visit, dispatch_uid="api.visit_progress")
def visit_saved(sender, instance: Visit, created: bool, update_fields=None, **kwargs) -> None:
    stamped = set(update_fields or ()) & _STAMPS
    if not stamped:
        return
    emit_event(Event.VISIT_PROGRESS, instance)
    if "screening_done_at" in stamped and instance.flag_level > FlagLevel.NONE:
        screening = getattr(instance, "screening", None)
        emit_event(Event.SCREENING_FLAGGED, screening if screening is not None else instance)


@receiver(post_save, sender=ConsentRecord, dispatch_uid="api.consent_saved")
def consent_saved(sender, instance: ConsentRecord, created: bool, update_fields=None, **kwargs) -> None:
    if created:
        emit_event(Event.CONSENT_SIGNED, instance)
    elif update_fields and "withdrawn_at" in update_fields and instance.withdrawn_at:
        # A withdrawal changes what the visit's consent state reads: polling clients must see it.
        Visit.objects.filter(pk=instance.visit_id).update(updated_at=timezone.now())
        emit_event(Event.CONSENT_WITHDRAWN, instance)


@receiver(post_save, sender=CheckIn, dispatch_uid="api.checkin_saved")
def checkin_saved(sender, instance: CheckIn, created: bool, **kwargs) -> None:
    if created and instance.urgent:
        emit_event(Event.CHECKIN_URGENT, instance)
