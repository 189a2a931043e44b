"""The retention schedule: when a patient's record is due for destruction (docs/records.md)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from intake.models import Patient

ADULT_RULE = "adult"
MINOR_RULE = "minor"


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class Due:
    """One patient whose record may be destroyed: the rule that applies and the date it ran out."""

    patient: Patient
    rule: str
    keep_until: datetime.date

    @property
    def rule_text(self) -> str:
        if self.rule == MINOR_RULE:
            return f"seen as a minor: kept until age {settings.RETENTION_MINOR_UNTIL_AGE}"
        return f"kept {settings.RETENTION_ADULT_YEARS} years after the last visit"


def keep_until(*, date_of_birth: datetime.date, last_visit: datetime.date) -> tuple[datetime.date, str]:
    """The last day the record must be kept, and which rule set it.

    Adults: RETENTION_ADULT_YEARS after the last visit. A patient seen as a minor (under 18 at the last
    visit) is kept until RETENTION_MINOR_UNTIL_AGE, or the adult period if that ends later.
    """
    adult = add_years(last_visit, settings.RETENTION_ADULT_YEARS)
    if Patient(date_of_birth=date_of_birth).is_minor_on(last_visit):  # the one minor rule (intake/models.py)
        minor = add_years(date_of_birth, settings.RETENTION_MINOR_UNTIL_AGE)
        if minor > adult:
            return minor, MINOR_RULE
    return adult, ADULT_RULE


def due_for_destruction(*, today: datetime.date | None = None) -> list[Due]:
    """Every patient not on legal hold whose record is past its keep-until date, oldest first."""
    today = today or timezone.localdate()
    # Cheap first cut in the database: nobody whose last visit is more recent than the shortest rule.
    latest_possible = timezone.make_aware(
        datetime.datetime.combine(add_years(today, -settings.RETENTION_ADULT_YEARS), datetime.time.max)
    )
    candidates = (
        Patient.objects.not_on_hold()
        .with_last_visit()
        .filter(Q(last_visit_at__lte=latest_possible) | Q(last_visit_at__isnull=True, created_at__lte=latest_possible))
        .order_by("created_at", "id")
    )
    found = []
    for patient in candidates:
        last = patient.last_visit_at or patient.created_at
        until, rule = keep_until(date_of_birth=patient.date_of_birth, last_visit=timezone.localdate(last))
        if until < today:
            found.append(Due(patient=patient, rule=rule, keep_until=until))
    return found
