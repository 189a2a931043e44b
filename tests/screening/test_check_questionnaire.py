"""check_questionnaire: every version of every questionnaire validates, and the rule sheet lists every rule."""

from __future__ import annotations

import io
import json
import shutil

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from intake import questionnaires

REAL = questionnaires.ROOT / "screening" / "2026.1"


@pytest.fixture
def broken(tmp_path, monkeypatch):
    """A copy of the screening definition in a throwaway folder; the test breaks it and runs the command."""
    folder = tmp_path / "screening" / "2026.1"
    shutil.copytree(REAL, folder)
    monkeypatch.setattr(questionnaires, "ROOT", tmp_path)

    def change(edit) -> str:
        raw = json.loads((folder / "definition.json").read_text())
        edit(raw)
        (folder / "definition.json").write_text(json.dumps(raw))
        with pytest.raises(CommandError) as caught:
            call_command("check_questionnaire", stdout=io.StringIO())
        assert caught.value.returncode == 1  # manage.py exits non-zero
        return str(caught.value)

    return change


def _flag(raw, code):
    return next(rule for rule in raw["flags"] if rule["code"] == code)


def test_every_shipped_version_is_valid():
    out = io.StringIO()
    call_command("check_questionnaire", stdout=out)
    assert "screening 2026.1: valid" in out.getvalue()


def test_it_names_an_unknown_item_in_a_flag_condition(broken):
    message = broken(lambda raw: _flag(raw, "anticoagulant")["when"]["all"][0].update(item="blood_thiner"))
    assert "flag anticoagulant: condition names unknown item 'blood_thiner'" in message
    assert "screening 2026.1" in message


def test_it_names_an_unknown_item_in_a_follow_up_condition(broken):
    def edit(raw):
        item = next(i for s in raw["sections"] for i in s["items"] if i.get("key") == "blood_thinner_which")
        item["show_if"] = {"item": "no_such_question", "equals": "yes"}

    assert "item blood_thinner_which show_if: condition names unknown item 'no_such_question'" in broken(edit)


def test_it_refuses_a_flag_without_an_explanation(broken):
    assert "flags.0.explanation: Field required" in broken(lambda raw: _flag(raw, "needle_phobia").pop("explanation"))


def test_it_refuses_a_blank_explanation(broken):
    message = broken(lambda raw: _flag(raw, "pregnant").update(explanation="  "))
    assert "a flag needs an explanation next to its condition" in message


def test_it_names_a_duplicated_key(broken):
    def edit(raw):
        raw["sections"][0]["items"].append(dict(raw["sections"][1]["items"][0]))

    assert "duplicated item key 'main_complaint'" in broken(edit)


def test_it_names_a_duplicated_flag_code(broken):
    assert "duplicated flag key 'diabetes'" in broken(lambda raw: raw["flags"].append(dict(_flag(raw, "diabetes"))))


def test_it_names_a_bad_type(broken):
    message = broken(lambda raw: _flag(raw, "diabetes").update(level="urgent"))
    assert "flags." in message
    assert "level: Input should be 'plan', 'review' or 'stop'" in message


def test_it_names_a_condition_without_a_test(broken):
    message = broken(lambda raw: _flag(raw, "diabetes").update(when={"item": "diabetes"}))
    assert "a condition on item needs exactly one test" in message


def test_it_refuses_broken_json(broken, tmp_path):
    folder = tmp_path / "screening" / "2026.1"
    (folder / "definition.json").write_text("{not json")
    with pytest.raises(CommandError, match="screening 2026.1 .definition.json. is not valid JSON"):
        call_command("check_questionnaire", stdout=io.StringIO())


def test_loading_a_broken_definition_fails_loudly(broken, tmp_path):
    folder = tmp_path / "screening" / "2026.1"
    raw = json.loads((folder / "definition.json").read_text())
    _flag(raw, "diabetes")["when"]["item"] = "diabetis"
    (folder / "definition.json").write_text(json.dumps(raw))
    with pytest.raises(questionnaires.QuestionnaireError, match="unknown item 'diabetis'"):
        questionnaires.read("screening", folder)


def test_the_sheet_lists_every_rule_with_its_explanation():
    out = io.StringIO()
    call_command("check_questionnaire", "--sheet", stdout=out)
    sheet = out.getvalue()
    definition = questionnaires.load("screening")
    for rule in definition.flags:
        assert f"why: {rule['explanation']} [{rule['code']}]" in sheet
    assert sheet.count("\n     why: ") == len(definition.flags)
    assert "STOP if lymphoedema = yes AND lymphoedema regions overlap pain regions\n" in sheet
    assert "REVIEW if (lung disease = yes OR chest surgery = yes) AND pain regions include any of" in sheet
    assert "REVIEW if age < 18" in sheet
    # The most serious rules come first.
    assert sheet.index("STOP if") < sheet.index("REVIEW if") < sheet.index("PLAN if")


def test_it_names_a_missing_english_text(broken, tmp_path):
    english = tmp_path / "screening" / "2026.1" / "en.json"
    texts = json.loads(english.read_text())
    del texts["flags"]["diabetes"]
    english.write_text(json.dumps(texts))
    with pytest.raises(CommandError, match="flag diabetes: no English title"):
        call_command("check_questionnaire", stdout=io.StringIO())
