"""The calm answers: what a calm, healthy patient (a runner with a stiff calf) answers in the screening.

One source for the demo and the tests: `intake/demo/journey.py` tells each demo patient's story as changes
to these answers and `intake/demo/courses.py` starts a course with them; the tests post them section by
section as the browser would (`tests/screening/screening_data.py`) or store them as a screening on file.

`response_fields` turns answers into a finished response's stored fields through the real rules, for the
demo and for the benchmark's bulk rows (bench/datagen.py), which skip the pages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from intake import questionnaires
from intake.screening.rules import compute, effective_answers

if TYPE_CHECKING:
    from intake.models import Patient, Visit

# Section by section, as the browser posts them (every value a string or a list of strings).
CALM_ANSWERS: dict[str, dict] = {
    "about_you": {
        "phone": "(201) 555-0123",
        "email": "pat@example.com",
        "emergency_contact_name": "Jo Example",
        "emergency_contact_phone": "(201) 555-0456",
        "emergency_contact_relationship": "Partner",
    },
    "pain": {
        "main_complaint": "Stiff calf after running",
        "pain_regions": ["calf_shin"],
        "pain_started": "",
        "onset": "gradual",
        "duration": "6_to_12_weeks",
        "pain_now": "3",
        "pain_worst": "6",
        "pain_best": "1",
        "pattern": "with_movement",
        "worse": "Hills",
        "better": "Rest",
        "previous_treatment": ["exercise"],
    },
    "safety": {
        "unwell_today": "no",
        "wants_needling": "yes",
        "can_decide": "yes",
        "blood_thinner": "no",
        "bleeding_disorder": "no",
        "bruises_easily": "no",
        "lung_disease": "no",
        "chest_surgery": "no",
        "pacemaker": "no",
        "joint_replacement": "no",
        "lymphoedema": "no",
        "skin_problem": "no",
    },
    "conditions": {
        "pregnant": "no",
        "diabetes": "no",
        "weak_immune": "no",
        "vascular": "no",
        "epilepsy": "no",
        "metal_allergy": "no",
        "frail": "no",
        "other_health": "",
    },
    "anxiety": {**{f"gad7_{n}": "0" for n in range(1, 8)}, "procedure_anxiety": "2"},
    "needles": {
        "prior_dry_needling": "yes",
        "dry_needling_how": ["fine"],
        "prior_acupuncture": "no",
        "prior_injections": "yes",
        "injections_how": ["fine"],
        "fainting": "no",
        "needle_fear": "2",
        "needle_phobia_severe": "no",
        "eat_before": "yes",
        "comfort": ["warn_each"],
        "comfort_other": "",
    },
}


def calm_answers() -> dict:
    """The calm answers as a screening keeps them on file: one flat dict, scales as numbers, without the
    contact details (those are stored on the patient) and without the questions left blank."""
    definition = questionnaires.load("screening")
    answers: dict = {}
    for values in CALM_ANSWERS.values():
        for key, value in values.items():
            item = definition.items[key]
            if item.store == "patient" or value in ("", []):
                continue
            answers[key] = int(value) if item.type == "scale" else value
    return answers


def response_fields(
    questionnaire: str, answers: dict, *, visit: Visit | None = None, patient: Patient | None = None
) -> dict[str, Any]:
    """A finished ScreeningResponse's fields for these answers (all but the visit and the submission time):
    the current version, every section done, and the scores, flags and level the rules compute."""
    definition = questionnaires.load(questionnaire)
    kept = effective_answers(definition, answers)
    scores, flags, level = compute(definition, kept, visit=visit, patient=patient)
    return {
        "questionnaire": questionnaire,
        "questionnaire_version": definition.version,
        "answers": kept,
        "sections_done": definition.section_keys,
        "scores": scores,
        "flags": flags,
        "flag_level": level,
    }
