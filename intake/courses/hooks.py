"""Where courses hand news to other apps.

A red flag reported in "since your last session" puts the visit on the board's urgent list and raises
the clinic's alert through messaging, as a check-in's does. (The discharge's `course.discharged` webhook
is emitted by api/signals.py when the course is saved discharged: intake never imports the API.)
"""

from __future__ import annotations

from intake.models import Visit
from messaging.services import raise_alert


def red_flags_reported(*, visit: Visit, symptoms: list[str], request=None) -> None:
    """A follow-up's "since your last session" answers list check-in red flags (codes, never free text)."""
    visit.mark("urgent_since")  # until a clinician deals with it (acknowledge_urgent_checkins)
    raise_alert(visit=visit, symptoms=symptoms, source="followup", request=request)
