"""Exports for the clinic admin: the board as CSV and one patient's FHIR bundle."""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils import timezone

from intake.exports.csv import board_rows
from intake.exports.fhir import patient_bundle
from intake.staff.gates import get_patient_for_staff
from intake.staff.views.common import (
    board_queryset,
    require_export,
)
from portal import audit
from portal.access import AuthenticatedHttpRequest, staff_required


@staff_required
def board_csv(request: AuthenticatedHttpRequest) -> StreamingHttpResponse:
    require_export(request)
    _form, visits = board_queryset(request)
    audit.record("board.exported_csv", request=request, details={"filters": sorted(k for k in request.GET if k)})
    response = StreamingHttpResponse(board_rows(visits), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="visits-{timezone.localdate():%Y%m%d}.csv"'
    response["Cache-Control"] = "no-store"
    return response


@staff_required
def patient_fhir(request: AuthenticatedHttpRequest, patient_id) -> HttpResponse:
    require_export(request)
    patient = get_patient_for_staff(request, patient_id)
    bundle = patient_bundle(patient)
    audit.record(
        "patient.exported_fhir",
        request=request,
        obj=patient,
        patient=patient,
        details={"entries": len(bundle["entry"])},
    )
    response = JsonResponse(bundle, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Type"] = "application/fhir+json; charset=utf-8"
    response["Content-Disposition"] = f'attachment; filename="patient-{patient.pk}.fhir.json"'
    response["Cache-Control"] = "no-store"
    return response
