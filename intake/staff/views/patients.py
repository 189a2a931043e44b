"""The patient record (every visit, answers, consents, check-ins, history) and the demographics edit."""

from __future__ import annotations

from copy import copy  # a bound ModelForm writes into its instance; keep the loaded row intact

from django.contrib import messages
from django.db import models
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from intake.courses.timeline import course_timelines
from intake.models import Patient, PatientChange
from intake.outcomes.series import picture_context
from intake.patients import services
from intake.regions import region_label
from intake.staff.display import answer_sections
from intake.staff.forms import DischargeForm, LegalHoldForm, PatientForm
from intake.staff.gates import get_patient_for_staff
from intake.staff.views.common import (
    can_export,
    consent_urls,
    label_checkins,
)
from messaging.models import Message
from messaging.services import contact_notes
from portal import audit
from portal.access import AuthenticatedHttpRequest, staff_required
from portal.models import AuditEvent


def _visits_for_record(patient):
    return list(
        patient.visits.select_related("clinician", "screening", "screening__reviewed_by", "understanding", "record")
        .prefetch_related("access_links", "checkins__acknowledged_by", "consents__consent_version")
        .order_by("-scheduled_at")
    )


def _field_label(name: str) -> str:
    field = Patient._meta.get_field(name)
    return str(field.verbose_name) if isinstance(field, models.Field) else name


@staff_required
@never_cache
def patient_record(request: AuthenticatedHttpRequest, patient_id) -> HttpResponse:
    patient = get_patient_for_staff(request, patient_id)
    visits = _visits_for_record(patient)
    sees_clinical = request.user.sees_clinical_detail
    for visit in visits:
        screening = getattr(visit, "screening", None)
        visit.answer_sections = answer_sections(screening, patient) if sees_clinical else []
        visit.record_regions = [region_label(key) for key in visit.record.regions] if hasattr(visit, "record") else []
        visit.consent_list = [(record, consent_urls(record)) for record in visit.consents.all()]
        visit.checkin_list = label_checkins(list(visit.checkins.all()))
    courses = list(patient.courses.select_related("lead_clinician", "discharged_by"))
    # The timeline names regions, answers and symptoms: clinical detail, not for reception (minimum necessary).
    timelines = course_timelines(courses, visits) if sees_clinical else []
    changes = list(PatientChange.objects.filter(patient=patient).select_related("changed_by")[:20])
    trail = list(AuditEvent.objects.filter(patient=patient).select_related("actor")[:50])
    audit.record(
        "patient.viewed",
        request=request,
        obj=patient,
        patient=patient,
        details={"visits": len(visits), "screenings": sum(1 for v in visits if hasattr(v, "screening"))},
    )
    return render(
        request,
        "intake/staff/patient_record.html",
        {
            "patient": patient,
            "visits": visits,
            "timelines": timelines,
            "discharge_form": DischargeForm(),
            "changes": changes,
            **picture_context(patient),
            "trail": trail,
            "patient_messages": list(Message.objects.for_patient(patient)[:50]),
            "contact_notes": contact_notes(patient),
            "can_export": can_export(request.user),
            "is_clinician": request.user.is_clinician or request.user.is_clinic_admin,
            "is_clinic_admin": request.user.is_clinic_admin,
            "legal_hold_form": LegalHoldForm() if request.user.is_clinic_admin else None,
            "sees_clinical": sees_clinical,
        },
    )


@staff_required
@never_cache
def patient_edit(request: AuthenticatedHttpRequest, patient_id) -> HttpResponse:
    patient = get_patient_for_staff(request, patient_id)
    conflict = None
    conflict_values = []
    if request.method == "POST":
        form = PatientForm(request.POST, instance=copy(patient))
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in services.PATIENT_EDITABLE_FIELDS}
            try:
                changed = services.update_patient(
                    patient=patient,
                    data=data,
                    expected_revision=form.cleaned_data["revision"],
                    by=request.user,
                    request=request,
                )
            except services.PatientEditConflict as exc:
                conflict = exc
                # The other person's fields come from the change history; a change made elsewhere (the
                # patient updating their contact details) leaves none, so show every field that differs.
                fields = exc.fields or [name for name in data if getattr(exc.current, name) != data[name]]
                conflict_values = [(_field_label(name), getattr(exc.current, name)) for name in fields]
                # Keep what this editor typed, but move them onto the current revision: saving again
                # is then a deliberate choice made after seeing the other person's values.
                posted = request.POST.copy()
                posted["revision"] = str(exc.current.revision)
                form = PatientForm(posted, instance=copy(exc.current))
                form.is_valid()
                audit.record("patient.edit_conflict", request=request, obj=patient, patient=patient)
            else:
                if changed:
                    messages.success(request, f"Saved: {', '.join(f.replace('_', ' ') for f in changed)}.")
                else:
                    messages.info(request, "Nothing was changed.")
                return redirect("staff:patient", patient_id=patient.pk)
    else:
        form = PatientForm(instance=patient)
        audit.record("patient.edit_opened", request=request, obj=patient, patient=patient)
    return render(
        request,
        "intake/staff/patient_edit.html",
        {"patient": patient, "form": form, "conflict": conflict, "conflict_values": conflict_values},
    )
