"""Short signed references to a row: what a message's link carries instead of a stored secret.

A reference is `<row uuid, 22 chars>.<time, base62>.<HMAC, 22 chars>` (about 52 characters, short
enough for a text message). The HMAC is Django's `salted_hmac` (SHA-256 keyed by SECRET_KEY, salted
per purpose) over the uuid and the time, truncated to 128 bits: it cannot be forged or moved to
another row or purpose, and `max_age` bounds its life. A reference is made at send time and never
stored; it grants nothing by itself (the caller checks the row it names is still usable).
"""

from __future__ import annotations

import base64
import time
import uuid

from django.core.signing import b62_decode, b62_encode
from django.utils.crypto import constant_time_compare, salted_hmac

SEPARATOR = "."
MAC_BYTES = 16


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(purpose: str, body: str) -> str:
    digest = salted_hmac(f"portal.signed_refs.{purpose}", body, algorithm="sha256").digest()
    return _b64(digest[:MAC_BYTES])


def make(row_id: uuid.UUID, *, purpose: str, now: float | None = None) -> str:
    body = f"{_b64(row_id.bytes)}{SEPARATOR}{b62_encode(int(now if now is not None else time.time()))}"
    return f"{body}{SEPARATOR}{_mac(purpose, body)}"


def read(reference: str, *, purpose: str, max_age: float | None, now: float | None = None) -> uuid.UUID | None:
    """The row id if the reference is genuine, for this purpose, and younger than max_age; else None."""
    if not reference or len(reference) > 100 or reference.count(SEPARATOR) != 2:
        return None
    body, _, mac = reference.rpartition(SEPARATOR)
    if not constant_time_compare(mac, _mac(purpose, body)):
        return None
    encoded_id, _, stamp = body.partition(SEPARATOR)
    try:
        row_id = uuid.UUID(bytes=_unb64(encoded_id))
        made_at = b62_decode(stamp)
    except (ValueError, TypeError):
        return None
    age = (now if now is not None else time.time()) - made_at
    if age < -60 or (max_age is not None and age > max_age):
        return None
    return row_id
