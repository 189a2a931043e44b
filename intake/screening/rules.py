"""The screening's rule engine: conditions, scores and flags. Only the server computes scores and flags.

Scores on ScreeningResponse.scores::

    {"nprs": {"now": {"score": 6, "band": "moderate"}, "worst": {...}, "best": {...}},
     "gad7": {"total": 11, "band": "moderate"},
     "procedure_anxiety": {"score": 6}, "needle_fear": {"score": 3}}

Flags on ScreeningResponse.flags: [{"code", "level", "title", "answer", "rule"}], highest level first;
titles, answers and rules are in the clinic's language (settings.LANGUAGE_CODE), for the clinician.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone

from intake.models import FlagLevel, Patient, Visit
from intake.questionnaires import LEVELS, SYMBOLS, Definition

# --- conditions ---------------------------------------------------------------------------------


def _as_set(value: Any) -> set:
    if value in (None, ""):
        return set()
    if isinstance(value, list | tuple | set):
        return {str(v) for v in value}
    return {str(value)}


def _lookup_score(scores: dict, path: str) -> Any:
    node: Any = scores
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def evaluate(condition: dict | None, answers: dict, *, scores: dict | None = None, facts: dict | None = None) -> bool:
    """True when the condition holds. A missing answer never satisfies a condition."""
    if not condition:
        return True
    if "all" in condition:
        return all(evaluate(part, answers, scores=scores, facts=facts) for part in condition["all"])
    if "any" in condition:
        return any(evaluate(part, answers, scores=scores, facts=facts) for part in condition["any"])
    if "item" in condition:
        value = answers.get(condition["item"])
    elif "score" in condition:
        value = _lookup_score(scores or {}, condition["score"])
    elif "fact" in condition:
        value = (facts or {}).get(condition["fact"])
    else:
        raise ValueError(f"Unknown condition {condition!r}")
    if value in (None, "", []):
        return False
    if "equals" in condition:
        return str(value) == str(condition["equals"])
    if "in" in condition:
        return str(value) in {str(v) for v in condition["in"]}
    if "contains_any" in condition:
        wanted = condition["contains_any"]
        wanted = SYMBOLS[wanted] if isinstance(wanted, str) else wanted
        return bool(_as_set(value) & {str(v) for v in wanted})
    if "overlaps_item" in condition:
        return bool(_as_set(value) & _as_set(answers.get(condition["overlaps_item"])))
    number = value if isinstance(value, int | float) else int(value)
    if "gte" in condition:
        return number >= condition["gte"]
    if "lt" in condition:
        return number < condition["lt"]
    if "lte" in condition:
        return number <= condition["lte"]
    raise ValueError(f"Condition without a test: {condition!r}")


def effective_answers(definition: Definition, answers: dict) -> dict:
    """The answers with every follow-up whose condition is false left out."""
    kept = {key: value for key, value in answers.items() if key in definition.items}
    for item in definition.items.values():
        if item.show_if and not evaluate(item.show_if, kept):
            kept.pop(item.key, None)
    return kept


# --- scoring and flags --------------------------------------------------------------------------


def _band(value: int, bands: list) -> str:
    label = bands[0][1]
    for threshold, name in bands:
        if value >= threshold:
            label = name
    return label


def score(definition: Definition, answers: dict) -> dict:
    scores: dict[str, Any] = {}
    for rule in definition.scores:
        if rule["type"] == "bands":
            part = {}
            for name, item_key in rule["items"].items():
                if answers.get(item_key) is not None:
                    value = int(answers[item_key])
                    part[name] = {"score": value, "band": _band(value, rule["bands"])}
            if part:
                scores[rule["key"]] = part
        elif rule["type"] == "sum":
            values: list[int | None] = []
            for item_key in rule["items"]:
                raw = answers.get(item_key)
                item_score = definition.choice_score(definition.items[item_key], str(raw)) if raw is not None else None
                values.append(item_score)
            known = [v for v in values if v is not None]
            if values and len(known) == len(values):
                total = sum(known)
                scores[rule["key"]] = {"total": total, "band": _band(total, rule["bands"])}
        elif rule["type"] == "mean":
            # The mean of the items answered (PSFS: one to three activities), to one decimal.
            given = [int(answers[key]) for key in rule["items"] if answers.get(key) not in (None, "")]
            if given:
                scores[rule["key"]] = {"score": round(sum(given) / len(given), 1), "count": len(given)}
        elif rule["type"] == "value" and answers.get(rule["item"]) is not None:
            scores[rule["key"]] = {"score": int(answers[rule["item"]])}
    return scores


def _answer_text(definition: Definition, key: str, answers: dict, scores: dict, facts: dict, language: str) -> str:
    texts_facts = definition.texts(language).get("facts", {})
    if key == "@age":
        return texts_facts.get("age", "Age {age}").format(age=facts.get("age"))
    if key.startswith("@") and key[1:] in definition.score_keys:
        # A score named in a flag's answer, e.g. "@gad7": its total and band, worded by the language's facts.
        found = scores.get(key[1:], {})
        band = definition.text(language, "bands", found.get("band", ""), default=found.get("band", ""))
        template = texts_facts.get(key[1:], "{total} ({band})")
        return template.format(total=found.get("total", found.get("score")), band=band)
    item = definition.items[key]
    value = answers.get(key)
    if value in (None, "", []):
        return ""
    if item.type == "scale":
        shown = texts_facts.get("scale", "{value}/10").format(value=value)
    elif item.type in {"choice", "multichoice"}:
        shown = ", ".join(
            definition.choice_label(item, str(v), language) for v in (value if isinstance(value, list) else [value])
        )
    else:
        shown = str(value)
    return f"{definition.short_label(item, language)}: {shown}"


def flag_facts(visit: Visit | None, patient: Patient | None) -> dict:
    facts: dict[str, Any] = {}
    if patient is not None:
        day = timezone.localdate(visit.scheduled_at) if visit is not None else timezone.localdate()
        facts["age"] = patient.age_on(day)
    return facts


def describe_flag(
    definition: Definition, rule_or_code: dict | str, answers: dict, scores: dict, facts: dict, language: str
) -> dict:
    """One flag's texts in `language`: {"title", "answer", "rule"}. Takes a flag rule or its code."""
    rule = rule_or_code if isinstance(rule_or_code, dict) else definition.flag(rule_or_code)
    parts = [_answer_text(definition, key, answers, scores, facts, language) for key in rule.get("answer", [])]
    return {
        "title": definition.text(language, "flags", rule["code"], "title", default=rule["code"]),
        "answer": "; ".join(part for part in parts if part),
        # The explanation sits next to the rule's condition in definition.json; a language may translate it.
        "rule": definition.text(language, "flags", rule["code"], "rule", default=rule["explanation"]),
    }


def apply_flags(definition: Definition, answers: dict, scores: dict, facts: dict) -> list[dict]:
    language = settings.LANGUAGE_CODE
    flags = []
    for rule in definition.flags:
        if not evaluate(rule["when"], answers, scores=scores, facts=facts):
            continue
        flags.append(
            {
                "code": rule["code"],
                "level": LEVELS[rule["level"]],
                **describe_flag(definition, rule, answers, scores, facts, language),
            }
        )
    flags.sort(key=lambda flag: -flag["level"])
    return flags


def compute(
    definition: Definition, answers: dict, *, visit: Visit | None = None, patient: Patient | None = None
) -> tuple[dict, list[dict], int]:
    """Scores, flags and the highest flag level for these answers. The only place they are made."""
    kept = effective_answers(definition, answers)
    scores = score(definition, kept)
    flags = apply_flags(definition, kept, scores, flag_facts(visit, patient or (visit.patient if visit else None)))
    level = max((flag["level"] for flag in flags), default=FlagLevel.NONE)
    return scores, flags, int(level)
