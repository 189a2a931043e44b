"""When an appointment may be booked: the one rule every way of booking a visit shares.

The staff invite form, the `invite` command, the API (`api/schemas.py`) and the appointment import
(`api/imports.py`) all ask `appointment_time_problem`, so the same bad time gets the same sentence on each.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from intake.models import Visit

# A visit earlier today may still be booked after the fact (a walk-in); further back is a wrong date.
PAST_GRACE = timedelta(hours=12)

IN_THE_PAST = "The appointment is in the past."
TOO_FAR_AHEAD = "The appointment is more than two years away. Check the year."


def appointment_time_problem(when: datetime) -> str | None:
    """What is wrong with booking an appointment at `when` (aware), as a sentence, or None when it is fine."""
    now = timezone.now()
    if when < now - PAST_GRACE:
        return IN_THE_PAST
    if when > now + Visit.BOOKING_HORIZON:
        return TOO_FAR_AHEAD
    return None
