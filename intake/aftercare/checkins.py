"""Aftercare check-ins: the patient's answers at 24 h and 72 h, and the clinician's acknowledgement.

The rules (windows, red flags) live in intake/aftercare/advice.py; this module stores answers.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from intake.aftercare import advice as aftercare
from intake.models import CheckIn, Visit, VisitRecord
from intake.outcomes import soreness as soreness_course
from messaging.services import raise_alert
from portal import audit

logger = logging.getLogger(__name__)


class CheckInError(ValueError):
    """A check-in that cannot be stored. `code` says why; the message is safe to show the patient."""

    def __init__(self, code: str, message: str, *, opens_at: datetime | None = None):
        super().__init__(message)
        self.code = code
        self.opens_at = opens_at


def visit_record(visit: Visit) -> VisitRecord | None:
    try:
        return visit.record
    except VisitRecord.DoesNotExist:
        return None


def _validate(*, window: str, soreness, trend: str, red_flags) -> tuple[int, list[str]]:
    if window not in aftercare.WINDOWS:
        raise CheckInError("bad_window", "There is no such check-in.")
    try:
        soreness_value = int(soreness)
    except (TypeError, ValueError):
        raise CheckInError("bad_soreness", "Choose a number from 0 to 10 for how sore you are.") from None
    if isinstance(soreness, bool) or not aftercare.SORENESS_MIN <= soreness_value <= aftercare.SORENESS_MAX:
        raise CheckInError("bad_soreness", "Choose a number from 0 to 10 for how sore you are.")
    if trend not in aftercare.TRENDS:
        raise CheckInError("bad_trend", "Choose whether the soreness is getting better, the same, or worse.")
    flags = list(dict.fromkeys(red_flags or []))
    unknown = [code for code in flags if code not in aftercare.ASKED_RED_FLAGS]
    if unknown:
        raise CheckInError("bad_red_flags", "Choose from the signs in the list.")
    return soreness_value, flags


@transaction.atomic
def submit_checkin(
    *,
    visit: Visit,
    window: str,
    soreness: int,
    trend: str,
    red_flags: list[str],
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> CheckIn:
    """Store one check-in. Red flags make it urgent and put the visit on the board's urgent list at once.

    Raises CheckInError (and stores nothing) before the visit is recorded, before the window opens,
    for a second check-in in the same window, or for answers out of range.
    """
    now = now or timezone.now()
    soreness_value, asked = _validate(window=window, soreness=soreness, trend=trend, red_flags=red_flags)
    # Lock the visit row: two quick submits of the same form queue here, and the second sees the first.
    locked = Visit.objects.select_for_update().get(pk=visit.pk)
    record = visit_record(locked)
    if record is None:
        raise CheckInError("not_recorded", "Check-ins open after your visit, once the clinic has recorded it.")
    rules = aftercare.WINDOWS[window]
    state = rules.state(treated_at=record.treated_at, now=now)
    if state == aftercare.WindowState.NOT_OPEN:
        raise CheckInError("not_open", "This check-in is not open yet.", opens_at=rules.opens_at(record.treated_at))
    if CheckIn.objects.filter(visit=locked, window=window).exists():
        raise CheckInError("duplicate", "You have already sent this check-in. Thank you.")

    flags = asked + aftercare.derived_red_flags(window=window, soreness=soreness_value, trend=trend)
    action = aftercare.action_for(flags)
    urgent = action != aftercare.Action.NONE
    try:
        with transaction.atomic():
            checkin = CheckIn.objects.create(
                visit=locked,
                window=window,
                soreness=soreness_value,
                trend=trend,
                red_flags=flags,
                urgent=urgent,
                late=state == aftercare.WindowState.LATE,
            )
    except IntegrityError:
        raise CheckInError("duplicate", "You have already sent this check-in. Thank you.") from None

    locked.mark("checked_in_at", now)
    _mark_not_settling(locked, record, now=now, request=request)
    audit.record(
        "checkin.submitted",
        request=request,
        obj=checkin,
        patient=locked.patient,
        details={"window": window, "late": checkin.late, "urgent": urgent},
    )
    if urgent:
        locked.mark("urgent_since", now)
        audit.record(
            "checkin.urgent",
            request=request,
            obj=checkin,
            patient=locked.patient,
            details={"window": window, "action": str(action), "red_flag_count": len(flags)},
        )
        # The clinician and the on-call contacts hear at once (sent after commit, through the queue).
        raise_alert(
            visit=locked,
            symptoms=list(flags),
            source=f"checkin_{window}",
            request=request,
        )
    visit.urgent_since = locked.urgent_since
    visit.not_settling_since = locked.not_settling_since
    visit.checked_in_at = locked.checked_in_at
    visit.progress = locked.progress
    return checkin


def _mark_not_settling(visit: Visit, record: VisitRecord, *, now: datetime, request: HttpRequest | None) -> None:
    """Soreness above the usual course marks the visit on the board, red flag or not."""
    points = soreness_course.points_for(record, CheckIn.objects.filter(visit=visit))
    if visit.not_settling_since is None and soreness_course.not_settling(points):
        visit.not_settling_since = now
        visit.save(update_fields=["not_settling_since"])
        audit.record("checkin.not_settling", request=request, obj=visit, patient=visit.patient, details={})


@transaction.atomic
def acknowledge_urgent_checkins(*, visit: Visit, by, request: HttpRequest | None = None) -> bool:
    """A clinician has dealt with the red flags (a check-in's or a follow-up's "since your last session"):
    mark the urgent check-ins seen and take the visit off the urgent list. Returns whether there was
    anything to acknowledge (False leaves everything as it was)."""
    locked = Visit.objects.select_for_update().get(pk=visit.pk)
    was_urgent = locked.urgent_since is not None
    now = timezone.now()
    pending = list(CheckIn.objects.filter(visit=locked, urgent=True, acknowledged_at__isnull=True))
    for checkin in pending:
        checkin.acknowledged_at = now
        checkin.acknowledged_by = by
        checkin.save(update_fields=["acknowledged_at", "acknowledged_by"])
    if locked.urgent_since is not None:
        locked.urgent_since = None
        locked.save(update_fields=["urgent_since"])
    if pending or was_urgent:
        audit.record(
            "checkin.acknowledged",
            request=request,
            actor=by,
            obj=locked,
            patient=locked.patient,
            details={"checkins": len(pending)},
        )
    visit.urgent_since = None
    return bool(pending) or was_urgent
