import pytest
from django.test import Client


@pytest.fixture
def as_user():
    """as_user(user) -> a test client logged in as that staff member."""

    def login(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return login


# Signing a consent through the consent app's own service, for records, the review queue and FHIR.
from tests.consent.conftest import consent_version, sign  # noqa: E402, F401


@pytest.fixture
def screened_visit(db, clinician):
    """A visit with a submitted screening that raised a review flag."""
    from django.utils import timezone

    from intake.models import FlagLevel, ScreeningResponse
    from tests.factories import VisitFactory

    now = timezone.now()
    visit = VisitFactory(
        clinician=clinician,
        ready_to_sign=True,
        flag_level=FlagLevel.REVIEW,
    )
    ScreeningResponse.objects.create(
        visit=visit,
        questionnaire_version="2026.1",
        answers={"comfort": ["lie_down", "stop_signal"], "pain_now": 6, "regions": ["neck", "lower_back"]},
        scores={"gad7": 11},
        flags=[
            {
                "code": "anticoagulant",
                "level": int(FlagLevel.REVIEW),
                "title": "Takes a blood thinner",
                "answer": "warfarin",
                "rule": "Anticoagulants raise the bleeding risk: review before needling.",
            }
        ],
        flag_level=FlagLevel.REVIEW,
        submitted_at=now,
    )
    return visit


@pytest.fixture
def consented_visit(screened_visit, sign):  # noqa: F811 - the fixture imported above
    """The screened visit, with a consent the patient signed two hours ago (before any session today)."""
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    with time_machine.travel(timezone.now() - timedelta(hours=2), tick=False):
        sign(screened_visit)
    return screened_visit
