"""Integration tokens: a recognisable prefix and 256 random bits, stored only as their SHA-256."""

from __future__ import annotations

import hashlib
import ipaddress
import secrets

from django.utils import timezone

from api.models import IntegrationToken

PREFIX = "dnp_"  # "dry-needling portal": secret scanners and people can recognise a leaked token
TOKEN_BYTES = 32


def new_secret() -> str:
    return PREFIX + secrets.token_urlsafe(TOKEN_BYTES)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def parse_networks(text: str) -> list[str]:
    """CIDRs from a comma- or line-separated list, normalised; ValueError names the first bad one."""
    networks = []
    for part in text.replace(",", "\n").split():
        try:
            networks.append(str(ipaddress.ip_network(part.strip(), strict=False)))
        except ValueError:
            raise ValueError(f"{part.strip()[:60]!r} is not an IP address or network (e.g. 203.0.113.0/24)") from None
    return networks


def address_allowed(token: IntegrationToken, ip: str | None) -> bool:
    if not token.allowed_networks:
        return True
    try:
        address = ipaddress.ip_address(ip or "")
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(cidr) for cidr in token.allowed_networks)


def find_token(secret: str) -> tuple[IntegrationToken | None, str]:
    """The token for this secret and why it is refused ("" when usable): unknown, revoked or expired."""
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None, "unknown"
    token = IntegrationToken.objects.filter(token_hash=hash_secret(secret)).first()
    if token is None:
        return None, "unknown"
    if token.revoked_at is not None:
        return token, "revoked"
    if token.expires_at is not None and token.expires_at <= timezone.now():
        return token, "expired"
    return token, ""
