"""The screening pages: saving, editing, bad input, replays, and the read-only state after signing."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from intake import questionnaires
from intake.demo.screening import CALM_ANSWERS, calm_answers
from intake.models import FlagLevel, ScreeningResponse, Visit
from intake.screening.rules import effective_answers
from portal.models import AuditEvent
from tests.helpers import open_patient_session
from tests.screening.screening_data import answer_everything, post_section


@pytest.fixture
def patient_client(client, patient_link):
    link, token = patient_link
    open_patient_session(client, token, link)
    client.post("/patient/about-dry-needling/", {"read": "on"})
    return client


def answers_on_file(visit) -> dict:
    response = ScreeningResponse.objects.filter(visit=visit).first()
    return response.answers if response else {}


def reach(client, section: str) -> None:
    """Answer every section before `section` with the calm answers."""
    for key in CALM_ANSWERS:
        if key == section:
            return
        assert post_section(client, key).status_code == 302


@pytest.mark.django_db
def test_the_finished_screening_stores_version_scores_flags_and_the_visit_level(patient_client, visit):
    answer_everything(patient_client, {"safety": {"blood_thinner": "yes", "blood_thinner_which": ["warfarin"]}})
    response = ScreeningResponse.objects.get(visit=visit)
    assert response.questionnaire_version == questionnaires.current_version()
    assert response.submitted_at is not None
    assert response.sections_done == list(CALM_ANSWERS)
    assert response.scores["nprs"]["now"] == {"score": 3, "band": "mild"}
    assert response.scores["gad7"] == {"total": 0, "band": "minimal"}
    assert [flag["code"] for flag in response.flags] == ["anticoagulant"]
    assert response.flag_level == FlagLevel.REVIEW
    visit.refresh_from_db()
    assert visit.flag_level == FlagLevel.REVIEW
    assert visit.screening_done_at is not None


@pytest.mark.django_db
def test_the_demo_stores_the_calm_answers_as_the_pages_store_the_same_posts(patient_client, visit):
    answer_everything(patient_client)
    demo = effective_answers(questionnaires.load("screening"), calm_answers())
    assert demo == answers_on_file(visit)
    assert demo["pain_now"] == 3 and "phone" not in demo and "other_health" not in demo


@pytest.mark.django_db
def test_about_you_updates_the_patients_contact_details_and_audits_field_names_only(patient_client, visit):
    response = post_section(
        patient_client, "about_you", {"phone": "+44 7400 123456", "emergency_contact_name": "Zoë Ölander"}
    )
    assert response.status_code == 302
    patient = visit.patient
    patient.refresh_from_db()
    assert patient.phone == "+447400123456"  # stored in international form
    assert patient.emergency_contact_name == "Zoë Ölander"
    event = AuditEvent.objects.get(action="patient.contact_updated")
    assert set(event.details["fields"]) >= {"phone", "emergency_contact_name"}
    assert "Zoë" not in str(event.details)
    assert "7700" not in str(event.details)


@pytest.mark.django_db
def test_a_follow_up_is_ignored_when_its_condition_is_false_even_if_posted(patient_client, visit):
    reach(patient_client, "safety")
    response = post_section(patient_client, "safety", {"blood_thinner": "no", "blood_thinner_which": ["warfarin"]})
    assert response.status_code == 302
    assert "blood_thinner_which" not in answers_on_file(visit)
    # Even an invalid value in an ignored follow-up does not block the page.
    response = post_section(patient_client, "safety", {"lymphoedema": "no", "lymphoedema_regions": ["the-moon"]})
    assert response.status_code == 302
    assert "lymphoedema_regions" not in answers_on_file(visit)


@pytest.mark.django_db
def test_a_follow_up_is_required_when_its_condition_is_true(patient_client, visit):
    reach(patient_client, "safety")
    response = post_section(patient_client, "safety", {"blood_thinner": "yes"})
    assert response.status_code == 200
    assert "Please answer this question." in response.content.decode()
    assert "safety" not in ScreeningResponse.objects.get(visit=visit).sections_done


@pytest.mark.django_db
def test_the_error_summary_says_which_follow_up_each_problem_is(patient_client, visit):
    reach(patient_client, "safety")
    page = post_section(patient_client, "safety", {"blood_thinner": "yes", "lung_disease": "yes"}).content.decode()
    summary = page[page.index('id="form-errors"') : page.index("</ul>", page.index('id="form-errors"'))]
    assert "Blood thinner: If yes: which one?: Please answer this question." in summary
    assert "Lung disease: If yes: which one?: Please answer this question." in summary


@pytest.mark.django_db
def test_changing_an_answer_later_drops_a_follow_up_that_no_longer_applies(patient_client, visit):
    answer_everything(patient_client, {"safety": {"blood_thinner": "yes", "blood_thinner_which": ["heparin"]}})
    assert answers_on_file(visit)["blood_thinner_which"] == ["heparin"]
    response = post_section(patient_client, "safety", {"blood_thinner": "no"})
    assert response["Location"] == "/patient/screening/answers/"
    assert "blood_thinner_which" not in answers_on_file(visit)
    visit.refresh_from_db()
    assert visit.flag_level == FlagLevel.NONE


BAD_PAIN_INPUT = [
    ({"pain_now": "11"}, "pain_now", "Choose a number from 0 to 10."),
    ({"pain_now": "-1"}, "pain_now", "Choose a number from 0 to 10."),
    ({"pain_worst": "seven"}, "pain_worst", "Choose a number from 0 to 10."),
    ({"onset": "hacked"}, "onset", "Please choose one of the answers shown."),
    ({"pain_regions": ["calf_shin", "the-moon"]}, "pain_regions", "Please choose one of the answers shown."),
    ({"pain_regions": []}, "pain_regions", "Please answer this question."),
    ({"main_complaint": ""}, "main_complaint", "Please answer this question."),
    ({"main_complaint": "x" * 501}, "main_complaint", "500 characters or fewer"),
    ({"worse": "y" * 301}, "worse", "300 characters or fewer"),
    ({"pain_started": "2020-02-30"}, "pain_started", "Enter a real date."),
    ({"pain_started": (timezone.localdate() + timedelta(days=3)).isoformat()}, "pain_started", "in the future"),
    ({"pain_started": "1950-01-01"}, "pain_started", "before you were born"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "message"), BAD_PAIN_INPUT, ids=[row[1] + str(i) for i, row in enumerate(BAD_PAIN_INPUT)]
)
def test_bad_input_gets_a_message_on_the_field_and_keeps_what_was_typed(patient_client, visit, changes, field, message):
    reach(patient_client, "pain")
    typed = "Twinge in my calf «ça va» 痛い"
    response = post_section(patient_client, "pain", {"main_complaint": typed, **changes})
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert f'id="error_1_id_{field}"' in page or "is-invalid" in page
    if "main_complaint" not in changes:
        assert typed in page  # nothing typed is lost
    assert "Rest" in page  # the other answers come back too
    assert "pain" not in answers_on_file(visit) and "main_complaint" not in answers_on_file(visit)


@pytest.mark.django_db
def test_bad_contact_details_get_messages(patient_client, visit):
    response = post_section(patient_client, "about_you", {"phone": "call me maybe", "email": "not-an-email"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter a phone number" in page
    assert "valid email" in page
    assert "call me maybe" in page
    visit.patient.refresh_from_db()
    assert visit.patient.phone == "+12015550199"


@pytest.mark.django_db
def test_scores_or_flags_sent_by_the_browser_are_ignored(patient_client, visit):
    reach(patient_client, "anxiety")
    response = post_section(
        patient_client, "anxiety", {"scores": '{"gad7": {"total": 21}}', "flag_level": "3", "gad7_total": "21"}
    )
    assert response.status_code == 302
    stored = ScreeningResponse.objects.get(visit=visit)
    assert stored.scores["gad7"]["total"] == 0
    assert stored.flag_level == FlagLevel.NONE


@pytest.mark.django_db
def test_a_replayed_old_form_does_not_overwrite_newer_answers(patient_client, visit):
    reach(patient_client, "pain")
    page = patient_client.get("/patient/screening/pain/").content.decode()
    old_state = page.split('name="form_state" value="')[1].split('"')[0]
    post_section(patient_client, "pain", {"main_complaint": "First version", "form_state": old_state})
    # The same old page is sent again with different text (a second tab, the back button, a replay).
    response = post_section(patient_client, "pain", {"main_complaint": "Replayed version", "form_state": old_state})
    assert response.status_code == 200
    assert "changed on another page" in response.content.decode()
    assert "Replayed version" in response.content.decode()
    assert answers_on_file(visit)["main_complaint"] == "First version"
    # Sending it again from the refreshed page saves it.
    new_state = response.content.decode().split('name="form_state" value="')[1].split('"')[0]
    response = post_section(patient_client, "pain", {"main_complaint": "Replayed version", "form_state": new_state})
    assert response.status_code == 302
    assert answers_on_file(visit)["main_complaint"] == "Replayed version"


@pytest.mark.django_db
def test_a_double_submit_of_the_same_answers_is_harmless(patient_client, visit):
    reach(patient_client, "pain")
    page = patient_client.get("/patient/screening/pain/").content.decode()
    state = page.split('name="form_state" value="')[1].split('"')[0]
    assert post_section(patient_client, "pain", {"form_state": state}).status_code == 302
    assert post_section(patient_client, "pain", {"form_state": state}).status_code == 302
    assert ScreeningResponse.objects.filter(visit=visit).count() == 1


@pytest.mark.django_db
def test_after_signing_the_answers_are_read_only(patient_client, visit):
    answer_everything(patient_client)
    Visit.objects.filter(pk=visit.pk).update(signed_at=timezone.now())
    response = patient_client.get("/patient/screening/pain/")
    assert response["Location"] == "/patient/screening/answers/"
    response = post_section(patient_client, "pain", {"main_complaint": "Changed after signing"})
    assert response["Location"] == "/patient/screening/answers/"
    assert answers_on_file(visit)["main_complaint"] == "Stiff calf after running"
    page = patient_client.get("/patient/screening/answers/").content.decode()
    assert "can no longer be changed" in page
    assert "<form" not in page.split('id="main"')[1].split("</main>")[0].replace('<form class="language', "")
    assert ">Change<" not in page


@pytest.mark.django_db
def test_free_text_is_escaped_where_it_is_shown(patient_client, visit):
    answer_everything(patient_client, {"pain": {"main_complaint": '<script>alert("x")</script>'}})
    page = patient_client.get("/patient/screening/answers/").content.decode()
    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    page = patient_client.get("/patient/screening/pain/").content.decode()
    assert '<script>alert("x")</script>' not in page


@pytest.mark.django_db
def test_a_follow_up_carries_the_hooks_the_script_uses_and_is_visible_without_it(patient_client, visit):
    reach(patient_client, "safety")
    page = patient_client.get("/patient/screening/safety/").content.decode()
    assert 'data-show-if-item="blood_thinner"' in page
    assert 'data-show-if-equals="yes"' in page
    assert "If yes: which one?" in page
    assert " hidden" not in page.split('data-show-if-item="blood_thinner"')[0][-200:]


@pytest.mark.django_db
def test_a_spanish_visit_gets_the_spanish_text_set_with_english_fallback(patient_client, visit):
    import json

    Visit.objects.filter(pk=visit.pk).update(language="es")
    definition = questionnaires.load("screening")
    spanish = json.loads((definition.folder / "es.json").read_text(encoding="utf-8"))
    page = patient_client.get("/patient/screening/about_you/").content.decode()
    assert spanish["items"]["phone"]["label"] in page
    assert spanish["sections"]["about_you"]["title"] in page


@pytest.mark.django_db
def test_a_new_questionnaire_version_is_data_and_old_answers_keep_their_version(
    patient_client, visit, tmp_path, monkeypatch
):
    import shutil

    answer_everything(patient_client)
    old_version = questionnaires.current_version()
    root = tmp_path / "questionnaires"
    shutil.copytree(questionnaires.ROOT / "screening", root / "screening")
    new = root / "screening" / "2099.1"
    shutil.copytree(root / "screening" / old_version, new)
    definition = json.loads((new / "definition.json").read_text())
    definition["version"] = "2099.1"
    for rule in definition["flags"]:
        if rule["code"] == "needle_fear":
            rule["when"]["gte"] = 2  # a clinic lowers a threshold in a new version
    (new / "definition.json").write_text(json.dumps(definition))
    monkeypatch.setattr(questionnaires, "ROOT", root)
    questionnaires.load.cache_clear()
    try:
        assert questionnaires.current_version() == "2099.1"
        # The visit already answered with the old version: its rules (threshold 7) still apply.
        post_section(patient_client, "needles")
        stored = ScreeningResponse.objects.get(visit=visit)
        assert stored.questionnaire_version == old_version
        assert "needle_fear" not in {flag["code"] for flag in stored.flags}
        # A new visit starts on the new version and gets its rules.
        from intake.screening.rules import compute

        new_definition = questionnaires.load("screening")
        _scores, flags, _level = compute(new_definition, {**stored.answers}, visit=visit)
        assert "needle_fear" in {flag["code"] for flag in flags}
    finally:
        questionnaires.load.cache_clear()
