"""A course with one session done and signed, and a follow-up visit whose link the patient has opened."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from intake import questionnaires
from intake.demo.screening import calm_answers
from intake.links.tokens import new_token
from intake.models import ScreeningResponse
from intake.screening.rules import compute
from tests.aftercare.conftest import record_visit
from tests.consent.conftest import consent_version, sign  # noqa: F401  (fixtures)
from tests.factories import AccessLinkFactory, VisitFactory
from tests.helpers import open_patient_session

# The follow-up visit's "since your last session" page.
SINCE_LAST_SESSION = "/patient/since-your-last-session/"


def checked(page: str, name: str) -> list[str]:
    """The values of the ticked boxes or radios named `name` on a page."""
    tags = re.findall(r"<input[^>]*>", page)
    return [
        re.search(r'value="([^"]*)"', tag).group(1)
        for tag in tags
        if f'name="{name}"' in tag and re.search(r"\bchecked\b", tag)
    ]


def answered(visit, answers: dict, *, questionnaire: str = "screening", when=None) -> ScreeningResponse:
    """Stored answers with the server's own scores and flags, as the screening pages leave them."""
    definition = questionnaires.load(questionnaire)
    scores, flags, level = compute(definition, answers, visit=visit)
    response = ScreeningResponse.objects.create(
        visit=visit,
        questionnaire=questionnaire,
        questionnaire_version=definition.version,
        answers=answers,
        scores=scores,
        flags=flags,
        flag_level=level,
        sections_done=definition.section_keys,
        submitted_at=when or timezone.now(),
    )
    visit.flag_level = level
    visit.save(update_fields=["flag_level"])
    visit.mark("screening_done_at", response.submitted_at)
    return response


@pytest.fixture
def first_session(db, clinician, sign):  # noqa: F811
    """Session 1: screened (calm answers, low back), signed and treated two weeks ago."""
    visit = VisitFactory(clinician=clinician, ready_to_sign=True, scheduled_at=timezone.now() - timedelta(days=14))
    answered(visit, calm_answers(), when=timezone.now() - timedelta(days=15))
    sign(visit)
    record_visit(visit, regions=("lower_back",), treated_at=visit.scheduled_at)
    return visit


@pytest.fixture
def follow_up(first_session):
    return VisitFactory(
        patient=first_session.patient,
        course=first_session.course,
        clinician=first_session.clinician,
        scheduled_at=timezone.now() + timedelta(days=1),
    )


@pytest.fixture
def follow_up_client(client, follow_up):
    token = new_token()
    link = AccessLinkFactory(visit=follow_up, token=token)
    open_patient_session(client, token, link)
    return client


NOTHING_CHANGED = {
    "soreness_worst": "4",
    "soreness_now": "1",
    "after_effects": ["none"],
    "pain_now": "3",
    "safety_same": "same",
}
from tests.staff.conftest import as_user  # noqa: E402,F401  (fixture)
