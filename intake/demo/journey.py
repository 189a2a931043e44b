"""Demo screening answers and understanding-check results for visits past those steps (seed_demo).

Each demo patient gets answers that fit their story (a runner's calf, a neck with lung disease on a blood
thinner, a teenager who once fainted...). Scores and flags are computed by the real rules, never written
by hand, so the board and the review queue show what the rules would show. Idempotent: a visit that already
has a screening or an understanding result is left alone.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from intake.demo.screening import calm_answers, response_fields
from intake.journey.understanding import CHECK_VERSION, QUESTIONS
from intake.models import ScreeningResponse, UnderstandingResult, Visit

# Per demo patient (first name): what differs from the calm answers (intake/demo/screening.py), and the
# first-try misses of the understanding check.
PROFILES: dict[str, tuple[dict, list[str]]] = {
    "Mei": (
        {
            "main_complaint": "Knee pain going down stairs",
            "pain_regions": ["knee", "thigh"],
            "duration": "over_1_year",
            "pain_now": 5,
            "pain_worst": 8,
            "pain_best": 3,
            "pattern": "mornings",
            "diabetes": "yes",
            "joint_replacement": "yes",
            "joint_replacement_regions": ["knee"],
            "gad7_1": "1",
            "gad7_2": "1",
            "gad7_3": "2",
            "gad7_4": "1",
        },
        [],
    ),
    "Yusuf": (
        {
            "main_complaint": "Stiff, aching neck and shoulder",
            "pain_regions": ["neck", "shoulder"],
            "onset": "sudden",
            "duration": "3_to_12_months",
            "pain_now": 6,
            "pain_worst": 9,
            "pain_best": 4,
            "pattern": "constant",
            "blood_thinner": "yes",
            "blood_thinner_which": ["warfarin"],
            "lung_disease": "yes",
            "lung_disease_which": ["emphysema"],
            "prior_dry_needling": "no",
            "dry_needling_how": None,
            "prior_acupuncture": "yes",
            "acupuncture_how": ["sore"],
            "comfort": ["lie_down", "warn_each"],
        },
        ["breathless"],
    ),
    "Eleni": (
        {
            "main_complaint": "Headaches and a tight jaw",
            "pain_regions": ["head_jaw", "neck"],
            "pain_now": 4,
            "pain_worst": 7,
            "pain_best": 2,
            "pattern": "comes_and_goes",
            "prior_dry_needling": "no",
            "dry_needling_how": None,
            "needle_fear": 8,
            "procedure_anxiety": 7,
            **{f"gad7_{n}": value for n, value in zip(range(1, 8), "2221211", strict=True)},
            "comfort": ["lie_down", "warn_each", "stop_signal", "companion"],
        },
        ["soreness"],
    ),
    "Tom": (
        {
            "main_complaint": "Sore hamstring from football",
            "pain_regions": ["thigh"],
            "onset": "injury",
            "duration": "under_6_weeks",
            "pain_now": 2,
            "pain_worst": 5,
            "pain_best": 0,
            "prior_dry_needling": "no",
            "dry_needling_how": None,
            "injections_how": ["fainted"],
            "fainting": "yes",
            "eat_before": "not_sure",
            "comfort": ["lie_down", "companion"],
        },
        [],
    ),
    "Grace": (
        {
            "main_complaint": "Pain between my shoulder blades at work",
            "pain_regions": ["upper_back", "neck"],
            "duration": "3_to_12_months",
            "pain_now": 4,
            "pain_worst": 7,
            "pain_best": 2,
            "pattern": "with_movement",
        },
        [],
    ),
    "Olga": (
        {
            "main_complaint": "Lower back ache when gardening",
            "pain_regions": ["lower_back", "buttock_hip"],
            "duration": "over_1_year",
            "pain_now": 5,
            "pain_worst": 7,
            "pain_best": 2,
            "bruises_easily": "yes",
            "blood_thinner": "yes",
            "blood_thinner_which": ["antiplatelet"],
        },
        ["injected"],
    ),
}


def _profile(visit: Visit) -> tuple[dict, list[str]]:
    if visit.patient.first_name in PROFILES:
        return PROFILES[visit.patient.first_name]
    # Any other visit (tests build their own): a profile picked steadily from its id.
    names = sorted(PROFILES)
    return PROFILES[names[visit.pk.int % len(names)]]


def demo_answers(visit: Visit) -> dict:
    changes, _misses = _profile(visit)
    answers = {**calm_answers(), **changes}
    return {key: value for key, value in answers.items() if value is not None}


@transaction.atomic
def seed(visits: list[Visit]) -> None:
    """Idempotent: fills in what a demo visit's progress says the patient has done."""
    for visit in visits:
        visit = Visit.objects.select_related("patient").get(pk=visit.pk)
        if visit.screening_done_at and not ScreeningResponse.objects.filter(visit=visit).exists():
            patient = visit.patient
            if not patient.emergency_contact_name:
                patient.emergency_contact_name = "Sam " + patient.last_name
                patient.emergency_contact_phone = "+12015550142"
                patient.emergency_contact_relationship = "Family"
                patient.save(
                    update_fields=[
                        "emergency_contact_name",
                        "emergency_contact_phone",
                        "emergency_contact_relationship",
                    ]
                )
            fields = response_fields("screening", demo_answers(visit), visit=visit, patient=patient)
            ScreeningResponse.objects.create(visit=visit, submitted_at=visit.screening_done_at, **fields)
            if visit.flag_level != fields["flag_level"]:
                visit.flag_level = fields["flag_level"]
                visit.save(update_fields=["flag_level"])
        if visit.understanding_done_at and not UnderstandingResult.objects.filter(visit=visit).exists():
            _changes, misses = _profile(visit)
            UnderstandingResult.objects.create(
                visit=visit,
                check_version=CHECK_VERSION,
                first_try={question.key: question.key not in misses for question in QUESTIONS},
                attempts=2 if misses else 1,
                passed_at=visit.understanding_done_at or timezone.now(),
            )
