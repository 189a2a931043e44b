"""Writing audit events. Every view that reads or changes a patient's data calls record()."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.http import HttpRequest

from portal.models import AuditEvent, User


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address, trusting X-Forwarded-For only as far as our own proxies wrote it.

    With N trusted proxies, the Nth address from the right is the one the outermost proxy saw;
    anything left of it could have been written by the client and is ignored.
    """
    if request is None:
        return None
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def record(
    action: str,
    *,
    request: HttpRequest | None = None,
    obj: models.Model | None = None,
    patient: models.Model | None = None,
    actor: User | None = None,
    access_link: models.Model | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit event. `details` holds field names and outcomes, never health data."""
    user = getattr(request, "user", None)
    if actor is None and user is not None and user.is_authenticated:
        actor = user
    if access_link is None and request is not None:
        access_link = getattr(request, "access_link", None)
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        # The domain's rows by id: the core knows the link and the patient only as models.
        access_link_id=access_link.pk if access_link is not None else None,
        object_type=(obj._meta.model_name or "") if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        patient_id=patient.pk if patient is not None else None,
        ip=client_ip(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else ""),
        details=details or {},
    )
