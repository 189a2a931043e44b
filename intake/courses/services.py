"""Writes on courses of care: discharge."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from intake.links.services import revoke_link
from intake.models import AccessLink, Course
from portal import audit
from portal.models import User


class AlreadyDischarged(Exception):
    pass


@transaction.atomic
def discharge_course(*, course: Course, reason: str, by: User, request: HttpRequest | None = None) -> Course:
    """End the course: no new visits join it, and the links of its sessions not yet held stop working.

    Links of sessions already held keep working, so the patient still reads aftercare and checks in.
    """
    reason = reason.strip()
    if not reason:
        raise ValueError("a discharge needs a reason")
    course = Course.objects.select_for_update().get(pk=course.pk)
    if not course.is_active:
        raise AlreadyDischarged()
    course.status = Course.Status.DISCHARGED
    course.discharged_at = timezone.now()
    course.discharged_by = by
    course.discharge_reason = reason[:500]
    course.save(update_fields=["status", "discharged_at", "discharged_by", "discharge_reason"])
    revoked = 0
    for link in AccessLink.objects.filter(
        visit__course=course, visit__visited_at__isnull=True, revoked_at__isnull=True
    ).select_related("visit"):
        revoke_link(link=link, by=by, request=request)
        revoked += 1
    audit.record(
        "course.discharged",
        request=request,
        actor=by,
        obj=course,
        patient=course.patient,
        details={"links_revoked": revoked, "reason": True},
    )
    return course
