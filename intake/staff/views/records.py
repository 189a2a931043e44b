"""The patient's whole record as a record: legal hold (clinic admin), the access report and the access pack."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from intake.records import services
from intake.staff.forms import LegalHoldForm
from intake.staff.gates import get_patient_for_staff
from portal.access import role_required
from portal.roles import Role


@role_required(Role.CLINIC_ADMIN)
@require_POST
def legal_hold(request: HttpRequest, patient_id) -> HttpResponse:
    patient = get_patient_for_staff(request, patient_id)
    try:
        if request.POST.get("action") == "release":
            services.release_legal_hold(patient=patient, by=request.user, request=request)
            messages.success(request, "Legal hold released: the record follows the retention schedule again.")
        else:
            form = LegalHoldForm(request.POST)
            if not form.is_valid():
                messages.error(request, "Legal hold not set: " + " ".join(form.errors.get("reason", [])))
                return redirect("staff:patient", patient_id=patient.pk)
            services.set_legal_hold(
                patient=patient, reason=form.cleaned_data["reason"], by=request.user, request=request
            )
            messages.success(request, "Legal hold set: this record will not be destroyed until the hold is released.")
    except services.LegalHoldError as exc:
        messages.info(request, str(exc))
    return redirect("staff:patient", patient_id=patient.pk)
