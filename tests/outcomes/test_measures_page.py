"""The clinician records pain, activities and change with the patient; bad input is explained, nothing lost."""

from datetime import timedelta

import pytest

from intake.models import OutcomeMoment, OutcomeResponse, ScreeningResponse, VisitRecord
from portal.models import AuditEvent
from tests.aftercare.conftest import record_visit
from tests.factories import VisitFactory
from tests.outcomes.conftest import make_course

SESSION = {
    "moment": OutcomeMoment.BEFORE_SESSION,
    "pain_now": "5",
    "pain_worst": "7",
    "pain_best": "2",
    "psfs_activity_1": "Lift my child",
    "psfs_rating_1": "4",
}


def test_a_first_visit_takes_the_activities_and_the_pain_from_the_screening(client, clinician, db):
    visit = VisitFactory()
    ScreeningResponse.objects.create(
        visit=visit, questionnaire_version="2026.1", answers={"pain_now": 6, "pain_worst": 8, "pain_best": 3}
    )
    client.force_login(clinician)
    page = client.get(f"/staff/visits/{visit.pk}/measures/")
    assert 'value="first_visit" selected' in page.content.decode()
    response = client.post(
        f"/staff/visits/{visit.pk}/measures/",
        {"moment": "first_visit", "psfs_activity_1": "Run", "psfs_rating_1": "3"},
    )
    assert response.status_code == 302
    saved = OutcomeResponse.objects.get(visit=visit)
    assert (saved.nprs, float(saved.psfs), saved.pain_from_screening) == (6, 3.0, True)
    assert AuditEvent.objects.filter(action="outcomes.recorded", patient=visit.patient).exists()


def test_a_later_session_offers_the_activities_named_first_in_its_course(client, clinician, db):
    patient, visits = make_course()
    later = VisitFactory(
        patient=patient, course=visits[0].course, scheduled_at=visits[-1].scheduled_at + timedelta(days=7)
    )
    client.force_login(clinician)
    page = client.get(f"/staff/visits/{later.pk}/measures/")
    html = page.content.decode()
    assert 'value="Lift my child"' in html
    assert 'value="before_session" selected' in html
    assert page.context["session"] == len(visits) + 1


def test_a_new_course_starts_its_measures_afresh(client, clinician, db):
    # A new complaint opens a new course: its first visit names its own activities, session 1.
    patient, visits = make_course()
    other = VisitFactory(patient=patient, scheduled_at=visits[-1].scheduled_at + timedelta(days=30))
    assert other.course_id != visits[0].course_id
    client.force_login(clinician)
    page = client.get(f"/staff/visits/{other.pk}/measures/")
    html = page.content.decode()
    assert 'value="Lift my child"' not in html
    assert 'value="first_visit" selected' in html
    assert page.context["session"] == 1


def test_soreness_right_after_is_saved_once_the_session_is_recorded(client, clinician, db):
    visit = VisitFactory()
    record_visit(visit)
    client.force_login(clinician)
    response = client.post(f"/staff/visits/{visit.pk}/measures/", {**SESSION, "soreness_after": "3", "groc": "2"})
    assert response.status_code == 302
    assert VisitRecord.objects.get(visit=visit).soreness_after == 3
    assert OutcomeResponse.objects.get(visit=visit).groc == 2


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"pain_now": "11"}, "pain_now", "Too high: 10 is the highest."),
        ({"pain_now": "lots"}, "pain_now", "Enter a whole number."),
        ({"pain_now": ""}, "pain_now", "Please answer this question."),
        ({"psfs_rating_1": ""}, "psfs_rating_1", "Give each activity a name and a rating."),
        ({"groc": "-8"}, "groc", "Too low: -7 is the lowest."),
        ({"moment": "whenever"}, "moment", "Select a valid choice."),
        ({"psfs_activity_1": "x" * 101}, "psfs_activity_1", "at most 100 characters"),
    ],
)
def test_bad_input_is_explained_and_what_was_typed_stays(client, clinician, db, change, field, message):
    visit = VisitFactory()
    client.force_login(clinician)
    response = client.post(f"/staff/visits/{visit.pk}/measures/", {**SESSION, **change})
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'value="Lift my child"' in html or field == "psfs_activity_1"
    assert not OutcomeResponse.objects.exists()


def test_every_fourth_session_suggests_the_change_question(client, clinician, db):
    patient, visits = make_course()  # three sessions
    course, last = visits[0].course, visits[-1].scheduled_at
    fourth = VisitFactory(patient=patient, course=course, scheduled_at=last + timedelta(days=7))
    client.force_login(clinician)
    html = client.get(f"/staff/visits/{fourth.pk}/measures/").content.decode()
    assert "Session 4: ask the change question too" in html
    fifth = VisitFactory(patient=patient, course=course, scheduled_at=last + timedelta(days=14))
    assert "ask the change question" not in client.get(f"/staff/visits/{fifth.pk}/measures/").content.decode()
