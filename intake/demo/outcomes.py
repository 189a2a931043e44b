"""The mid-course demo patient (seed_demo): three sessions a week apart with pain, activities and
soreness, so the course pictures and the outcomes page show something on a fresh demo.

Until courses of care land, the course is the patient's visits in time order; the courses seed may take
this patient over. Idempotent: the patient is found by name and date of birth, sessions by their date.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.utils import timezone

from intake.demo.patients import demo_token
from intake.links.tokens import hash_token, link_expiry, patient_url
from intake.models import (
    AccessLink,
    CheckIn,
    CheckInReminder,
    OutcomeMoment,
    Patient,
    ScreeningResponse,
    Visit,
    VisitRecord,
)
from intake.outcomes.services import record_outcomes
from portal.models import User

DEMO_PATIENT = ("Rosa", "Martínez", date(1981, 10, 2), "rosa@example.com")
ACTIVITIES = ("Lift my toddler", "Sit at my desk for an hour", "Turn my head to drive")
# days before today, pain now/worst/best, activity ratings, soreness right after, check-ins (hours, soreness, trend)
SESSIONS = [
    (15, (7, 8, 4), (2, 3, 4), 4, [(22, 6, "same"), (70, 2, "better")]),
    (8, (5, 7, 3), (4, 5, 5), 3, [(25, 4, "better"), (73, 1, "better")]),
    (1, (4, 6, 2), (6, 6, 7), 2, [(23, 3, "better")]),
]


def _at(days_ago: int) -> datetime:
    day = timezone.localdate() - timedelta(days=days_ago)
    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=10))


def seed(*, clinician: User, reception: User) -> tuple[list[Visit], str]:
    """Returns the sessions' visits, and the latest one's patient URL (its aftercare shows the soreness so far)."""
    first, last, dob, email = DEMO_PATIENT
    patient, _ = Patient.objects.get_or_create(
        first_name=first, last_name=last, date_of_birth=dob, defaults={"email": email, "phone": "555-0150"}
    )
    for number, (days_ago, pain, ratings, after, checkins) in enumerate(SESSIONS):
        treated = _at(days_ago)
        if patient.visits.filter(scheduled_at=treated).exists():
            continue  # this session is already seeded
        # Each session went through the journey, as every visit does until courses of care land (seed_demo
        # signs the consents).
        journey = ["opened_at", "explanation_read_at", "screening_done_at", "understanding_done_at", "signed_at"]
        stamps = {stamp: treated - timedelta(days=2, minutes=-10 * offset) for offset, stamp in enumerate(journey)}
        visit = Visit.objects.create(
            patient=patient, clinician=clinician, created_by=reception, scheduled_at=treated, **stamps
        )
        # Invited a few days before the session, so the funnel's times read as they would in a clinic.
        Visit.objects.filter(pk=visit.pk).update(created_at=treated - timedelta(days=4))
        answers = {"pain_now": pain[0], "pain_worst": pain[1], "pain_best": pain[2]}
        activities: dict[str, str | int] = {}
        for index, (activity, rating) in enumerate(zip(ACTIVITIES, ratings, strict=True), start=1):
            activities |= {f"psfs_activity_{index}": activity, f"psfs_rating_{index}": rating}
        if number == 0:
            ScreeningResponse.objects.create(
                visit=visit,
                questionnaire_version="2026.1",
                answers=answers,
                scores={"nprs": {"now": {"score": pain[0], "band": "severe" if pain[0] >= 7 else "moderate"}}},
                submitted_at=stamps["screening_done_at"],
            )
            first_visit = OutcomeMoment.FIRST_VISIT
            record_outcomes(visit=visit, moment=first_visit, answers=activities, by=clinician, now=treated)
        else:
            record_outcomes(
                visit=visit,
                moment=OutcomeMoment.BEFORE_SESSION,
                answers=answers | activities,
                by=clinician,
                now=treated,
            )
        VisitRecord.objects.create(
            visit=visit,
            treated_at=treated,
            regions=["neck", "upper_back"],
            chest_risk_area=True,
            notes="Demo session.",
            soreness_after=after,
            recorded_by=clinician,
        )
        visit.mark("visited_at", treated)
        for hours, soreness, trend in checkins:
            window: str = CheckIn.Window.DAY_1 if hours < 48 else CheckIn.Window.DAY_3
            checkin = CheckIn.objects.create(visit=visit, window=window, soreness=soreness, trend=trend)
            submitted = treated + timedelta(hours=hours)
            CheckIn.objects.filter(pk=checkin.pk).update(submitted_at=submitted)
            visit.mark("checked_in_at", submitted)
    sessions = list(patient.visits.order_by("scheduled_at"))
    for session in sessions:
        # Demo addresses are not real: mark the reminders sent, so the scheduler never re-issues a link.
        for window in CheckIn.Window.values:
            CheckInReminder.objects.get_or_create(visit=session, window=window)
        token = demo_token(session)
        if not AccessLink.objects.filter(token_hash=hash_token(token)).exists():
            AccessLink.objects.filter(visit=session, revoked_at__isnull=True).update(revoked_at=timezone.now())
            AccessLink.objects.create(
                visit=session, token_hash=hash_token(token), created_by=reception, expires_at=link_expiry(session)
            )
    return sessions, patient_url(demo_token(sessions[-1]))
