"""Demo consent text and signed consents for visits past signing (seed_demo)."""

from __future__ import annotations

from intake.models import Visit
from portal.models import User


def seed_versions() -> None:
    """Idempotent: the clinic's active consent text in each language."""


def seed(visits: list[Visit], *, clinician: User) -> None:
    """Idempotent: signs (and confirms) consent for demo visits whose progress says so."""
