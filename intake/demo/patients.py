"""Demo patients and visits for seed_demo: one patient at each point of the journey.

Idempotent: patients are found by name and date of birth, visits by patient, and demo links
use tokens derived from SECRET_KEY, so a second run finds everything in place and changes nothing.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from intake.links.tokens import hash_token, link_expiry, patient_url
from intake.models import PROGRESS_STAMPS, AccessLink, Course, Patient, Progress, Visit
from portal.models import User

# (first name, last name, date of birth, email, journey state reached, days from today to the visit)
DEMO_PATIENTS: list[tuple[str, str, date, str, str, int]] = [
    ("Ana", "García", date(1988, 4, 12), "ana.garcia@example.com", Progress.INVITED, 2),
    ("Zoë", "Ölander", date(1979, 11, 3), "zoe@example.com", Progress.OPENED, 1),
    ("Liam", "O'Brien", date(1992, 6, 30), "", Progress.EXPLAINED, 1),
    ("Mei", "Chen", date(1965, 2, 14), "mei.chen@example.com", Progress.SCREENED, 0),
    ("Yusuf", "Haddad", date(1959, 9, 9), "yusuf@example.com", Progress.UNDERSTOOD, 0),
    ("Eleni", "Papadopoulou", date(1984, 1, 22), "eleni@example.com", Progress.SIGNED, 0),
    ("Tom", "Becker", date(2010, 5, 5), "becker.family@example.com", Progress.CONFIRMED, 3),
    ("Grace", "Okafor", date(1975, 7, 19), "grace@example.com", Progress.VISITED, -1),
    ("Olga", "Ivanova", date(1969, 3, 8), "olga@example.com", Progress.CHECKED_IN, -3),
]


def demo_token(visit: Visit) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"demo-link:{visit.pk}".encode(), hashlib.sha256).hexdigest()


def _visit_time(days_from_today: int, index: int) -> datetime:
    day = timezone.localdate() + timedelta(days=days_from_today)
    naive = datetime.combine(day, datetime.min.time()).replace(hour=9 + index % 8)
    return timezone.make_aware(naive)


def seed(*, clinician: User, reception: User) -> list[tuple[Visit, str]]:
    """Create the demo patients, visits and links. Returns each visit with its patient URL."""
    seeded = []
    for index, (first, last, dob, email, state, days) in enumerate(DEMO_PATIENTS):
        patient, _ = Patient.objects.get_or_create(
            first_name=first,
            last_name=last,
            date_of_birth=dob,
            defaults={"email": email, "phone": f"+1201555{100 + index:04d}"},
        )
        visit = patient.visits.first()
        if visit is None:
            scheduled_at = _visit_time(days, index)
            course = Course.objects.create(
                patient=patient, lead_clinician=clinician, opened_at=scheduled_at - timedelta(days=7)
            )
            visit = Visit(
                patient=patient, course=course, clinician=clinician, created_by=reception, scheduled_at=scheduled_at
            )
            reached = [stamp for progress, stamp in PROGRESS_STAMPS[: Progress.values.index(state)]]
            for offset, stamp in enumerate(reached):
                # Demo timestamps only: the screening and consent demo data fill in the records behind them.
                setattr(visit, stamp, visit.scheduled_at - timedelta(days=3) + timedelta(minutes=10 * offset))
            visit.save()
        token = demo_token(visit)
        if not AccessLink.objects.filter(token_hash=hash_token(token)).exists():
            AccessLink.objects.filter(visit=visit, revoked_at__isnull=True).update(revoked_at=timezone.now())
            AccessLink.objects.create(
                visit=visit, token_hash=hash_token(token), created_by=reception, expires_at=link_expiry(visit)
            )
        seeded.append((visit, patient_url(token)))
    return seeded


def invite_before_first_step() -> int:
    """Demo visits are created now with steps dated in the past: date each invitation a day before the
    link was opened, so the clinic's funnel never shows a negative time from invited to opened."""
    return Visit.objects.filter(opened_at__lt=F("created_at")).update(created_at=F("opened_at") - timedelta(days=1))
