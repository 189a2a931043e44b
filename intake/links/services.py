"""Writes on a visit's private link: issue (revoking the earlier one), revoke, unlock, and email it."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from intake.links.tokens import issue_token_for, patient_url
from intake.models import AccessLink, Visit
from portal import audit
from portal.emails import make_message
from portal.models import User


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


def send_link_email(*, visit: Visit, token: str) -> None:
    """Email the patient their link once the surrounding transaction commits."""
    patient = visit.patient
    context = {
        "patient": patient,
        "visit": visit,
        "url": patient_url(token),
        "clinic": {"name": settings.CLINIC_NAME, "phone": settings.CLINIC_PHONE},
    }
    message = make_message("link", patient.email, context, language=visit.language)
    transaction.on_commit(message.send)
