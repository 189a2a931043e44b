"""Where courses hand news to the messaging app, once it is on main.

A red flag reported in "since your last session" should raise the clinic's alert (messaging's
`raise_alert(visit=..., symptoms=[...], source=...)`). Until then the audit trail records the answers and
the red-flagged visit is in the review queue with its flag. (The discharge's `course.discharged` webhook
is emitted by api/signals.py when the course is saved discharged: intake never imports the API.)
"""

from __future__ import annotations

from intake.models import Visit


def red_flags_reported(*, visit: Visit, symptoms: list[str]) -> None:
    """A follow-up's "since your last session" answers list check-in red flags (codes, never free text)."""
    # TODO(messaging): raise_alert(visit=visit, symptoms=symptoms, source="follow_up")
