"""The one door through which retention removes rows that every other path must keep.

Consent records and audit events are append-only: the model guards refuse, and on PostgreSQL the
triggers refuse too. Retention (docs/records.md) must still destroy what is due. Inside
`retention_erasure()` the model guards let the retention service through, and on PostgreSQL the
transaction carries `portal.retention = 'on'` (SET LOCAL: it ends with the transaction), which the
triggers check. Nothing else opens this door.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connection, transaction

_erasing: ContextVar[bool] = ContextVar("portal_retention_erasure", default=False)


def erasure_in_progress() -> bool:
    return _erasing.get()


@contextmanager
def retention_erasure() -> Iterator[None]:
    """Open the door for the current transaction only. Must be used inside transaction.atomic()."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Retention erasure runs inside one transaction.")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL portal.retention = 'on'")
    token = _erasing.set(True)
    try:
        yield
    finally:
        _erasing.reset(token)
    # Close the door before the rest of the transaction. After an error the enclosing atomic block
    # rolls back to before the SET LOCAL, which closes it as well.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL portal.retention = 'off'")
