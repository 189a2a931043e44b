"""Demo screening answers and understanding-check results for visits past those steps (seed_demo)."""

from __future__ import annotations

from intake.models import Visit


def seed(visits: list[Visit]) -> None:
    """Idempotent: fills in what a demo visit's progress says the patient has done."""
