from datetime import UTC, datetime, timedelta

import pytest

from intake.models import CheckIn, OutcomeMoment, ScreeningResponse
from intake.outcomes.services import record_outcomes
from tests.aftercare.conftest import record_visit
from tests.factories import PatientFactory, VisitFactory

START = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
# Three sessions a week apart: pain 7 -> 5 -> 4, activity mean 3 -> 4.5 -> 6, soreness easing each time.
COURSE = [
    {"pain": (7, 9, 4), "ratings": (2, 4), "after": 3, "checkins": [(24, 5), (72, 2)]},
    {"pain": (5, 7, 3), "ratings": (4, 5), "after": 2, "checkins": [(24, 4), (72, 1)]},
    {"pain": (4, 6, 2), "ratings": (6, 6), "after": None, "checkins": [(24, 3)]},
]


def make_course(patient=None, clinician=None, sessions=COURSE, start=START):
    patient = patient or PatientFactory()
    visits = []
    for index, session in enumerate(sessions):
        treated = start + timedelta(days=7 * index)
        visit = VisitFactory(patient=patient, scheduled_at=treated, clinician=clinician)
        now, worst, best = session["pain"]
        pain = {"pain_now": now, "pain_worst": worst, "pain_best": best}
        activities = {
            "psfs_activity_1": "Lift my child",
            "psfs_rating_1": session["ratings"][0],
            "psfs_activity_2": "Climb stairs",
            "psfs_rating_2": session["ratings"][1],
        }
        if index == 0:
            ScreeningResponse.objects.create(visit=visit, questionnaire_version="2026.1", answers=pain)
            record_outcomes(visit=visit, moment=OutcomeMoment.FIRST_VISIT, answers=activities, now=treated)
        else:
            record_outcomes(
                visit=visit, moment=OutcomeMoment.BEFORE_SESSION, answers={**pain, **activities}, now=treated
            )
        record_visit(visit, treated_at=treated, soreness_after=session["after"])
        for hours, value in session["checkins"]:
            window = "24h" if hours < 48 else "72h"
            checkin = CheckIn.objects.create(visit=visit, window=window, soreness=value, trend="better")
            CheckIn.objects.filter(pk=checkin.pk).update(submitted_at=treated + timedelta(hours=hours))
        visits.append(visit)
    return patient, visits


@pytest.fixture
def course(db):
    return make_course()
