"""Readable forms of stored screening results for staff pages and exports."""

from __future__ import annotations

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
