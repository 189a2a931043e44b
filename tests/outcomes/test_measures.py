from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from intake.models import OutcomeMoment, OutcomeResponse, ScreeningResponse
from intake.outcomes import measures
from intake.outcomes.measures import Change
from intake.outcomes.services import record_outcomes
from intake.questionnaires import load, problems, versions
from portal.models import AuditEvent
from tests.factories import VisitFactory

D = measures.definition()
ACTIVITIES = {"psfs_activity_1": "Lift my child", "psfs_rating_1": 3, "psfs_activity_2": "Run", "psfs_rating_2": 4}
PAIN = {"pain_now": 6, "pain_worst": 8, "pain_best": 2}


def test_every_outcomes_version_is_complete_data():
    for version in versions("outcomes"):
        assert problems(load("outcomes", version)) == []


def test_each_measure_keeps_its_important_difference_and_its_source():
    for name in ("nprs", "psfs", "groc"):
        assert D.measures[name]["important"] in (2, 3)
        assert D.measures[name]["source"]
    assert D.measures["nprs"]["loinc"] == "72514-3"


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        (6, 4, Change.IMPROVED),  # exactly 2 points less pain
        (6, 5, Change.NO_IMPORTANT_CHANGE),
        (6, 7, Change.NO_IMPORTANT_CHANGE),
        (6, 8, Change.WORSE),  # exactly 2 points more
        (0, 0, Change.NO_IMPORTANT_CHANGE),
    ],
)
def test_pain_change_is_classified_at_the_two_point_boundary(first, last, expected):
    assert measures.classify(D, "nprs", first=first, last=last) == expected


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        (3, 5, Change.IMPROVED),
        (3, "4.9", Change.NO_IMPORTANT_CHANGE),  # a mean of ratings: 1.9 is not 2
        (5, 3.1, Change.NO_IMPORTANT_CHANGE),
        (5, 3, Change.WORSE),
    ],
)
def test_activity_change_is_higher_is_better_at_the_two_point_boundary(first, last, expected):
    assert measures.classify(D, "psfs", first=first, last=last) == expected


@pytest.mark.parametrize(
    ("groc", "expected"),
    [(3, Change.IMPROVED), (2, Change.NO_IMPORTANT_CHANGE), (-2, Change.NO_IMPORTANT_CHANGE), (-3, Change.WORSE)],
)
def test_global_rating_of_three_or_more_either_way_is_important(groc, expected):
    assert measures.classify(D, "groc", last=groc) == expected


def test_no_second_value_means_no_classification():
    assert measures.classify(D, "nprs", first=5, last=None) is None


def test_activities_score_is_the_mean_of_the_activities_named():
    scores = measures.compute(D, ACTIVITIES)
    assert scores["psfs"] == {"score": 3.5, "count": 2}


def test_first_visit_takes_pain_from_the_screening_instead_of_asking_twice(db):
    visit = VisitFactory()
    ScreeningResponse.objects.create(visit=visit, questionnaire_version="2026.1", answers=PAIN)
    response = record_outcomes(visit=visit, moment=OutcomeMoment.FIRST_VISIT, answers=ACTIVITIES)
    assert response.pain_from_screening
    assert response.nprs == 6
    assert response.psfs == Decimal("3.5")
    assert response.scores["nprs"]["worst"] == {"score": 8, "band": "severe"}
    event = AuditEvent.objects.get(action="outcomes.recorded")
    assert "Lift" not in str(event.details)


def test_a_session_asks_pain_and_activities_and_may_add_the_global_rating(db):
    visit = VisitFactory()
    response = record_outcomes(
        visit=visit, moment=OutcomeMoment.BEFORE_SESSION, answers={**PAIN, **ACTIVITIES, "groc": -3}, with_change=True
    )
    assert (response.nprs, response.groc) == (6, -3)


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({**ACTIVITIES, "pain_now": 11, "pain_worst": 8, "pain_best": 2}, "pain_now"),
        ({**ACTIVITIES, "pain_now": "lots", "pain_worst": 8, "pain_best": 2}, "pain_now"),
        ({**ACTIVITIES, "pain_worst": 8, "pain_best": 2}, "pain_now"),
        ({**PAIN, "psfs_activity_1": "Walk"}, "psfs_rating_1"),
        ({**PAIN, **ACTIVITIES, "psfs_rating_3": 5}, "psfs_activity_3"),
        ({**PAIN, **ACTIVITIES, "psfs_activity_2": "x" * 101}, "psfs_activity_2"),
    ],
)
def test_bad_answers_say_which_question_and_store_nothing(db, answers, field):
    visit = VisitFactory()
    with pytest.raises(ValidationError) as error:
        record_outcomes(visit=visit, moment=OutcomeMoment.BEFORE_SESSION, answers=answers)
    assert field in error.value.message_dict
    assert not OutcomeResponse.objects.exists()


def test_discharge_needs_the_global_rating_within_minus_7_to_7(db):
    visit = VisitFactory()
    with pytest.raises(ValidationError) as error:
        record_outcomes(visit=visit, moment=OutcomeMoment.DISCHARGE, answers={**PAIN, **ACTIVITIES, "groc": 8})
    assert "groc" in error.value.message_dict
