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
