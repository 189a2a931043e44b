import pytest
from django.utils import timezone

from intake.journey.understanding import QUESTIONS
from intake.models import UnderstandingResult, Visit
from tests.helpers import open_patient_session
from tests.screening.screening_data import answer_everything

RIGHT = {question.key: question.correct for question in QUESTIONS}


@pytest.fixture
def screened_client(client, patient_link):
    link, token = patient_link
    open_patient_session(client, token, link)
    client.post("/patient/about-dry-needling/", {"read": "on"})
    answer_everything(client)
    return client


def test_the_check_covers_the_key_facts():
    keys = {question.key for question in QUESTIONS}
    assert {"injected", "soreness", "breathless", "optional"} <= keys
    assert len(QUESTIONS) >= 4
    for question in QUESTIONS:
        assert question.correct in dict(question.choices)
        assert question.section.heading  # each wrong answer has a part of the explanation to show


@pytest.mark.django_db
def test_all_right_at_the_first_try_passes_and_marks_the_visit(screened_client, visit):
    response = screened_client.post("/patient/check/", RIGHT)
    assert response.status_code == 302
    assert response["Location"] == "/patient/consent/"
    result = UnderstandingResult.objects.get(visit=visit)
    assert result.first_try == dict.fromkeys(RIGHT, True)
    assert result.attempts == 1
    assert result.passed_at is not None
    visit.refresh_from_db()
    assert visit.understanding_done_at is not None


@pytest.mark.django_db
def test_a_wrong_answer_shows_that_part_again_and_the_first_try_is_kept(screened_client, visit):
    wrong = {**RIGHT, "breathless": "wait", "injected": "yes"}
    response = screened_client.post("/patient/check/", wrong)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Not quite" in page
    assert 'id="explain-risks"' in page  # the part about breathlessness, shown again
    assert 'id="explain-what"' in page
    assert 'id="explain-optional"' not in page
    assert 'value="wait" checked' in page or 'checked value="wait"' in page or "wait" in page
    visit.refresh_from_db()
    assert visit.understanding_done_at is None

    response = screened_client.post("/patient/check/", RIGHT)
    assert response.status_code == 302
    result = UnderstandingResult.objects.get(visit=visit)
    assert result.first_try["breathless"] is False
    assert result.first_try["injected"] is False
    assert result.first_try["soreness"] is True
    assert sorted(result.first_try_wrong) == ["breathless", "injected"]
    assert result.attempts == 2


@pytest.mark.django_db
def test_unanswered_or_unknown_answers_get_messages_not_a_grade(screened_client, visit):
    response = screened_client.post("/patient/check/", {**RIGHT, "soreness": "forever", "optional": ""})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Please choose one of the answers shown." in page
    assert "Please choose an answer." in page
    assert not UnderstandingResult.objects.filter(visit=visit).exists()


@pytest.mark.django_db
def test_a_replayed_check_after_passing_changes_nothing(screened_client, visit):
    screened_client.post("/patient/check/", RIGHT)
    response = screened_client.post("/patient/check/", {**RIGHT, "injected": "yes"})
    assert response.status_code == 302
    result = UnderstandingResult.objects.get(visit=visit)
    assert result.attempts == 1
    assert result.first_try["injected"] is True
    assert b"every question correctly" in screened_client.get("/patient/check/").content


@pytest.mark.django_db
def test_after_signing_the_screening_can_still_be_read(screened_client, visit):
    screened_client.post("/patient/check/", RIGHT)
    Visit.objects.filter(pk=visit.pk).update(signed_at=timezone.now())
    assert screened_client.get("/patient/screening/answers/").status_code == 200
    assert screened_client.get("/patient/before-your-visit/").status_code == 200
