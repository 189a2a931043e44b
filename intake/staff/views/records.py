"""The patient's whole record as a record: legal hold (clinic admin), the access report and the access pack."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from intake.records import services
from intake.records.access_report import access_rows, events_about
from intake.records.pack import build_access_pack
from intake.staff.forms import LegalHoldForm
from intake.staff.gates import get_patient_for_staff
from intake.staff.views.common import paginate
from portal import audit
from portal.access import AuthenticatedHttpRequest, role_required
from portal.bounds import page_number
from portal.roles import Role

ACCESS_REPORT_PAGE_SIZE = 100


@role_required(Role.CLINIC_ADMIN)
@require_POST
def legal_hold(request: AuthenticatedHttpRequest, patient_id) -> HttpResponse:
    patient = get_patient_for_staff(request, patient_id)
    try:
        if request.POST.get("action") == "release":
            services.release_legal_hold(patient=patient, by=request.user, request=request)
            messages.success(request, "Legal hold released: the record follows the retention schedule again.")
        else:
            form = LegalHoldForm(request.POST)
            if not form.is_valid():
                messages.error(
                    request, "Legal hold not set: " + " ".join(str(e) for e in form.errors.get("reason", []))
                )
                return redirect("staff:patient", patient_id=patient.pk)
            services.set_legal_hold(
                patient=patient, reason=form.cleaned_data["reason"], by=request.user, request=request
            )
            messages.success(request, "Legal hold set: this record will not be destroyed until the hold is released.")
    except services.LegalHoldError as exc:
        messages.info(request, str(exc))
    return redirect("staff:patient", patient_id=patient.pk)


@role_required(Role.CLINIC_ADMIN)
@require_GET
@never_cache
def access_report(request: AuthenticatedHttpRequest, patient_id) -> HttpResponse:
    patient = get_patient_for_staff(request, patient_id)
    page = page_number(request)
    events, has_next = paginate(events_about(patient), page, ACCESS_REPORT_PAGE_SIZE)
    # Written after the read, so this viewing shows on the next one, not on itself.
    audit.record("patient.access_report_viewed", request=request, obj=patient, patient=patient, details={"page": page})
    return render(
        request,
        "intake/staff/access_report.html",
        {
            "patient": patient,
            "rows": access_rows(events),
            "page": page,
            "has_next": has_next,
            "has_previous": page > 1,
            "querystring": "",
        },
    )


@role_required(Role.CLINIC_ADMIN)
@require_GET
def access_pack(request: AuthenticatedHttpRequest, patient_id) -> HttpResponse:
    patient = get_patient_for_staff(request, patient_id)
    pack = build_access_pack(patient=patient)
    audit.record("patient.access_pack_downloaded", request=request, obj=patient, patient=patient, details=pack.counts)
    response = HttpResponse(pack.data, content_type="application/zip")
    # No name in the file name: it ends up in download folders and browser history.
    response["Content-Disposition"] = f'attachment; filename="access-pack-{timezone.localdate():%Y%m%d}.zip"'
    response["Cache-Control"] = "no-store"
    return response
