"""The clinician's record that the needling session took place (which opens the patient's aftercare)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.http import HttpRequest

from intake.models import AdverseEvent, Visit, VisitRecord
from intake.regions import REGION_KEYS, touches_chest_risk_area
from portal import audit
from portal.models import User


class VisitAlreadyRecorded(Exception):
    pass


@transaction.atomic
def record_visit(
    *,
    visit: Visit,
    treated_at: datetime,
    regions: list[str],
    notes: str = "",
    treated_by: User | None = None,
    adverse_events: list[str] | None = None,
    by: User,
    request: HttpRequest | None = None,
):
    """Record that the session took place; this opens aftercare for the patient.

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
    if VisitRecord.objects.filter(visit=visit).exists():
        raise VisitAlreadyRecorded
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
            "adverse_events": record.adverse_events,
            "treated_by_recorder": treated_by.pk == by.pk,
        },
    )
    return record
