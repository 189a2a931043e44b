"""Answers a calm, healthy patient would give, section by section, as the browser would post them."""

from __future__ import annotations

from django.test import Client

from intake import questionnaires

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


def calm_answers_flat() -> dict:
    """The calm answers as a stored answers dict (types as the server keeps them)."""
    definition = questionnaires.load("screening")
    flat: dict = {}
    for section, values in CALM_ANSWERS.items():
        if section == "about_you":
            continue
        for key, value in values.items():
            if value in ("", []):
                continue
            item = definition.items[key]
            flat[key] = int(value) if item.type == "scale" else value
    return flat


def post_section(client: Client, section: str, changes: dict | None = None, **extra):
    data = {**CALM_ANSWERS[section], **(changes or {})}
    data = {key: value for key, value in data.items() if value is not None}
    return client.post(f"/patient/screening/{section}/", data, **extra)


# The things that are hard to do, asked right after the pain section (intake/outcomes/patient.py).
CALM_ACTIVITIES = {"psfs_activity_1": "Running for the bus", "psfs_rating_1": "4"}


def answer_everything(client: Client, changes: dict[str, dict] | None = None) -> None:
    for section in CALM_ANSWERS:
        response = post_section(client, section, (changes or {}).get(section))
        assert response.status_code == 302, (section, response.content.decode()[:3000])
        if response["Location"] == "/patient/screening/your-activities/":
            response = client.post(response["Location"], CALM_ACTIVITIES)
            assert response.status_code == 302, response.content.decode()[:3000]
