"""Patient access links: random tokens handed out once, stored only as their SHA-256."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from intake.models import AccessLink, Visit

TOKEN_BYTES = 32  # 256 bits of randomness; the interface promises at least 128


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def link_expiry(visit: Visit):
    return max(visit.scheduled_at, timezone.now()) + timedelta(days=settings.ACCESS_LINK_DAYS_AFTER_VISIT)


def patient_path(token: str) -> str:
    return f"/p/{token}/"


def patient_url(token: str) -> str:
    return settings.SITE_URL + patient_path(token)


def find_usable_link(token: str) -> AccessLink | None:
    """The link for this token if it exists, is not revoked and has not expired; else None.

    Unknown, expired and revoked tokens are indistinguishable to the caller by design.
    """
    if not token or len(token) > 200:
        return None
    digest = hash_token(token)
    link = AccessLink.objects.select_related("visit__patient").filter(token_hash=digest).first()
    if link is None or not hmac.compare_digest(link.token_hash, digest) or not link.is_usable:
        return None
    return link


def issue_token_for(visit: Visit, *, created_by=None) -> tuple[AccessLink, str]:
    """Create a link row for the visit and return it with the token, which is never stored."""
    token = new_token()
    link = AccessLink.objects.create(
        visit=visit, token_hash=hash_token(token), created_by=created_by, expires_at=link_expiry(visit)
    )
    return link, token
