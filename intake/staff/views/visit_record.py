"""The clinician records the needling session (time and regions), which opens the patient's aftercare."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from intake.regions import region_label
from intake.staff.display import before_needling
from intake.staff.forms import (
    VisitRecordForm,
)
from intake.staff.gates import get_visit_for_staff
from intake.visits import services as visit_services
from portal import audit
from portal.access import AuthenticatedHttpRequest, role_required
from portal.roles import Role


@role_required(Role.CLINICIAN)
@never_cache
def visit_record(request: AuthenticatedHttpRequest, visit_id) -> HttpResponse:
    visit = get_visit_for_staff(request, visit_id)
    existing = getattr(visit, "record", None) if hasattr(visit, "record") else None
    screening = getattr(visit, "screening", None)
    # "Same regions as last time": the regions of the course's last treated session come pre-ticked;
    # at a first session the patient's pain regions are the usual start (the clinician unticks the rest).
    previous = visit.previous_record() if existing is None else None
    if previous is not None:
        regions = list(previous.regions)
    else:
        regions = list((screening.answers.get("pain_regions") or []) if screening else [])
    form = VisitRecordForm(
        request.POST or None,
        initial={
            "treated_at": timezone.localtime().replace(second=0),
            # Whoever records is usually who treated; the booked clinician otherwise.
            "treated_by": request.user
            if request.user.groups.filter(name=Role.CLINICIAN.value).exists()
            else visit.clinician,
            "regions": regions,
        },
    )
    if request.method == "POST" and existing is None and form.is_valid():
        try:
            visit_services.record_visit(
                visit=visit,
                treated_at=form.cleaned_data["treated_at"],
                regions=form.cleaned_data["regions"],
                notes=form.cleaned_data["notes"],
                treated_by=form.cleaned_data["treated_by"],
                adverse_events=form.cleaned_data["adverse_events"],
                by=request.user,
                request=request,
            )
        except visit_services.VisitAlreadyRecorded:
            messages.info(request, "This visit was already recorded.")
        else:
            messages.success(request, "The visit was recorded. The patient's aftercare is now open.")
        return redirect("staff:patient", patient_id=visit.patient_id)
    audit.record("visit_record.opened", request=request, obj=visit, patient=visit.patient)
    return render(
        request,
        "intake/staff/visit_record.html",
        {
            "visit": visit,
            "patient": visit.patient,
            "form": form,
            "existing": existing,
            "existing_regions": [region_label(k) for k in existing.regions] if existing else [],
            "before_needling": before_needling(screening, visit.patient),
            "previous": previous,
            "previous_regions": [region_label(k) for k in previous.regions] if previous else [],
        },
    )
