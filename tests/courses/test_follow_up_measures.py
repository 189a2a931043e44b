"""Before each later session the patient's pain now and the activities named at the first visit, re-rated
with last time's ratings pre-filled; every 4th session the change since they started (issue 15)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.utils import timezone

from intake.links.tokens import new_token
from intake.models import OutcomeMoment, OutcomeResponse
from intake.outcomes.services import record_outcomes
from portal.models import AuditEvent
from tests.courses.conftest import NOTHING_CHANGED, SINCE_LAST_SESSION, answered, checked
from tests.factories import AccessLinkFactory, VisitFactory
from tests.helpers import open_patient_session

PAGE = SINCE_LAST_SESSION
SVG = "{http://www.w3.org/2000/svg}"
NAMED = {
    "psfs_activity_1": "Carry the shopping",
    "psfs_rating_1": 2,
    "psfs_activity_2": "Sleep on my side",
    "psfs_rating_2": 5,
}


@pytest.fixture
def named(first_session):
    """At the first visit the patient named two activities (pain from the screening: 3)."""
    return record_outcomes(visit=first_session, moment=OutcomeMoment.FIRST_VISIT, answers=NAMED, by_patient=True)


def test_the_activities_are_shown_with_last_times_ratings_pre_filled(named, follow_up_client):
    page = follow_up_client.get(PAGE).content.decode()
    assert "Things that are hard to do. Last time you said:" in page
    assert "<li>Carry the shopping: 2 out of 10</li>" in page
    assert checked(page, "psfs_rating_1") == ["2"]
    assert checked(page, "psfs_rating_2") == ["5"]
    assert 'data-show-if-item="activities_same"' in page  # folded away until "some are different"
    assert 'name="groc"' not in page  # session 2: no change question


def test_about_the_same_keeps_last_times_ratings_and_records_this_sessions_measures(named, follow_up_client, follow_up):
    response = follow_up_client.post(
        PAGE,
        {**NOTHING_CHANGED, "activities_same": "same", "psfs_rating_1": "9"},  # a stray tap is ignored
    )
    assert response.status_code == 302
    saved = OutcomeResponse.objects.get(visit=follow_up)
    assert saved.moment == OutcomeMoment.BEFORE_SESSION and saved.entered_by is None
    assert saved.nprs == 3  # the "pain now" of this page (NOTHING_CHANGED)
    assert saved.answers["psfs_rating_1"] == 2 and saved.answers["psfs_rating_2"] == 5
    assert saved.answers["psfs_activity_1"] == "Carry the shopping"
    assert float(saved.psfs) == 3.5 and saved.groc is None
    assert saved.psfs_change == 0 and saved.nprs_change == 0


def test_some_are_different_stores_the_new_ratings(named, follow_up_client, follow_up):
    follow_up_client.post(
        PAGE,
        {**NOTHING_CHANGED, "pain_now": "1", "activities_same": "changed", "psfs_rating_1": "6", "psfs_rating_2": "5"},
    )
    saved = OutcomeResponse.objects.get(visit=follow_up)
    assert (saved.answers["psfs_rating_1"], saved.answers["psfs_rating_2"]) == (6, 5)
    assert float(saved.psfs) == 5.5 and float(saved.psfs_change) == 2.0
    assert saved.nprs == 1 and saved.nprs_change == -2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"activities_same": ""}, "activities_same"),
        ({"activities_same": "maybe"}, "activities_same"),
        ({"activities_same": "changed", "psfs_rating_1": "11"}, "psfs_rating_1"),
        ({"activities_same": "changed", "psfs_rating_1": "", "psfs_rating_2": "5"}, "psfs_rating_1"),
    ],
)
def test_bad_activity_answers_get_a_message_and_nothing_is_saved(named, follow_up_client, follow_up, changes, field):
    response = follow_up_client.post(PAGE, {**NOTHING_CHANGED, "psfs_rating_2": "5", **changes})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing you typed has been lost." in page
    assert re.search(
        rf'id="error_\d+_id_{field}|id="id_{field}[^"]*"[^>]*is-invalid|is-invalid[^>]*name="{field}"', page
    )
    assert not OutcomeResponse.objects.filter(visit=follow_up).exists()
    assert checked(page, "soreness_worst") == ["4"]  # what they answered stays on the page


def test_without_named_activities_the_pain_now_still_becomes_the_sessions_measure(
    first_session, follow_up_client, follow_up
):
    page = follow_up_client.get(PAGE).content.decode()
    assert 'name="activities_same"' not in page
    follow_up_client.post(PAGE, NOTHING_CHANGED)
    saved = OutcomeResponse.objects.get(visit=follow_up)
    assert (saved.nprs, saved.psfs, saved.pain_from_screening) == (3, None, True)


def test_a_clinicians_entry_for_the_session_is_not_overwritten(named, follow_up_client, follow_up, clinician):
    record_outcomes(
        visit=follow_up,
        moment=OutcomeMoment.BEFORE_SESSION,
        answers={
            "pain_now": 6,
            "pain_worst": 8,
            "pain_best": 2,
            "psfs_activity_1": "Carry the shopping",
            "psfs_rating_1": 1,
        },
        by=clinician,
    )
    page = follow_up_client.get(PAGE).content.decode()
    assert 'name="activities_same"' not in page  # already noted with the clinician: not asked again
    follow_up_client.post(PAGE, NOTHING_CHANGED)
    saved = OutcomeResponse.objects.get(visit=follow_up)
    assert saved.entered_by == clinician and saved.nprs == 6
    assert AuditEvent.objects.filter(action="outcomes.patient_answers_not_applied", patient=follow_up.patient).exists()


def test_a_clinicians_later_save_replaces_the_patients_answers(named, follow_up_client, follow_up, client, clinician):
    follow_up_client.post(PAGE, {**NOTHING_CHANGED, "activities_same": "same"})
    client.force_login(clinician)
    page = client.get(f"/staff/visits/{follow_up.pk}/measures/").content.decode()
    assert 'value="Carry the shopping"' in page  # the clinician starts from the patient's answers
    response = client.post(
        f"/staff/visits/{follow_up.pk}/measures/",
        {
            "moment": "before_session",
            "pain_now": "2",
            "pain_worst": "4",
            "pain_best": "1",
            "psfs_activity_1": "Carry the shopping",
            "psfs_rating_1": "7",
        },
    )
    assert response.status_code == 302
    saved = OutcomeResponse.objects.get(visit=follow_up)
    assert saved.entered_by == clinician and saved.nprs == 2 and float(saved.psfs) == 7.0


def _session(first_session, days: int):
    visit = VisitFactory(
        patient=first_session.patient, course=first_session.course, scheduled_at=timezone.now() - timedelta(days=days)
    )
    answered(
        visit,
        {
            **NOTHING_CHANGED,
            "blood_thinner": "no",
            "pregnant": "no",
            "unwell_today": "no",
            "new_condition": "no",
            "new_medicines": "no",
        },
        questionnaire="follow_up",
        when=timezone.now() - timedelta(days=days + 1),
    )
    return visit


@pytest.fixture
def fourth_session_client(client, named, first_session):
    _session(first_session, 10)
    _session(first_session, 5)
    fourth = VisitFactory(
        patient=first_session.patient, course=first_session.course, scheduled_at=timezone.now() + timedelta(days=1)
    )
    assert fourth.session_number == 4
    token = new_token()
    open_patient_session(client, token, AccessLinkFactory(visit=fourth, token=token))
    return client, fourth


def test_every_fourth_session_also_asks_the_change_since_the_start_in_words(fourth_session_client):
    client, fourth = fourth_session_client
    page = client.get(PAGE).content.decode()
    assert "How are you now, compared with when you started?" in page
    assert "A very great deal better" in page and "About the same" in page and "A very great deal worse" in page
    response = client.post(PAGE, {**NOTHING_CHANGED, "activities_same": "same"})
    assert response.status_code == 200 and "Please answer this question." in response.content.decode()
    assert not OutcomeResponse.objects.filter(visit=fourth).exists()
    assert client.post(PAGE, {**NOTHING_CHANGED, "activities_same": "same", "groc": "8"}).status_code == 200
    response = client.post(PAGE, {**NOTHING_CHANGED, "activities_same": "same", "groc": "4"})
    assert response.status_code == 302
    saved = OutcomeResponse.objects.get(visit=fourth)
    assert saved.groc == 4 and saved.scores["groc"] == {"score": 4}


def test_the_change_question_is_in_spanish_for_a_spanish_visit(fourth_session_client):
    client, fourth = fourth_session_client
    fourth.language = "es"
    fourth.save(update_fields=["language"])
    page = client.get(PAGE).content.decode()
    assert "¿Cómo está ahora, comparado con cuando empezó?" in page
    assert "Muchísimo mejor" in page
    assert "Cosas que le cuesta hacer. La última vez nos dijo:" in page
    assert "Más o menos igual que la última vez" in page
    assert "2 de 10" in page


def test_the_clinicians_chart_shows_the_patients_own_points(named, follow_up_client, follow_up, client, clinician):
    follow_up_client.post(
        PAGE,
        {**NOTHING_CHANGED, "pain_now": "1", "activities_same": "changed", "psfs_rating_1": "6", "psfs_rating_2": "5"},
    )
    client.force_login(clinician)
    html = client.get(f"/staff/patients/{follow_up.patient.pk}/").content.decode()
    start = html.index("<svg", html.index('id="measures-chart"') - 200)
    root = ET.fromstring(html[start : html.index("</svg>", start) + 6])  # noqa: S314 - our own output
    series = {
        group.get("data-series"): [(el.get("data-x"), el.get("data-y")) for el in group if el.get("class") == "point"]
        for group in root.iter(f"{SVG}g")
        if group.get("data-series")
    }
    pain = next(points for name, points in series.items() if name.startswith("Pain"))
    activities = next(points for name, points in series.items() if name.startswith("Activities"))
    assert pain == [("1", "3"), ("2", "1")]
    assert activities == [("1", "3.5"), ("2", "5.5")]


def test_a_name_with_markup_entered_by_staff_is_shown_as_text(first_session, follow_up_client, clinician):
    record_outcomes(
        visit=first_session,
        moment=OutcomeMoment.FIRST_VISIT,
        answers={"psfs_activity_1": "<b>Lift</b> & carry", "psfs_rating_1": 3},
        by=clinician,
    )
    page = follow_up_client.get(PAGE).content.decode()
    assert "<b>Lift</b>" not in page
    assert "&lt;b&gt;Lift&lt;/b&gt; &amp; carry" in page
