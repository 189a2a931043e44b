"""Where courses hand news to the messaging and API apps, once those are on main.

Two hooks, each one line to change when the other app lands: a red flag reported in "since your last
session" should raise the clinic's alert (messaging's `raise_alert(visit=..., symptoms=[...], source=...)`),
and a discharged course should emit the `course.discharged` event (api's `emit_event(name, obj)`).
Until then the audit trail records both, and the red-flagged visit is in the review queue.
"""

from __future__ import annotations

from intake.models import Course, Visit


def red_flags_reported(*, visit: Visit, symptoms: list[str]) -> None:
    """A follow-up's "since your last session" answers list check-in red flags (codes, never free text)."""
    # TODO(messaging): raise_alert(visit=visit, symptoms=symptoms, source="follow_up")


def course_discharged(*, course: Course) -> None:
    """A clinician discharged the course."""
    # TODO(api): emit_event("course.discharged", course)
