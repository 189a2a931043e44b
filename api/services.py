"""Writes for integrations: tokens, visits by external id, webhook endpoints. Keyword-only, atomic, audited."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from api.models import ExternalVisitId, IntegrationToken, Scope, WebhookEndpoint
from api.tokens import hash_secret, new_secret
from intake.links.services import LINK_TEMPLATE, issue_link, send_link_message
from intake.models import Language, Visit
from intake.patients.services import find_matching_patients, invite_patient
from messaging.models import Channel, Message
from messaging.render import Unsendable, register_context
from messaging.services import patient_channels, queue_message
from portal import audit
from portal.models import User
from portal.roles import Role


def token_details(token: IntegrationToken | None) -> dict:
    """How an audit event names the integration that acted: its id and name, never the secret."""
    return {"token": str(token.pk), "token_name": token.name} if token is not None else {}


# --- Tokens ---------------------------------------------------------------------------------------


@transaction.atomic
def create_token(
    *,
    name: str,
    scopes: list[str],
    source: str = "api",
    allowed_networks: list[str] | None = None,
    expires_at: datetime | None = None,
    by: User,
    request: HttpRequest | None = None,
) -> tuple[IntegrationToken, str]:
    """A new token and its secret (shown once; only the hash is kept)."""
    unknown = [s for s in scopes if s not in Scope.values]
    if unknown or not scopes:
        raise ValueError("scopes must be a non-empty list from api.models.Scope")
    secret = new_secret()
    token = IntegrationToken.objects.create(
        name=name.strip(),
        source=source,
        scopes=sorted(set(scopes)),
        token_hash=hash_secret(secret),
        hint=secret[:10],
        allowed_networks=allowed_networks or [],
        expires_at=expires_at,
        created_by=by,
    )
    audit.record(
        "api.token_created", request=request, actor=by, obj=token, details={"scopes": token.scopes, "source": source}
    )
    return token, secret


@transaction.atomic
def revoke_token(*, token: IntegrationToken, by: User, request: HttpRequest | None = None) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_by = by
        token.save(update_fields=["revoked_at", "revoked_by"])
        audit.record("api.token_revoked", request=request, actor=by, obj=token)


# --- Visits by external id ------------------------------------------------------------------------


class ExternalIdConflict(Exception):
    """The external id already names a visit of a different patient."""


@dataclass(frozen=True)
class VisitUpsert:
    visit: Visit
    created: bool
    patient_created: bool
    changed: list[str]
    link_sent: bool


def send_link(*, visit: Visit, request: HttpRequest | None = None, details: dict | None = None) -> bool:
    """Issue a fresh link and queue it (email, and a text where possible) when a message can reach the
    patient; False otherwise. The message carries a signed reference to the link (never the token)."""

    if not patient_channels(visit.patient):
        return False
    link, _token = issue_link(visit=visit, request=request)
    queued = send_link_message(visit=visit, request=request)
    audit.record("link.emailed", request=request, obj=link, patient=visit.patient, details=details or {})
    return bool(queued)


def upsert_visit(
    *,
    source: str,
    external_id: str,
    first_name: str,
    last_name: str,
    date_of_birth: date,
    scheduled_at: datetime,
    email: str = "",
    phone: str = "",
    language: str = Language.ENGLISH,
    clinician: User | None = None,
    send: bool = False,
    token: IntegrationToken | None = None,
    created_by: User | None = None,
    request: HttpRequest | None = None,
) -> VisitUpsert:
    """Create the visit this external id names (through invite_patient), or update its time, clinician
    and language. The same call twice makes one visit; two racing calls too (the unique constraint
    decides, and the loser reads the winner's visit)."""
    kwargs = {k: v for k, v in locals().items() if k != "kwargs"}
    try:
        return _upsert_visit(**kwargs)
    except IntegrityError:
        return _upsert_visit(**kwargs)


@transaction.atomic
def _upsert_visit(
    *,
    source: str,
    external_id: str,
    first_name: str,
    last_name: str,
    date_of_birth: date,
    scheduled_at: datetime,
    email: str,
    phone: str,
    language: str,
    clinician: User | None,
    send: bool,
    token: IntegrationToken | None,
    created_by: User | None,
    request: HttpRequest | None,
) -> VisitUpsert:
    details = {**token_details(token), "source": source}
    known = (
        ExternalVisitId.objects.select_related("visit__patient").filter(source=source, external_id=external_id).first()
    )
    if known is None:
        invitation = invite_patient(
            first_name=first_name,
            last_name=last_name,
            date_of_birth=date_of_birth,
            scheduled_at=scheduled_at,
            email=email,
            phone=phone,
            clinician=clinician,
            language=language,
            created_by=created_by,
            request=request,
        )
        ExternalVisitId.objects.create(source=source, external_id=external_id, visit=invitation.visit)
        visit = invitation.visit
        sent = send and send_link(visit=visit, request=request, details=details)
        return VisitUpsert(visit, True, invitation.patient_created, [], sent)

    visit = Visit.objects.select_for_update().select_related("patient").get(pk=known.visit_id)
    same_person = find_matching_patients(
        first_name=first_name, last_name=last_name, date_of_birth=date_of_birth
    ).filter(pk=visit.patient_id)
    if not same_person.exists():
        raise ExternalIdConflict
    wanted = {"scheduled_at": scheduled_at, "clinician": clinician, "language": language}
    changed = [name for name, value in wanted.items() if getattr(visit, name) != value]
    if changed:
        for name in changed:
            setattr(visit, name, wanted[name])
        visit.save(update_fields=changed)
        audit.record(
            "visit.updated", request=request, obj=visit, patient=visit.patient, details={**details, "fields": changed}
        )
    # A call that repeats what is known sends nothing: a resend would revoke the patient's link and
    # message them again. The link message shows the time, in the visit's language.
    news_for_the_patient = bool({"scheduled_at", "language"} & set(changed)) or not _link_ever_sent(visit)
    sent = send and news_for_the_patient and send_link(visit=visit, request=request, details=details)
    return VisitUpsert(visit, False, False, changed, sent)


def _link_ever_sent(visit: Visit) -> bool:
    return Message.objects.filter(visit=visit, template=LINK_TEMPLATE).exists()


# --- Webhook endpoints ----------------------------------------------------------------------------


def new_webhook_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


@transaction.atomic
def create_endpoint(
    *,
    name: str,
    url: str,
    events: list[str],
    allow_private_network: bool = False,
    by: User,
    request: HttpRequest | None = None,
) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.create(
        name=name.strip(),
        url=url,
        secret=new_webhook_secret(),
        events=sorted(set(events)),
        allow_private_network=allow_private_network,
        created_by=by,
    )
    audit.record(
        "webhook.created",
        request=request,
        actor=by,
        obj=endpoint,
        details={"events": endpoint.events, "allow_private_network": allow_private_network},
    )
    return endpoint


@transaction.atomic
def set_endpoint_enabled(*, endpoint: WebhookEndpoint, enabled: bool, by: User, request: HttpRequest | None = None):
    endpoint.enabled = enabled
    endpoint.disabled_reason = "" if enabled else "turned off by the clinic admin"
    endpoint.save(update_fields=["enabled", "disabled_reason"])
    audit.record("webhook.enabled" if enabled else "webhook.disabled", request=request, actor=by, obj=endpoint)


WEBHOOK_DISABLED_TEMPLATE = "webhook-disabled"


def clinic_admins():
    return (
        User.objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__name=Role.CLINIC_ADMIN))
        .distinct()
        .order_by("email", "pk")
    )


def notify_admins_endpoint_disabled(*, endpoint: WebhookEndpoint, disabled_at: datetime) -> int:
    """Queue one email per clinic admin, in their language, saying the endpoint was turned off.

    Through the message queue like every email: sent by the message task after commit (retried,
    logged), once per endpoint and disable time. No patient data is in it. Returns how many were queued.
    """
    queued = 0
    addresses: set[str] = set()
    for admin in clinic_admins():
        if not admin.email or admin.email.lower() in addresses:
            continue
        addresses.add(admin.email.lower())
        try:
            queue_message(
                channel=Channel.EMAIL,
                to=admin.email,
                template=WEBHOOK_DISABLED_TEMPLATE,
                context={"endpoint": str(endpoint.pk)},
                language=admin.alert_language,
                idempotency_key=f"{WEBHOOK_DISABLED_TEMPLATE}:{endpoint.pk}:{disabled_at.timestamp():.0f}:{admin.pk}",
            )
            queued += 1
        except ValueError:
            continue  # an address that is not one; the others still hear
    return queued


def _webhook_disabled_context(message) -> dict:
    endpoint = WebhookEndpoint.objects.filter(pk=message.context.get("endpoint")).first()
    if endpoint is None:
        raise Unsendable("endpoint_deleted")
    return {"endpoint": endpoint, "site_url": settings.SITE_URL}


register_context(WEBHOOK_DISABLED_TEMPLATE, _webhook_disabled_context, label="Webhook turned off")
