"""Readable forms of stored screening results for staff pages and exports."""

from __future__ import annotations

from intake import questionnaires
from intake.models import Patient, ScreeningResponse
from intake.regions import CHEST_RISK_REGIONS, region_label, touches_chest_risk_area
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


def _choice_words(definition, key: str, value) -> str:
    """A stored answer in the questionnaire's English words ("" when not answered)."""
    if value in (None, "", []):
        return ""
    values = value if isinstance(value, list) else [value]
    item = next((i for section in definition.sections for i in section.items if i.key == key), None)
    if item is None or item.type not in {"choice", "multichoice"}:
        return ", ".join(str(v) for v in values)
    return ", ".join(str(definition.choice_label(item, str(v), "en")) for v in values)


def before_needling(screening, patient) -> dict:
    """What the clinician checks just before the needle, answered or not, on one card.

    Blood thinners are shown whatever they are (antiplatelets alone raise no flag but the clinician still
    wants to know); "alert" rows are the ones that change what happens on the couch.
    """
    answers = (screening.answers if screening else {}) or {}
    try:
        definition = definition_for(screening) if screening else None
    except Exception:  # noqa: BLE001 - the card must still show the emergency contact
        definition = None

    def words(key: str) -> str:
        if definition is None:
            value = answers.get(key)
            return ", ".join(map(str, value)) if isinstance(value, list) else str(value or "")
        return _choice_words(definition, key, answers.get(key))

    def yes(key: str) -> bool:
        return answers.get(key) == "yes"

    rows = []
    thinner = words("blood_thinner_which") if yes("blood_thinner") else words("blood_thinner")
    rows.append({"key": "blood_thinner", "label": "Blood thinners", "value": thinner, "alert": yes("blood_thinner")})
    bleeding = [
        text
        for text, on in (("bleeding disorder", yes("bleeding_disorder")), ("bruises easily", yes("bruises_easily")))
        if on
    ]
    rows.append(
        {
            "key": "bleeding",
            "label": "Bleeding disorder",
            "value": ", ".join(bleeding) or (words("bleeding_disorder") if screening else ""),
            "alert": bool(bleeding),
        }
    )
    faint_plan = comfort_wishes(screening)
    rows.append(
        {
            "key": "fainting",
            "label": "Fainting history",
            "value": words("fainting"),
            "alert": yes("fainting"),
            "plan": faint_plan,
            "eat_before": words("eat_before"),
        }
    )
    pain_regions = [str(key) for key in answers.get("pain_regions") or []]
    rows.append(
        {
            "key": "pain_regions",
            "label": "Pain regions",
            "regions": [
                {"key": key, "label": region_label(key), "lung": key in CHEST_RISK_REGIONS} for key in pain_regions
            ],
            "value": ", ".join(region_label(key) for key in pain_regions),
            "alert": touches_chest_risk_area(pain_regions),
        }
    )
    implants = []
    if yes("pacemaker"):
        implants.append("pacemaker")
    if yes("joint_replacement"):
        implants.append(f"joint replacement ({words('joint_replacement_regions') or 'region not given'})")
    rows.append(
        {
            "key": "implants",
            "label": "Pacemaker or implants",
            "value": ", ".join(implants) or (words("pacemaker") if screening else ""),
            "alert": bool(implants),
        }
    )
    rows.append(
        {
            "key": "pregnancy",
            "label": "Pregnancy",
            "value": words("pregnant"),
            "alert": answers.get("pregnant") in ("yes", "trying"),
        }
    )
    # Latex is not asked by questionnaire 2026.1: the card says so rather than implying "no".
    metal = words("metal_allergy")
    rows.append(
        {
            "key": "allergies",
            "label": "Allergies (metal, latex)",
            "value": f"Metal: {metal or 'not answered'}. Latex: ask (not in the questionnaire)." if screening else "",
            "alert": yes("metal_allergy"),
        }
    )
    contact = " · ".join(
        part
        for part in (
            patient.emergency_contact_name,
            patient.emergency_contact_relationship,
            patient.emergency_contact_phone,
        )
        if part
    )
    rows.append({"key": "emergency_contact", "label": "Emergency contact", "value": contact, "alert": False})
    return {
        "rows": rows,
        "pain_regions": pain_regions,
        "screened": screening is not None and screening.submitted_at is not None,
    }
