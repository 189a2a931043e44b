"""The usual course of soreness after dry needling, and the rule that says a visit is "not settling".

Clinical facts (clinical.md sections 4 and 5; Brady 2014, Boyce 2020 and the seed articles): soreness
starts within hours, peaks in the first 24-48 h and is usually gone by 72 h. Soreness that is higher
at 72 h than before, or still moderate or worse (4/10 or more) at 72 h, is "not settling" and worth a
call even without a red flag. The band below is the picture of that description, not measured
percentiles: the upper edge is the highest soreness we still call usual at that hour.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from intake.aftercare.advice import NOT_EASING_MIN_SORENESS

# (hours since the session, lowest usual, highest usual): soreness 0-10.
USUAL_BAND: list[tuple[int, int, int]] = [
    (0, 0, 4),
    (12, 0, 6),
    (24, 0, 6),
    (48, 0, 5),
    (72, 0, NOT_EASING_MIN_SORENESS - 1),
    (96, 0, 2),
]
SETTLED_BY_HOURS = 72  # from here on, soreness at NOT_EASING_MIN_SORENESS or more is above the band
PEAK_OVER_BY_HOURS = 48  # after the peak, any rise counts; before it a rise is the usual pattern


@dataclass(frozen=True)
class Point:
    hours: float  # since the session
    soreness: int
    label: str  # "0h", "24h", "72h"


def hours_between(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 3600


def usual_high(hours: float) -> float:
    """The band's upper edge at this hour (straight lines between the band's points)."""
    previous = USUAL_BAND[0]
    for point in USUAL_BAND:
        if hours <= point[0]:
            if point[0] == previous[0]:
                return point[2]
            share = (hours - previous[0]) / (point[0] - previous[0])
            return previous[2] + share * (point[2] - previous[2])
        previous = point
    return USUAL_BAND[-1][2]


def not_settling(points: list[Point]) -> bool:
    """True when the latest point is at or after 72 h with soreness 4 or more, or when soreness rose
    after the 48 h peak. Points are in time order."""
    if not points:
        return False
    latest = points[-1]
    if latest.hours >= SETTLED_BY_HOURS and latest.soreness >= NOT_EASING_MIN_SORENESS:
        return True
    earlier = points[:-1]
    return latest.hours >= PEAK_OVER_BY_HOURS and any(p.soreness < latest.soreness for p in earlier[-1:])


def points_for(record, checkins) -> list[Point]:
    """A session's soreness points: right after (if recorded), then each check-in at its real hour."""
    points = []
    if record is not None and record.soreness_after is not None:
        points.append(Point(0, record.soreness_after, "0h"))
    if record is not None:
        for checkin in sorted(checkins, key=lambda c: c.submitted_at):
            hours = hours_between(record.treated_at, checkin.submitted_at)
            points.append(Point(hours, checkin.soreness, checkin.window))
    return points


# Nominal hours of each point, for the clinic's curve and the patient's words.
NOMINAL_HOURS = {"0h": 0, "24h": 24, "72h": 72}
