"""The rule sheet: every flag rule of a definition in words a clinician can check against clinical.md.

STOP if lymphoedema = yes AND lymphoedema regions overlap pain regions
     why: Lymphoedema in the area to treat is an absolute contraindication ... [lymphoedema_area]
"""

from __future__ import annotations

from intake.questionnaires import SYMBOLS, Definition

LEVEL_ORDER = ["stop", "review", "plan"]


def _name(key: str) -> str:
    return key.replace("_", " ").replace(".", " ")


def _values(values: object) -> str:
    if isinstance(values, str) and values in SYMBOLS:
        return f"{_name(values[1:])} ({', '.join(SYMBOLS[values])})"
    if isinstance(values, list):
        return ", ".join(str(value) for value in values)
    return str(values)


def condition_in_words(condition: dict, *, nested: bool = False) -> str:
    """One condition as a sentence part: "a = yes AND (b = yes OR c = yes)"."""
    for joiner in ("all", "any"):
        if joiner in condition:
            words = f" {'AND' if joiner == 'all' else 'OR'} ".join(
                condition_in_words(part, nested=True) for part in condition[joiner]
            )
            return f"({words})" if nested and len(condition[joiner]) > 1 else words
    subject = _name(condition.get("item") or condition.get("score") or condition.get("fact") or "?")
    if "equals" in condition:
        return f"{subject} = {condition['equals']}"
    if "in" in condition:
        return f"{subject} is one of {_values(condition['in'])}"
    if "contains_any" in condition:
        return f"{subject} include any of {_values(condition['contains_any'])}"
    if "overlaps_item" in condition:
        return f"{subject} overlap {_name(condition['overlaps_item'])}"
    for test, sign in (("gte", ">="), ("lt", "<"), ("lte", "<=")):
        if test in condition:
            return f"{subject} {sign} {condition[test]}"
    raise ValueError(f"Condition without a test: {condition!r}")


def rule_sheet(definition: Definition) -> list[str]:
    """The lines of the sheet: a heading, then every flag rule, the most serious level first."""
    lines = [f"{definition.name} {definition.version}: {len(definition.flags)} rules"]
    for level in LEVEL_ORDER:
        for rule in definition.flags:
            if rule["level"] == level:
                lines.append(f"{level.upper()} if {condition_in_words(rule['when'])}")
                lines.append(f"     why: {rule['explanation']} [{rule['code']}]")
    return lines
