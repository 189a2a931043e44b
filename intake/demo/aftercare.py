"""Demo visit records and check-ins for visits past the visit (seed_demo)."""

from __future__ import annotations

from intake.models import CheckIn, CheckInReminder, Progress, Visit, VisitRecord
from intake.regions import touches_chest_risk_area
from portal.models import User

# Regions for the demo visits, in turn: the first one treated includes a chest-risk area
# (upper back), so the breathing warning shows on a demo aftercare page.
DEMO_REGIONS: list[list[str]] = [
    ["upper_back", "shoulder"],
    ["lower_back", "buttock_hip"],
    ["calf_shin"],
]
VISITED_OR_LATER = {Progress.VISITED, Progress.CHECKED_IN}


def seed(visits: list[Visit], *, clinician: User) -> None:
    """Idempotent: records the session and check-ins for demo visits whose progress says so."""
    treated = [visit for visit in visits if visit.progress in VISITED_OR_LATER]
    for index, visit in enumerate(treated):
        regions = DEMO_REGIONS[index % len(DEMO_REGIONS)]
        record, _created = VisitRecord.objects.get_or_create(
            visit=visit,
            defaults={
                "treated_at": visit.scheduled_at,
                "regions": regions,
                "chest_risk_area": touches_chest_risk_area(regions),
                "notes": "Demo session.",
                "recorded_by": clinician,
            },
        )
        visit.mark("visited_at", record.treated_at)  # only if the demo journey did not set it already
        # A reminder email carries a fresh link and revokes the old one; demo addresses are not real, so
        # mark the demo reminders as sent: the links seed_demo printed keep working after the scheduler runs.
        for window in CheckIn.Window.values:
            CheckInReminder.objects.get_or_create(visit=visit, window=window)
        if visit.progress == Progress.CHECKED_IN:
            CheckIn.objects.get_or_create(
                visit=visit,
                window=CheckIn.Window.DAY_1,
                defaults={"soreness": 3, "trend": "better", "red_flags": [], "urgent": False, "late": False},
            )
            visit.mark("checked_in_at", record.treated_at)
