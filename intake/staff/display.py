"""Readable forms of stored screening results for staff pages and exports."""

from __future__ import annotations

from intake.regions import region_label
from intake.screening.display import answers_for_display
from intake.screening.services import definition_for

SCORE_LABELS = {
    "nprs": "Pain, 0-10 (NPRS)",
    "gad7": "General anxiety, 0-21 (GAD-7)",
    "procedure_anxiety": "Anxiety about needling, 0-10",
    "needle_fear": "Needle fear, 0-10",
    "afs": "Acupuncture Fear Scale, 16-80",
}


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
    """(label, text) per score, e.g. {"gad7": {"total": 11, "band": "moderate"}} gives "11 (moderate)"."""
    return [
        (SCORE_LABELS.get(key, key.replace("_", " ").capitalize()), _one(value))
        for key, value in (scores or {}).items()
    ]


NOT_ANSWERED = "Not answered"  # what intake.screening.display.answers_for_display shows for a blank answer (English)


def answer_sections(screening, patient) -> list[dict]:
    """The screening's answers as sections of (label, shown answer) rows, labelled by the questionnaire
    version the patient answered; plain keys if that definition cannot be read."""
    if screening is None:
        return []
    try:
        sections = answers_for_display(definition_for(screening), screening, patient, "en")
    except Exception:  # noqa: BLE001 - a broken definition must not hide the answers from the clinician
        sections = None
    if sections is not None:
        # Unanswered optional questions are noise for staff; the patient's own page still lists them.
        for section in sections:
            section["rows"] = [(label, shown) for label, shown in section["rows"] if str(shown) != NOT_ANSWERED]
        return [section for section in sections if section["rows"]]
    rows = []
    for key, value in (screening.answers or {}).items():
        if isinstance(value, list):
            value = ", ".join(region_label(str(item)) for item in value)
        elif isinstance(value, bool):
            value = "Yes" if value else "No"
        rows.append((str(key).replace("_", " ").capitalize(), "" if value is None else str(value)))
    return [{"key": "answers", "title": "Answers", "rows": rows}]


def comfort_wishes(screening) -> list[str]:
    """The patient's comfort preferences in words, for the top of the clinician's review."""
    if screening is None or not screening.answers.get("comfort"):
        return [screening.answers["comfort_other"]] if screening and screening.answers.get("comfort_other") else []
    wishes = [str(value) for value in screening.answers.get("comfort") or []]
    try:
        definition = definition_for(screening)
        item = next(i for section in definition.sections for i in section.items if i.key == "comfort")
        wishes = [str(definition.choice_label(item, value, "en")) for value in wishes]
    except Exception:  # noqa: BLE001, S110 - the raw keys are still meaningful
        pass
    if screening.answers.get("comfort_other"):
        wishes.append(str(screening.answers["comfort_other"]))
    return wishes
