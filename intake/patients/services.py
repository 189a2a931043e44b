"""Writes on patients: the invitation (patient, visit and link at once) and demographics edits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from intake.links.services import issue_link
from intake.links.tokens import patient_url
from intake.models import AccessLink, Language, Patient, PatientChange, Visit
from portal import audit
from portal.models import User


@dataclass(frozen=True)
class Invitation:
    patient: Patient
    visit: Visit
    link: AccessLink
    token: str
    patient_created: bool

    @property
    def url(self) -> str:
        return patient_url(self.token)


def find_matching_patients(*, first_name: str, last_name: str, date_of_birth: date):
    """Patients with exactly this name (ignoring case) and date of birth: likely the same person."""
    return Patient.objects.filter(
        first_name__iexact=first_name.strip(),
        last_name__iexact=last_name.strip(),
        date_of_birth=date_of_birth,
    )


@transaction.atomic
def invite_patient(
    *,
    first_name: str,
    last_name: str,
    date_of_birth: date,
    scheduled_at: datetime,
    email: str = "",
    phone: str = "",
    clinician: User | None = None,
    language: str = Language.ENGLISH,
    created_by: User | None = None,
    request: HttpRequest | None = None,
) -> Invitation:
    """Create the patient (or reuse an exact match), a visit and its access link."""
    patient = find_matching_patients(first_name=first_name, last_name=last_name, date_of_birth=date_of_birth).first()
    created = patient is None
    if created:
        patient = Patient.objects.create(
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            date_of_birth=date_of_birth,
            email=email.strip(),
            phone=phone.strip(),
            preferred_language=language,
        )
        audit.record("patient.created", request=request, actor=created_by, obj=patient, patient=patient)
    visit = Visit.objects.create(
        patient=patient, clinician=clinician, scheduled_at=scheduled_at, language=language, created_by=created_by
    )
    audit.record("visit.created", request=request, actor=created_by, obj=visit, patient=patient)
    link, token = issue_link(visit=visit, created_by=created_by, request=request)
    return Invitation(patient=patient, visit=visit, link=link, token=token, patient_created=created)


# --- demographics edits -------------------------------------------------------------------------

PATIENT_EDITABLE_FIELDS = (
    "first_name",
    "last_name",
    "preferred_name",
    "date_of_birth",
    "email",
    "phone",
    "emergency_contact_name",
    "emergency_contact_phone",
    "emergency_contact_relationship",
    "preferred_language",
    "sms_opt_out",
)


class PatientEditConflict(Exception):
    """Someone else saved the patient after this editor opened the form."""

    def __init__(self, current: Patient, fields: list[str]):
        super().__init__("The patient was changed by someone else in the meantime.")
        self.current = current
        self.fields = fields  # the fields the other person changed since the editor's revision


@transaction.atomic
def update_patient(
    *, patient: Patient, data: dict, expected_revision: int, by: User, request: HttpRequest | None = None
) -> list[str]:
    """Save demographics if nobody else saved since `expected_revision`. Returns the changed field names.

    The revision bump is a conditional UPDATE, so two editors racing on any database cannot both win:
    the loser gets PatientEditConflict and sees the other person's values instead of overwriting them.
    """
    current = Patient.objects.select_for_update().get(pk=patient.pk)
    if current.revision != expected_revision:
        since = PatientChange.objects.filter(patient=current).order_by("-changed_at")[
            : max(current.revision - expected_revision, 1)
        ]
        fields = sorted({name for change in since for name in change.fields})
        raise PatientEditConflict(current, fields)
    changed = [name for name in PATIENT_EDITABLE_FIELDS if name in data and getattr(current, name) != data[name]]
    if not changed:
        return []
    bumped = Patient.objects.filter(pk=current.pk, revision=expected_revision).update(revision=expected_revision + 1)
    if not bumped:
        raise PatientEditConflict(Patient.objects.get(pk=current.pk), [])
    for name in changed:
        setattr(current, name, data[name])
    current.revision = expected_revision + 1
    saved = [*changed, "revision"]
    if {"first_name", "last_name"} & set(changed) and current.name_reported_wrong_at:
        current.name_reported_wrong_at = None  # the spelling was fixed: the patient's note is dealt with
        saved.append("name_reported_wrong_at")
    current.save(update_fields=saved)
    PatientChange.objects.create(patient=current, changed_by=by, fields=changed)
    audit.record(
        "patient.updated", request=request, actor=by, obj=current, patient=current, details={"fields": changed}
    )
    return changed


@transaction.atomic
def report_name_misspelled(*, patient: Patient, request: HttpRequest | None = None) -> None:
    """The patient says the name on file is spelled wrong: a note for reception on the record (no text kept)."""
    if patient.name_reported_wrong_at is None:
        patient.name_reported_wrong_at = timezone.now()
        patient.save(update_fields=["name_reported_wrong_at"])
    audit.record("patient.name_reported_wrong", request=request, obj=patient, patient=patient)
