"""Writes on a visit's private link: issue (revoking the earlier one), revoke, unlock, and email it."""

from __future__ import annotations

import uuid

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from intake.links.message_links import LINK, current_link, message_url
from intake.links.tokens import issue_token_for
from intake.models import AccessLink, Visit
from messaging.render import Unsendable, register_context
from messaging.services import queue_to_patient
from portal import audit
from portal.models import User

LINK_TEMPLATE = "link"


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
def send_link_message(*, visit: Visit, request: HttpRequest | None = None) -> list:
    """Queue the link by email and text (each usable channel) once the surrounding transaction
    commits. The message carries a signed reference to the visit's current link, made when it is
    sent (intake/links/message_links.py): the token itself is never stored, so the log cannot show it."""
    queued = queue_to_patient(
        patient=visit.patient,
        visit=visit,
        template=LINK_TEMPLATE,
        context={"visit": str(visit.pk)},
        key=f"link:{visit.pk}:{uuid.uuid4()}",  # every press of "send" sends
    )
    return queued


def _link_message_context(message) -> dict:
    visit = Visit.objects.select_related("patient").get(pk=message.context["visit"])
    link = current_link(visit)
    if link is None:
        raise Unsendable("no_usable_link")
    return {"patient": visit.patient, "visit": visit, "url": message_url(link, purpose=LINK)}


register_context(LINK_TEMPLATE, _link_message_context, label="Link to the visit")
