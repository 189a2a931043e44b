import dataclasses
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from intake.journey import steps as journey
from intake.models import ScreeningResponse, Visit
from portal.models import AuditEvent
from tests.helpers import open_patient_session
from tests.screening.screening_data import answer_everything


@pytest.fixture
def patient_client(client, patient_link):
    link, token = patient_link
    open_patient_session(client, token, link)
    return client


@pytest.mark.django_db
def test_the_progress_page_lists_every_step_and_points_to_the_first(patient_client, visit):
    response = patient_client.get("/patient/")
    assert response.status_code == 200
    page = response.content.decode()
    for title in ("About dry needling", "Health questions", "Quick check", "Consent", "Before your visit"):
        assert title in page
    assert "Continue: About dry needling" in page
    assert 'href="/patient/about-dry-needling/"' in page


@pytest.mark.django_db
def test_reading_the_explanation_needs_the_tick_and_is_recorded(patient_client, visit):
    response = patient_client.post("/patient/about-dry-needling/", {})
    assert response.status_code == 200
    assert b"Please tick the box" in response.content
    visit.refresh_from_db()
    assert visit.explanation_read_at is None

    response = patient_client.post("/patient/about-dry-needling/", {"read": "on"})
    assert response.status_code == 302
    assert response["Location"] == "/patient/screening/"
    visit.refresh_from_db()
    assert visit.explanation_read_at is not None
    assert visit.progress == "explained"
    assert AuditEvent.objects.filter(action="explanation.read").count() == 1


@pytest.mark.django_db
def test_a_replayed_explanation_form_changes_nothing(patient_client, visit):
    patient_client.post("/patient/about-dry-needling/", {"read": "on"})
    visit.refresh_from_db()
    first = visit.explanation_read_at
    response = patient_client.post("/patient/about-dry-needling/", {"read": "on"})
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.explanation_read_at == first
    assert AuditEvent.objects.filter(action="explanation.read").count() == 1


@pytest.mark.django_db
def test_the_screening_waits_for_the_explanation(patient_client, visit):
    response = patient_client.get("/patient/screening/")
    assert response["Location"] == "/patient/about-dry-needling/"
    response = patient_client.post("/patient/screening/pain/", {"main_complaint": "x"})
    assert response.status_code == 302
    assert response["Location"] == "/patient/about-dry-needling/"
    assert not ScreeningResponse.objects.exists()


@pytest.mark.django_db
def test_the_understanding_check_waits_for_the_screening(patient_client, visit):
    patient_client.post("/patient/about-dry-needling/", {"read": "on"})
    response = patient_client.post("/patient/check/", {"injected": "no"})
    assert response.status_code == 302
    assert response["Location"] == "/patient/screening/"


@pytest.mark.django_db
def test_a_patient_resumes_where_they_left_off_in_a_new_browser_session(client, patient_link, visit):
    link, token = patient_link
    open_patient_session(client, token, link)
    client.post("/patient/about-dry-needling/", {"read": "on"})
    from tests.screening.screening_data import post_section

    post_section(client, "about_you")
    post_section(client, "pain", {"main_complaint": "Sore calf after my long run"})

    fresh = Client()  # the browser was closed: a new session, the same link
    open_patient_session(fresh, token, link)
    page = fresh.get("/patient/").content.decode()
    assert "Continue: Health questions" in page
    response = fresh.get("/patient/screening/")
    # The things that are hard to do come right after the pain questions (issue 15), then the safety.
    assert response["Location"] == "/patient/screening/your-activities/"
    fresh.post("/patient/screening/your-activities/", {"psfs_activity_1": "Running", "psfs_rating_1": "4"})
    response = fresh.get("/patient/screening/")
    assert response["Location"] == "/patient/screening/safety/"
    # Earlier answers come back filled in.
    page = fresh.get("/patient/screening/pain/").content.decode()
    assert "Sore calf after my long run" in page


@pytest.mark.django_db
def test_a_section_ahead_of_the_first_unanswered_one_redirects_back(patient_client, visit):
    patient_client.post("/patient/about-dry-needling/", {"read": "on"})
    response = patient_client.get("/patient/screening/needles/")
    assert response["Location"] == "/patient/screening/about_you/"
    response = patient_client.post("/patient/screening/needles/", {"fainting": "no"})
    assert response["Location"] == "/patient/screening/about_you/"


@pytest.mark.django_db
def test_an_unknown_section_is_a_calm_404(patient_client, visit):
    patient_client.post("/patient/about-dry-needling/", {"read": "on"})
    assert patient_client.get("/patient/screening/nonsense/").status_code == 404


@pytest.mark.django_db
def test_the_whole_journey_marks_each_step(patient_client, visit):
    patient_client.post("/patient/about-dry-needling/", {"read": "on"})
    answer_everything(patient_client)
    visit.refresh_from_db()
    assert visit.screening_done_at is not None
    assert visit.progress == "screened"
    assert patient_client.get("/patient/screening/").headers["Location"] == "/patient/screening/answers/"
    page = patient_client.get("/patient/screening/answers/").content.decode()
    assert "Stiff calf after running" in page

    response = patient_client.post(
        "/patient/check/",
        {
            "injected": "no",
            "soreness": "days",
            "breathless": "emergency",
            "optional": "yes",
            "acupuncture": "different",
        },
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.understanding_done_at is not None
    assert patient_client.get("/patient/before-your-visit/").status_code == 200


@pytest.mark.django_db
def test_an_unanswered_quick_check_question_asks_for_an_answer_not_for_reading(patient_client, visit):
    patient_client.post("/patient/about-dry-needling/", {"read": "on"})
    answer_everything(patient_client)
    page = patient_client.post("/patient/check/", {"injected": "yes", "soreness": "weeks"}).content.decode()
    assert "Please answer every question, then check your answers." in page
    assert "not quite right" not in page
    page = patient_client.post(
        "/patient/check/",
        {
            "injected": "yes",
            "soreness": "days",
            "breathless": "emergency",
            "optional": "yes",
            "acupuncture": "different",
        },
    ).content.decode()
    assert "Some answers are not quite right" in page
    assert 'id="form-errors" tabindex="-1"' in page  # the script moves focus to it, as on the screening pages


def test_every_journey_step_names_a_page_that_exists():
    paths = [reverse(step.url_name) for step in journey.STEPS]
    assert paths == [
        "/patient/about-dry-needling/",
        "/patient/screening/",
        "/patient/check/",
        "/patient/consent/",
        "/patient/before-your-visit/",
    ]


@pytest.mark.django_db
def test_a_mistyped_step_url_name_fails_loudly(visit, monkeypatch):
    broken = dataclasses.replace(journey.STEPS[3], url_name="consent:sgin")
    monkeypatch.setattr(journey, "STEPS", [*journey.STEPS[:3], broken, *journey.STEPS[4:]])
    with pytest.raises(NoReverseMatch):
        journey.step_states(visit)


@pytest.mark.django_db
def test_after_the_visit_the_progress_page_points_to_aftercare(patient_client, visit):
    Visit.objects.filter(pk=visit.pk).update(visited_at=timezone.now() - timedelta(hours=2))
    page = patient_client.get("/patient/").content.decode()
    assert "Open your aftercare" in page
    assert 'href="/patient/aftercare/"' in page


@pytest.mark.django_db
def test_one_visits_session_cannot_read_another_visits_pages(client, patient_link):
    from intake.links.tokens import new_token
    from tests.factories import AccessLinkFactory

    link, token = patient_link
    other_token = new_token()
    other = AccessLinkFactory(token=other_token)
    open_patient_session(client, other_token, other)
    client.post("/patient/about-dry-needling/", {"read": "on"})
    answer_everything(client, {"pain": {"main_complaint": "Other patient's secret pain"}})

    mine = Client()
    open_patient_session(mine, token, link)
    for url in ("/patient/", "/patient/screening/answers/", "/patient/screening/pain/", "/patient/check/"):
        response = mine.get(url)
        assert b"secret pain" not in response.content
    # Without any grant every journey page is the calm 404.
    anonymous = Client()
    for url in (
        "/patient/",
        "/patient/about-dry-needling/",
        "/patient/screening/",
        "/patient/screening/pain/",
        "/patient/screening/answers/",
        "/patient/check/",
        "/patient/before-your-visit/",
    ):
        assert anonymous.get(url).status_code == 404, url
        assert anonymous.post(url, {}).status_code in (403, 404), url


@pytest.mark.django_db
def test_the_session_grant_expires(client, patient_link, settings):
    import time_machine

    link, token = patient_link
    open_patient_session(client, token, link)
    assert client.get("/patient/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.PATIENT_SESSION_SECONDS + 60)):
        assert client.get("/patient/").status_code == 404


@pytest.mark.django_db
def test_once_everything_is_signed_the_progress_page_leads_to_before_your_visit(patient_client, visit):
    now = timezone.now()
    Visit.objects.filter(pk=visit.pk).update(
        explanation_read_at=now, screening_done_at=now, understanding_done_at=now, signed_at=now
    )
    page = patient_client.get("/patient/").content.decode()
    assert "You have done everything" in page
    assert 'href="/patient/before-your-visit/"' in page


@pytest.mark.django_db
def test_the_patients_own_pages_are_audited_without_personal_data(patient_client, visit):
    now = timezone.now()
    Visit.objects.filter(pk=visit.pk).update(explanation_read_at=now, screening_done_at=now)
    for url, action in (
        ("/patient/", "journey.progress_viewed"),
        ("/patient/check/", "understanding.viewed"),
        ("/patient/before-your-visit/", "journey.before_visit_viewed"),
    ):
        assert patient_client.get(url).status_code == 200
        event = AuditEvent.objects.filter(action=action).get()
        assert event.patient_id == visit.patient_id
        assert event.access_link_id is not None
        assert visit.patient.first_name not in str(event.details)


def test_every_step_is_finished_by_a_journey_milestone_in_order():
    from intake.journey.milestones import STAMPS
    from intake.models import PROGRESS_STAMPS

    stamps = [step.stamp for step in journey.STEPS if step.stamp]
    assert all(stamp in STAMPS for stamp in stamps)
    assert stamps == sorted(stamps, key=STAMPS.index)
    # Progress follows the same list, so the board and the patient's steps never disagree.
    assert [stamp for _progress, stamp in PROGRESS_STAMPS] == STAMPS
