"""Scores and flags are computed on the server from the answers: one case per rule of clinical.md section 1."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from intake import questionnaires
from intake.demo.screening import calm_answers
from intake.models import FlagLevel
from intake.regions import CHEST_RISK_REGIONS
from intake.screening.rules import compute
from tests.factories import PatientFactory, VisitFactory

STOP, REVIEW, PLAN = FlagLevel.STOP, FlagLevel.REVIEW, FlagLevel.PLAN


def run(changes: dict, *, dob: date = date(1985, 3, 14)):
    definition = questionnaires.load("screening")
    visit = VisitFactory.build(patient=PatientFactory.build(date_of_birth=dob), scheduled_at=timezone.now())
    answers = {**calm_answers(), **changes}
    answers = {key: value for key, value in answers.items() if value is not None}
    return compute(definition, answers, visit=visit, patient=visit.patient)


def codes(flags):
    return {flag["code"]: flag for flag in flags}


def test_a_calm_healthy_patient_raises_no_flag():
    scores, flags, level = run({})
    assert flags == []
    assert level == FlagLevel.NONE


# (code, level, changes to the calm answers) — one row per rule of clinical.md section 1.
RULES = [
    # stop
    ("needle_phobia", STOP, {"needle_phobia_severe": "yes"}),
    ("unwilling", STOP, {"wants_needling": "no"}),
    ("cannot_consent", STOP, {"can_decide": "need_help"}),
    ("acute_illness", STOP, {"unwell_today": "yes"}),
    ("lymphoedema_area", STOP, {"lymphoedema": "yes", "lymphoedema_regions": ["calf_shin"]}),
    # review
    ("anticoagulant", REVIEW, {"blood_thinner": "yes", "blood_thinner_which": ["warfarin"]}),
    ("anticoagulant", REVIEW, {"blood_thinner": "yes", "blood_thinner_which": ["doac"]}),
    ("anticoagulant", REVIEW, {"blood_thinner": "yes", "blood_thinner_which": ["heparin"]}),
    ("bleeding_disorder", REVIEW, {"bleeding_disorder": "yes"}),
    ("bruises_easily", REVIEW, {"bruises_easily": "yes"}),
    ("lung_chest_area", REVIEW, {"lung_disease": "yes", "lung_disease_which": ["emphysema"], "pain_regions": ["neck"]}),
    ("lung_chest_area", REVIEW, {"chest_surgery": "yes", "pain_regions": ["upper_back", "knee"]}),
    ("pacemaker", REVIEW, {"pacemaker": "yes"}),
    ("joint_replacement_area", REVIEW, {"joint_replacement": "yes", "joint_replacement_regions": ["calf_shin"]}),
    ("skin_area", REVIEW, {"skin_problem": "yes", "skin_problem_regions": ["calf_shin"]}),
    ("pregnant", REVIEW, {"pregnant": "yes"}),
    ("pregnant", REVIEW, {"pregnant": "trying"}),
    ("diabetes", REVIEW, {"diabetes": "yes"}),
    ("weak_immune", REVIEW, {"weak_immune": "yes"}),
    ("vascular", REVIEW, {"vascular": "yes"}),
    ("epilepsy", REVIEW, {"epilepsy": "yes"}),
    ("metal_allergy", REVIEW, {"metal_allergy": "yes"}),
    ("frail", REVIEW, {"frail": "yes"}),
    ("bad_reaction", REVIEW, {"dry_needling_how": ["bad_reaction"]}),
    ("bad_reaction", REVIEW, {"prior_acupuncture": "yes", "acupuncture_how": ["sore", "bad_reaction"]}),
    # plan
    ("fainting", PLAN, {"fainting": "yes"}),
    ("fainting", PLAN, {"injections_how": ["fainted"]}),
    ("first_needling", PLAN, {"prior_dry_needling": "no", "prior_acupuncture": "no"}),
    ("not_eaten", PLAN, {"eat_before": "no"}),
    ("procedure_anxiety", PLAN, {"procedure_anxiety": 5}),
    ("needle_fear", PLAN, {"needle_fear": 7}),
    (
        "gad7_moderate",
        PLAN,
        {f"gad7_{n}": v for n, v in zip(range(1, 8), ["3", "3", "3", "1", "0", "0", "0"], strict=True)},
    ),
    ("unsure", PLAN, {"wants_needling": "not_sure"}),
]


@pytest.mark.parametrize(("code", "level", "changes"), RULES, ids=[f"{r[0]}-{i}" for i, r in enumerate(RULES)])
def test_each_rule_raises_its_flag_with_its_level_answer_and_rule(code, level, changes):
    scores, flags, highest = run(changes)
    raised = codes(flags)
    assert code in raised, flags
    flag = raised[code]
    assert flag["level"] == level
    assert flag["title"] and flag["rule"] and flag["answer"]
    assert set(flag) == {"code", "level", "title", "answer", "rule"}
    assert highest == max(f["level"] for f in flags)


def test_under_18_is_worked_out_from_the_date_of_birth():
    visit_day = timezone.localdate()
    seventeen = visit_day.replace(year=visit_day.year - 18) + timedelta(days=1)
    _scores, flags, level = run({}, dob=seventeen)
    assert codes(flags)["under_18"]["level"] == REVIEW
    assert "17" in codes(flags)["under_18"]["answer"]
    eighteen = visit_day.replace(year=visit_day.year - 18)
    _scores, flags, _level = run({}, dob=eighteen)
    assert "under_18" not in codes(flags)


def test_every_rule_of_the_definition_is_exercised_here():
    definition = questionnaires.load("screening")
    tested = {row[0] for row in RULES} | {"under_18"}
    assert {rule["code"] for rule in definition.flags} == tested


@pytest.mark.parametrize(
    ("changes", "absent"),
    [
        ({"blood_thinner": "yes", "blood_thinner_which": ["antiplatelet"]}, "anticoagulant"),
        ({"lung_disease": "yes", "lung_disease_which": ["tb"], "pain_regions": ["knee"]}, "lung_chest_area"),
        ({"chest_surgery": "yes", "pain_regions": ["lower_back"]}, "lung_chest_area"),
        ({"lymphoedema": "yes", "lymphoedema_regions": ["forearm_hand"]}, "lymphoedema_area"),
        ({"joint_replacement": "yes", "joint_replacement_regions": ["knee"]}, "joint_replacement_area"),
        ({"skin_problem": "yes", "skin_problem_regions": ["head_jaw"]}, "skin_area"),
        ({"procedure_anxiety": 4}, "procedure_anxiety"),
        ({"needle_fear": 6}, "needle_fear"),
        ({"prior_dry_needling": "no", "prior_acupuncture": "yes", "acupuncture_how": ["fine"]}, "first_needling"),
        ({"eat_before": "not_sure"}, "not_eaten"),
    ],
)
def test_a_rule_stays_quiet_when_its_condition_is_not_met(changes, absent):
    _scores, flags, _level = run(changes)
    assert absent not in codes(flags)


@pytest.mark.parametrize("region", sorted(CHEST_RISK_REGIONS))
def test_lung_disease_is_reviewed_for_every_chest_risk_region(region):
    _scores, flags, _level = run({"lung_disease": "yes", "lung_disease_which": ["pneumonia"], "pain_regions": [region]})
    assert codes(flags)["lung_chest_area"]["level"] == REVIEW


def test_a_follow_up_whose_condition_is_false_is_ignored_by_the_rules():
    # "Which blood thinner: warfarin" with "Do you take a blood thinner? No" raises nothing.
    _scores, flags, _level = run({"blood_thinner": "no", "blood_thinner_which": ["warfarin"]})
    assert "anticoagulant" not in codes(flags)


def test_the_flags_come_highest_level_first_and_the_visit_level_is_the_highest():
    _scores, flags, level = run({"needle_phobia_severe": "yes", "diabetes": "yes", "eat_before": "no"})
    assert [f["level"] for f in flags] == sorted((f["level"] for f in flags), reverse=True)
    assert level == STOP


def test_the_flag_shows_which_anticoagulant_in_its_answer():
    _scores, flags, _level = run({"blood_thinner": "yes", "blood_thinner_which": ["warfarin", "antiplatelet"]})
    answer = codes(flags)["anticoagulant"]["answer"]
    assert "Warfarin" in answer
    assert "aspirin" in answer


def gad7(total: int) -> dict:
    values = []
    remaining = total
    for _n in range(7):
        step = min(3, remaining)
        values.append(str(step))
        remaining -= step
    return {f"gad7_{n}": value for n, value in zip(range(1, 8), values, strict=True)}


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "severe"),
        (21, "severe"),
    ],
)
def test_gad7_bands_at_every_boundary(total, band):
    scores, flags, _level = run(gad7(total))
    assert scores["gad7"] == {"total": total, "band": band}
    assert ("gad7_moderate" in codes(flags)) == (total >= 10)


def test_gad7_is_not_scored_until_all_seven_are_answered():
    scores, _flags, _level = run({"gad7_7": None})
    assert "gad7" not in scores


@pytest.mark.parametrize(
    ("value", "band"),
    [(0, "none"), (1, "mild"), (3, "mild"), (4, "moderate"), (6, "moderate"), (7, "severe"), (10, "severe")],
)
def test_pain_ratings_are_banded(value, band):
    scores, _flags, _level = run({"pain_now": value, "pain_worst": value, "pain_best": value})
    for key in ("now", "worst", "best"):
        assert scores["nprs"][key] == {"score": value, "band": band}


def test_fear_and_anxiety_ratings_are_stored_as_scores():
    scores, _flags, _level = run({"procedure_anxiety": 6, "needle_fear": 8})
    assert scores["procedure_anxiety"] == {"score": 6}
    assert scores["needle_fear"] == {"score": 8}


def test_the_definition_is_complete_and_consistent():
    definition = questionnaires.load("screening")
    assert questionnaires.problems(definition) == []


def test_a_missing_spanish_text_falls_back_to_english(tmp_path):
    definition = questionnaires.load("screening")
    # es.json translates what patients read; the clinician's short labels stay in English.
    assert definition.text("es", "items", "pain_now", "short") == definition.text("en", "items", "pain_now", "short")
    assert definition.text("es", "items", "pain_now", "label") != definition.text("en", "items", "pain_now", "label")
