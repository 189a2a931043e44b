"""The clinician's record that the needling session took place (which opens the patient's aftercare)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.http import HttpRequest

from intake.models import Visit, VisitRecord
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
    by: User,
    request: HttpRequest | None = None,
):
    """Record that the session took place; this opens aftercare for the patient."""
    unknown = [key for key in regions if key not in REGION_KEYS]
    if unknown or not regions:
        raise ValueError("regions must be keys of intake.regions.BODY_REGIONS")
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    if VisitRecord.objects.filter(visit=visit).exists():
        raise VisitAlreadyRecorded
    record = VisitRecord.objects.create(
        visit=visit,
        treated_at=treated_at,
        regions=list(dict.fromkeys(regions)),
        chest_risk_area=touches_chest_risk_area(regions),
        notes=notes.strip(),
        recorded_by=by,
    )
    visit.mark("visited_at", treated_at)
    audit.record(
        "visit.recorded",
        request=request,
        actor=by,
        obj=record,
        patient=visit.patient,
        details={"regions": len(record.regions), "chest_risk_area": record.chest_risk_area},
    )
    return record
