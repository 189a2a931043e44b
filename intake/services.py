"""Writes that span intake's models. Keyword-only, atomic, audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from intake.links import issue_token_for, patient_url
from intake.models import AccessLink, Language, Patient, Visit
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
def issue_link(
    *, visit: Visit, created_by: User | None = None, request: HttpRequest | None = None
) -> tuple[AccessLink, str]:
    """Give the visit a fresh link, revoking any earlier one. Returns the link and its token (shown once)."""
    now = timezone.now()
    for old in AccessLink.objects.select_for_update().filter(visit=visit, revoked_at__isnull=True):
        old.revoked_at = now
        old.revoked_by = created_by
        old.save(update_fields=["revoked_at", "revoked_by"])
        audit.record(
            "link.revoked",
            request=request,
            actor=created_by,
            obj=old,
            patient=visit.patient,
            details={"reason": "reissued"},
        )
    link, token = issue_token_for(visit, created_by=created_by)
    audit.record("link.issued", request=request, actor=created_by, obj=link, patient=visit.patient)
    return link, token


@transaction.atomic
def revoke_link(*, link: AccessLink, by: User, request: HttpRequest | None = None) -> None:
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.revoked_by = by
        link.save(update_fields=["revoked_at", "revoked_by"])
        audit.record("link.revoked", request=request, actor=by, obj=link, patient=link.visit.patient)


@transaction.atomic
def unlock_link(*, link: AccessLink, by: User, request: HttpRequest | None = None) -> None:
    link.locked_at = None
    link.failed_dob_attempts = 0
    link.save(update_fields=["locked_at", "failed_dob_attempts"])
    audit.record("link.unlocked", request=request, actor=by, obj=link, patient=link.visit.patient)


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


# --- Staff workspace: demographics edits, screening review, visit recording -----------------------

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
    from intake.models import PatientChange

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
    current.save(update_fields=[*changed, "revision"])
    PatientChange.objects.create(patient=current, changed_by=by, fields=changed)
    audit.record(
        "patient.updated", request=request, actor=by, obj=current, patient=current, details={"fields": changed}
    )
    return changed


@transaction.atomic
def review_screening(*, visit: Visit, outcome: str, note: str = "", by: User, request: HttpRequest | None = None):
    """The clinician's review of a screening: reviewed, or needs discussion (with a note)."""
    from intake.models import ScreeningResponse

    if outcome not in ("reviewed", "needs_discussion"):
        raise ValueError(f"unknown review outcome {outcome!r}")
    screening = ScreeningResponse.objects.select_for_update().get(visit=visit)
    screening.reviewed_at = timezone.now()
    screening.reviewed_by = by
    screening.review_outcome = outcome
    screening.review_note = note.strip()
    screening.save(update_fields=["reviewed_at", "reviewed_by", "review_outcome", "review_note", "updated_at"])
    audit.record(
        "screening.reviewed",
        request=request,
        actor=by,
        obj=screening,
        patient=visit.patient,
        details={"outcome": outcome, "note": bool(screening.review_note)},
    )
    return screening


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
    from intake.models import VisitRecord
    from intake.regions import REGION_KEYS, touches_chest_risk_area

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
