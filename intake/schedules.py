"""What intake hands the messaging app: its schedules (run by `run_schedules`) and what happens when
a red-flag alert is resolved. Imported by IntakeConfig.ready(); messaging imports nothing from intake."""

from __future__ import annotations

from datetime import datetime

from messaging.schedules import register
from messaging.signals import alert_resolved


@register("intake.checkin_reminders")
def checkin_reminders(now: datetime) -> int:
    from intake.aftercare.reminders import send_due_reminders

    return send_due_reminders(now=now)


@register("intake.pre_visit_reminders")
def pre_visit_reminders(now: datetime) -> int:
    from intake.visits.reminders import send_due

    return send_due(now=now)


def _alert_resolved(sender, *, alert, by, request=None, **kwargs) -> None:
    """A resolved alert takes the visit off the urgent list and marks its red-flag check-ins seen."""
    from intake.aftercare.checkins import acknowledge_urgent_checkins

    acknowledge_urgent_checkins(visit=alert.visit, by=by, request=request)


alert_resolved.connect(_alert_resolved, dispatch_uid="intake.alert_resolved")
