"""Readable forms of stored screening results for staff pages and exports."""

from __future__ import annotations

from intake import questionnaires
from intake.models import Patient, ScreeningResponse
from intake.screening.display import answers_for_display
from intake.screening.services import definition_for


def _one(value) -> str:
    if isinstance(value, dict):
        number = value.get("score", value.get("total"))
        band = value.get("band")
        if number is not None:
            return f"{number} ({band})" if band else str(number)
        return ", ".join(f"{key.replace('_', ' ')} {_one(inner)}" for key, inner in value.items())
    if isinstance(value, list):
        return ", ".join(_one(item) for item in value)
    return "" if value is None else str(value)


def score_rows(scores: dict | None) -> list[tuple[str, str]]:
    """(label, text) per score, e.g. {"gad7": {"total": 11, "band": "moderate"}} gives "11 (moderate)".

    Labels come from the questionnaire's English texts ("scores"), so a new score needs no code here."""
    definition = questionnaires.load()
    return [
        (definition.text("en", "scores", key, default=key.replace("_", " ").capitalize()), _one(value))
        for key, value in (scores or {}).items()
    ]


def answer_sections(screening: ScreeningResponse | None, patient: Patient) -> list[dict]:
    """The answered questions as sections of (label, shown answer) rows, labelled by the questionnaire
    version the patient answered. Unanswered optional questions are noise for staff; the patient's own
    page still lists them. A definition that cannot be read fails loudly (check_questionnaire guards it)."""
    if screening is None:
        return []
    return answers_for_display(definition_for(screening), screening, patient, "en", answered_only=True)


def comfort_wishes(screening: ScreeningResponse | None) -> list[str]:
    """The patient's comfort wishes in words (the items the definition names), for the clinician's review."""
    if screening is None:
        return []
    definition = definition_for(screening)
    wishes: list[str] = []
    for key in definition.comfort_items:
        item, value = definition.items[key], screening.answers.get(key)
        if value in (None, "", []):
            continue
        if item.type in {"choice", "multichoice"}:
            wishes.extend(
                definition.choice_label(item, str(v), "en") for v in (value if isinstance(value, list) else [value])
            )
        else:
            wishes.append(str(value))
    return wishes
