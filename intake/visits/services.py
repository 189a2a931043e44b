"""The clinician's record that the needling session took place (which opens the patient's aftercare).

No session is recorded without consent: either a consent signed in the portal before the session time
and not withdrawn, or the clinic's explicit, audited choice "consent on paper, scanned copy attached".
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.files import File
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from intake.models import AdverseEvent, Visit, VisitRecord
from intake.regions import REGION_KEYS, touches_chest_risk_area
from portal import audit
from portal.models import User

# A session may be recorded a little after it happened on a clock a few minutes fast, never for the future.
FUTURE_TOLERANCE = timedelta(minutes=10)
# ...and not long before the visit existed (a walk-in invited just after its session).
BEFORE_CREATION_TOLERANCE = timedelta(days=1)
# Session times are entered to the minute: a consent signed during the session's minute counts as before it.
SESSION_TIME_PRECISION = timedelta(minutes=1)


class VisitAlreadyRecorded(Exception):
    pass


class NoConsentBeforeSession(Exception):
    """Neither a consent signed before the session time nor a paper consent is on the visit."""


class SessionTimeOutOfRange(ValueError):
    pass


def session_time_bounds(visit: Visit) -> tuple[datetime, datetime]:
    """The earliest and latest session time this visit can have (the form checks the same)."""
    return visit.created_at - BEFORE_CREATION_TOLERANCE, timezone.now() + FUTURE_TOLERANCE


@transaction.atomic
def attach_paper_consent(*, visit: Visit, scan: File, by: User, request: HttpRequest | None = None) -> Visit:
    """Record that this visit's consent was taken on paper, keeping the scanned form privately."""
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    replaced = bool(visit.paper_consent_scan)
    visit.paper_consent_scan.save(f"{visit.pk}.pdf", scan, save=False)
    visit.paper_consent_at = timezone.now()
    visit.paper_consent_by = by
    visit.save(update_fields=["paper_consent_scan", "paper_consent_at", "paper_consent_by"])
    audit.record(
        "visit.paper_consent_attached",
        request=request,
        actor=by,
        obj=visit,
        patient=visit.patient,
        details={"bytes": visit.paper_consent_scan.size, "replaced": replaced},
    )
    return visit


@transaction.atomic
def record_visit(
    *,
    visit: Visit,
    treated_at: datetime,
    regions: list[str],
    notes: str = "",
    paper_consent_scan: File | None = None,
    treated_by: User | None = None,
    adverse_events: list[str] | None = None,
    by: User,
    request: HttpRequest | None = None,
):
    """Record that the session took place; this opens aftercare for the patient.

    Raises NoConsentBeforeSession unless the visit has a consent signed before `treated_at` (not
    withdrawn) or a paper consent (given now as `paper_consent_scan`, or attached earlier).

    The treating clinician (by default whoever records) becomes the visit's clinician, so the board and
    any consent document rendered from now on name who treated rather than "to be confirmed".
    """
    unknown = [key for key in regions if key not in REGION_KEYS]
    if unknown or not regions:
        raise ValueError("regions must be keys of intake.regions.BODY_REGIONS")
    adverse_events = list(dict.fromkeys(adverse_events or []))
    if any(code not in AdverseEvent.values for code in adverse_events):
        raise ValueError("adverse_events must be AdverseEvent values")
    treated_by = treated_by or by
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    earliest, latest = session_time_bounds(visit)
    if not earliest <= treated_at <= latest:
        raise SessionTimeOutOfRange("the session time is before the visit existed or in the future")
    if VisitRecord.objects.filter(visit=visit).exists():
        raise VisitAlreadyRecorded
    if paper_consent_scan is not None:
        visit = attach_paper_consent(visit=visit, scan=paper_consent_scan, by=by, request=request)
    if not (visit.consent_on_paper or visit.signed_consent_before(treated_at + SESSION_TIME_PRECISION)):
        raise NoConsentBeforeSession
    record = VisitRecord.objects.create(
        visit=visit,
        treated_at=treated_at,
        regions=list(dict.fromkeys(regions)),
        chest_risk_area=touches_chest_risk_area(regions),
        notes=notes.strip(),
        treated_by=treated_by,
        adverse_events=adverse_events,
        recorded_by=by,
    )
    if visit.clinician_id != treated_by.pk:
        visit.clinician = treated_by
        visit.save(update_fields=["clinician"])
    visit.mark("visited_at", treated_at)
    audit.record(
        "visit.recorded",
        request=request,
        actor=by,
        obj=record,
        patient=visit.patient,
        details={
            "regions": len(record.regions),
            "chest_risk_area": record.chest_risk_area,
            "consent": "paper" if visit.consent_on_paper else "signed",
            "adverse_events": record.adverse_events,
            "treated_by_recorder": treated_by.pk == by.pk,
        },
    )
    return record
