"""Outcome measures for the mid-course demo patient (seed_demo): pain and activities at each of her three
treated sessions, so the course pictures and the outcomes page show something on a fresh demo.

The patient, her course and sessions are the courses seed's (intake/demo/courses.py), which also takes
each session's pain and soreness from SESSIONS below. Idempotent: a session that has measures is left alone.
"""

from __future__ import annotations

from intake.models import CheckIn, CheckInReminder, OutcomeMoment, Visit
from intake.outcomes.measures import activity_key, rating_key
from intake.outcomes.services import record_outcomes
from portal.models import User

ACTIVITIES = ("Lift my toddler", "Sit at my desk for an hour", "Turn my head to drive")
# Per treated session: pain now/worst/best, activity ratings, soreness right after, check-ins
# (hours after the session, soreness, trend).
SESSIONS = [
    ((7, 8, 4), (2, 3, 4), 4, [(22, 6, "same"), (70, 2, "better")]),
    ((5, 7, 3), (4, 5, 5), 3, [(25, 4, "better"), (73, 1, "better")]),
    ((4, 6, 2), (6, 6, 7), 2, [(23, 3, "better")]),
]


def pain_answers(number: int) -> dict[str, int]:
    """Session `number`'s (0-based) pain items, as the screening and the outcome measures ask them."""
    now, worst, best = SESSIONS[number][0]
    return {"pain_now": now, "pain_worst": worst, "pain_best": best}


def seed(sessions: list[Visit], *, clinician: User) -> None:
    """Record the measures of the mid-course patient's treated sessions (in time order)."""
    for number, (visit, (_pain, ratings, _after, _checkins)) in enumerate(zip(sessions, SESSIONS, strict=True)):
        # Demo addresses are not real: mark the reminders sent, so the scheduler never re-issues a link.
        for window in CheckIn.Window.values:
            CheckInReminder.objects.get_or_create(visit=visit, window=window)
        if hasattr(visit, "outcomes"):
            continue  # this session is already seeded
        activities: dict[str, str | int] = {}
        for index, (activity, rating) in enumerate(zip(ACTIVITIES, ratings, strict=True), start=1):
            activities |= {activity_key(index): activity, rating_key(index): rating}
        treated = visit.record.treated_at
        if number == 0:
            # The first visit's pain comes from its screening.
            record_outcomes(
                visit=visit, moment=OutcomeMoment.FIRST_VISIT, answers=activities, by=clinician, now=treated
            )
        else:
            record_outcomes(
                visit=visit,
                moment=OutcomeMoment.BEFORE_SESSION,
                answers=pain_answers(number) | activities,
                by=clinician,
                now=treated,
            )
