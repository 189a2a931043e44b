"""The first visit: the patient names up to 3 things that are hard to do, right after the pain questions,
and rates each; with the screening's pain they become the visit's measures (issue 15)."""

from __future__ import annotations

import re

import pytest

from intake.models import OutcomeMoment, OutcomeResponse
from intake.outcomes.services import record_outcomes
from portal.models import AuditEvent
from tests.factories import AccessLinkFactory, VisitFactory
from tests.helpers import open_patient_session
from tests.screening.screening_data import post_section

PAGE = "/patient/screening/your-activities/"
pytestmark = pytest.mark.django_db


def _open(client, visit):
    from intake.links.tokens import new_token

    token = new_token()
    open_patient_session(client, token, AccessLinkFactory(visit=visit, token=token))
    client.post("/patient/about-dry-needling/", {"read": "on"})
    return client


@pytest.fixture
def first_visit():
    return VisitFactory()


@pytest.fixture
def at_activities(client, first_visit):
    """The patient has answered "about you" and "your pain" (pain now 3, worst 6, best 1)."""
    _open(client, first_visit)
    post_section(client, "about_you")
    response = post_section(client, "pain")
    assert response["Location"] == PAGE
    return client


def test_the_activities_come_right_after_the_pain_questions_and_become_the_first_visit_measures(
    at_activities, first_visit
):
    page = at_activities.get(PAGE).content.decode()
    assert "Things that are hard to do" in page
    assert "Name up to 3 things" in page
    response = at_activities.post(
        PAGE,
        {
            "psfs_activity_1": "Carry the shopping",
            "psfs_rating_1": "2",
            "psfs_activity_2": "Sleep on my left side",
            "psfs_rating_2": "5",
        },
    )
    assert response["Location"] == "/patient/screening/"
    assert at_activities.get("/patient/screening/")["Location"] == "/patient/screening/safety/"

    saved = OutcomeResponse.objects.get(visit=first_visit)
    assert saved.moment == OutcomeMoment.FIRST_VISIT
    assert saved.entered_by is None and saved.pain_from_screening
    assert saved.nprs == 3  # pain now, from the screening's pain section: asked once
    assert float(saved.psfs) == 3.5  # (2 + 5) / 2, scored by the server
    assert saved.answers["psfs_activity_2"] == "Sleep on my left side"
    assert saved.scores["nprs"]["worst"]["score"] == 6
    event = AuditEvent.objects.get(action="outcomes.recorded", patient=first_visit.patient)
    assert event.details["by_patient"] is True
    assert "Carry" not in str(event.details)


def test_the_page_shows_what_was_saved_when_the_patient_comes_back(at_activities):
    at_activities.post(PAGE, {"psfs_activity_1": "Climb stairs", "psfs_rating_1": "6"})
    page = at_activities.get(PAGE).content.decode()
    assert 'value="Climb stairs"' in page
    checked = [tag for tag in re.findall(r"<input[^>]*>", page) if 'name="psfs_rating_1"' in tag and " checked" in tag]
    assert len(checked) == 1 and 'value="6"' in checked[0]


def test_a_number_tapped_by_mistake_can_be_taken_back(at_activities, first_visit):
    page = at_activities.get(PAGE).content.decode()
    assert 'name="psfs_rating_2" value=""' in page and "No number" in page
    assert 'name="psfs_rating_1" value=""' not in page  # the first thing is required: no way to skip it
    response = at_activities.post(PAGE, {"psfs_activity_1": "Walk", "psfs_rating_1": "4", "psfs_rating_2": ""})
    assert response.status_code == 302
    assert OutcomeResponse.objects.get(visit=first_visit).answers.get("psfs_rating_2") in (None, "")


@pytest.mark.parametrize(
    ("posted", "field", "message"),
    [
        ({"psfs_activity_1": "", "psfs_rating_1": ""}, "psfs_activity_1", "Please answer this question."),
        ({"psfs_activity_1": "Walk", "psfs_rating_1": "11"}, "psfs_rating_1", "Choose a number from 0 to 10."),
        ({"psfs_activity_1": "Walk", "psfs_rating_1": "-1"}, "psfs_rating_1", "Choose a number from 0 to 10."),
        ({"psfs_activity_1": "Walk", "psfs_rating_1": "four"}, "psfs_rating_1", "Choose a number from 0 to 10."),
        ({"psfs_activity_1": "W" * 101, "psfs_rating_1": "4"}, "psfs_activity_1", "100 characters or fewer"),
        (
            {"psfs_activity_1": "<script>alert(1)</script>", "psfs_rating_1": "4"},
            "psfs_activity_1",
            "without the signs &lt; and &gt;",
        ),
        (
            {"psfs_activity_1": "Walk", "psfs_rating_1": "4", "psfs_activity_2": "Lift"},
            "psfs_rating_2",
            "Please choose a number for this one.",
        ),
        (
            {"psfs_activity_1": "Walk", "psfs_rating_1": "4", "psfs_rating_3": "7"},
            "psfs_activity_3",
            "Please write what this thing is",
        ),
        (
            {
                "psfs_activity_1": "Walk",
                "psfs_rating_1": "4",
                "psfs_activity_2": "Lift",
                "psfs_rating_2": "4",
                "psfs_activity_3": "Drive",
                "psfs_rating_3": "4",
                "psfs_activity_4": "Sleep",
                "psfs_rating_4": "4",
            },
            None,
            "You can name up to 3 things.",
        ),
    ],
)
def test_bad_answers_get_a_clear_message_keep_what_was_typed_and_store_nothing(
    at_activities, first_visit, posted, field, message
):
    response = at_activities.post(PAGE, posted)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "Nothing you typed has been lost." in page
    if field:
        assert f'href="#id_{field}' in page  # the summary links to the question
    typed = posted.get("psfs_activity_1")
    if typed and len(typed) <= 100:
        assert 'value="Walk"' in page or "&lt;script&gt;" in page
    assert "<script>alert(1)</script>" not in page
    assert not OutcomeResponse.objects.filter(visit=first_visit).exists()


def test_the_service_ignores_a_fourth_activity_and_refuses_an_out_of_range_rating(first_visit):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as problem:
        record_outcomes(
            visit=first_visit,
            moment=OutcomeMoment.FIRST_VISIT,
            answers={"psfs_activity_1": "Walk", "psfs_rating_1": 12},
            by_patient=True,
        )
    assert "psfs_rating_1" in problem.value.message_dict
    saved = record_outcomes(
        visit=first_visit,
        moment=OutcomeMoment.FIRST_VISIT,
        answers={"psfs_activity_1": "Walk", "psfs_rating_1": 4, "psfs_activity_4": "Sleep", "psfs_rating_4": 9},
        by_patient=True,
    )
    assert "psfs_activity_4" not in saved.answers and float(saved.psfs) == 4.0


def test_skipping_keeps_the_pain_as_the_first_measure_and_does_not_ask_again(at_activities, first_visit):
    response = at_activities.post(PAGE, {"skip": "skip"})
    assert response["Location"] == "/patient/screening/"
    saved = OutcomeResponse.objects.get(visit=first_visit)
    assert (saved.nprs, saved.psfs) == (3, None)
    assert at_activities.get("/patient/screening/")["Location"] == "/patient/screening/safety/"


def test_changing_the_pain_answers_afterwards_updates_the_copied_pain(at_activities, first_visit):
    at_activities.post(PAGE, {"psfs_activity_1": "Walk", "psfs_rating_1": "4"})
    response = post_section(at_activities, "pain", {"pain_now": "7"})
    assert response["Location"] == "/patient/screening/safety/"  # asked once: not again after an edit
    saved = OutcomeResponse.objects.get(visit=first_visit)
    assert saved.nprs == 7 and float(saved.psfs) == 4.0 and saved.entered_by is None


def test_a_clinicians_entry_is_kept_and_the_patient_is_not_asked(at_activities, first_visit, clinician):
    record_outcomes(
        visit=first_visit,
        moment=OutcomeMoment.FIRST_VISIT,
        answers={"psfs_activity_1": "Play tennis", "psfs_rating_1": 3},
        by=clinician,
    )
    assert at_activities.get(PAGE)["Location"] == "/patient/screening/"
    at_activities.post(PAGE, {"psfs_activity_1": "Walk", "psfs_rating_1": "9"})
    saved = OutcomeResponse.objects.get(visit=first_visit)
    assert saved.answers["psfs_activity_1"] == "Play tennis" and saved.entered_by == clinician
    # The service itself keeps it too, and says so in the audit trail.
    record_outcomes(
        visit=first_visit,
        moment=OutcomeMoment.FIRST_VISIT,
        answers={"psfs_activity_1": "Walk", "psfs_rating_1": 9},
        by_patient=True,
    )
    saved.refresh_from_db()
    assert saved.answers["psfs_activity_1"] == "Play tennis"
    assert AuditEvent.objects.filter(action="outcomes.patient_answers_not_applied").exists()


def test_the_page_waits_for_the_pain_questions(client, first_visit):
    _open(client, first_visit)
    assert client.get(PAGE)["Location"] == "/patient/screening/"
    post_section(client, "about_you")
    assert client.get(PAGE)["Location"] == "/patient/screening/"
    assert client.get("/patient/screening/")["Location"] == "/patient/screening/pain/"


def test_the_page_is_in_spanish_for_a_spanish_visit(client):
    visit = VisitFactory(language="es")
    _open(client, visit)
    post_section(client, "about_you")
    post_section(client, "pain")
    page = client.get(PAGE).content.decode()
    assert "Cosas que le cuesta hacer" in page
    assert "Cosa 1 que le cuesta hacer" in page
    assert "Omitir" in page
    page = client.post(
        PAGE, {"psfs_activity_1": "Caminar", "psfs_rating_1": "3", "psfs_activity_2": "Dormir"}
    ).content.decode()
    assert "Elija un número para esta." in page
    assert "Please choose" not in page
