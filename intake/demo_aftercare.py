"""Demo visit records and check-ins for visits past the visit (seed_demo)."""

from __future__ import annotations

from intake.models import Visit
from portal.models import User


def seed(visits: list[Visit], *, clinician: User) -> None:
    """Idempotent: records the session and check-ins for demo visits whose progress says so."""
