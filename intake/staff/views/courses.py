"""Discharging a course of care (a clinician's action with a reason)."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from intake.courses.services import AlreadyDischarged, discharge_course
from intake.staff.forms import DischargeForm
from intake.staff.gates import get_course_for_staff
from portal import audit
from portal.access import role_required
from portal.models import User
from portal.roles import Role


@role_required(Role.CLINICIAN)
@require_POST
def course_discharge(request: HttpRequest, course_id) -> HttpResponse:
    course = get_course_for_staff(request, course_id)
    form = DischargeForm(request.POST)
    if not form.is_valid():
        audit.record(
            "course.discharge_invalid",
            request=request,
            obj=course,
            patient=course.patient,
            details={"fields": ["reason"]},
        )
        messages.error(request, "Not discharged: " + " ".join(str(error) for error in form.errors["reason"]))
    else:
        try:
            by = cast(User, request.user)  # the role gate let only a signed-in clinician in
            discharge_course(course=course, reason=form.cleaned_data["reason"], by=by, request=request)
        except AlreadyDischarged:
            messages.info(request, "This course was already discharged.")
        else:
            messages.success(request, "The course is discharged. Its follow-up links no longer open.")
    return redirect("staff:patient", patient_id=course.patient_id)
