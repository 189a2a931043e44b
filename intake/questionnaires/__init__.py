"""Questionnaire definitions as versioned data.

Each version lives in its own folder, `intake/questionnaires/<name>/<version>/`:

- `definition.json`: sections, items (key, type, choices, `show_if` condition, limits), scores and flag
  rules. No words a patient reads.
- `<language>.json`: every text (section titles, item labels and help, choice labels, flag titles and
  rules). English is complete; another language may be partial and falls back to English key by key,
  so a Spanish text set is a new file, not new code.

A response stores the version it was answered with, so a new version never changes old answers' meaning.
The current version is the highest folder name.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from intake.aftercare.advice import ASKED_RED_FLAGS, red_flag_questions
from intake.regions import BODY_REGIONS, CHEST_RISK_REGIONS

ROOT = Path(__file__).resolve().parent
FALLBACK_LANGUAGE = "en"

ITEM_TYPES = {"text", "textarea", "email", "phone", "date", "choice", "multichoice", "scale"}
LEVELS = {"plan": 1, "review": 2, "stop": 3}  # = intake.models.FlagLevel values

# Symbolic lists a definition may name instead of spelling out (kept in one place in code).
SYMBOLS: dict[str, list[str]] = {
    "@chest_risk_regions": sorted(CHEST_RISK_REGIONS),
    "@body_regions": [key for key, _label in BODY_REGIONS],
    # The aftercare check-ins' red flags (one definition, intake/aftercare/advice.py), for "since your last
    # session": the same signs, then two expected after-effects and "none of these".
    "@checkin_red_flags": list(ASKED_RED_FLAGS),
    "@after_effects": ["bruising", "felt_faint", *ASKED_RED_FLAGS, "none"],
}


@dataclass(frozen=True)
class Item:
    key: str
    type: str
    section: str
    required: bool = False
    choices: str | list[str] | None = None  # a choice-set name, a list of values, or "@body_regions"
    show_if: dict | None = None
    max_length: int | None = None
    min: int | None = None
    max: int | None = None
    store: str = "answers"  # "patient": the value lives on the Patient row (contact details)
    not_before: str | None = None
    not_after: str | None = None


@dataclass(frozen=True)
class Section:
    key: str
    items: list[Item]
    carried: tuple[str, ...] = ()  # answers pre-filled from the last session ("no change" keeps them)


@dataclass
class Definition:
    name: str
    version: str
    sections: list[Section]
    choice_sets: dict[str, list[dict]]
    scores: list[dict]
    flags: list[dict]
    folder: Path
    items: dict[str, Item] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.items = {item.key: item for section in self.sections for item in section.items}

    # --- structure -------------------------------------------------------------------------------
    @property
    def section_keys(self) -> list[str]:
        return [section.key for section in self.sections]

    def section(self, key: str) -> Section | None:
        return next((section for section in self.sections if section.key == key), None)

    def choice_values(self, item: Item) -> list[str]:
        if isinstance(item.choices, list):
            return list(item.choices)
        if isinstance(item.choices, str) and item.choices.startswith("@"):
            return list(SYMBOLS[item.choices])
        if isinstance(item.choices, str):
            return [entry["value"] for entry in self.choice_sets[item.choices]]
        if item.type == "scale":
            return [str(n) for n in range(item.min or 0, (item.max if item.max is not None else 10) + 1)]
        return []

    def choice_score(self, item: Item, value: str) -> int | None:
        if isinstance(item.choices, str) and item.choices in self.choice_sets:
            for entry in self.choice_sets[item.choices]:
                if entry["value"] == value:
                    return entry.get("score")
        return None

    # --- texts -----------------------------------------------------------------------------------
    def texts(self, language: str) -> dict:
        return _texts(self.folder, language)

    def text(self, language: str, *path: str, default: str = "") -> str:
        node: Any = self.texts(language)
        for part in path:
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        return node if isinstance(node, str) else default

    def label(self, item: Item, language: str) -> str:
        return self.text(language, "items", item.key, "label", default=item.key)

    def short_label(self, item: Item, language: str) -> str:
        return self.text(language, "items", item.key, "short", default=self.label(item, language))

    def choice_label(self, item: Item, value: str, language: str) -> str:
        if item.choices == "@body_regions":
            from intake.regions import region_label

            return region_label(value)
        if isinstance(item.choices, str) and item.choices in self.choice_sets:
            return self.text(language, "choice_sets", item.choices, value, default=value)
        if value in ASKED_RED_FLAGS and item.choices in ("@after_effects", "@checkin_red_flags"):
            return dict(red_flag_questions(language))[value]
        if isinstance(item.choices, list) or item.choices == "@after_effects":
            return self.text(language, "items", item.key, "choices", value, default=value)
        return value

    def choices(self, item: Item, language: str) -> list[tuple[str, str]]:
        return [(value, self.choice_label(item, value, language)) for value in self.choice_values(item)]


def _merge(base: dict, overlay: dict) -> dict:
    merged = dict(base)
    for key, value in overlay.items():
        merged[key] = _merge(base[key], value) if isinstance(value, dict) and isinstance(base.get(key), dict) else value
    return merged


@cache
def _texts(folder: Path, language: str) -> dict:
    base = json.loads((folder / f"{FALLBACK_LANGUAGE}.json").read_text(encoding="utf-8"))
    language = (language or FALLBACK_LANGUAGE).split("-")[0]
    path = folder / f"{language}.json"
    if language != FALLBACK_LANGUAGE and path.exists():
        return _merge(base, json.loads(path.read_text(encoding="utf-8")))
    return base


def _version_key(name: str) -> tuple:
    return tuple(int(part) if part.isdigit() else part for part in name.split("."))


def versions(name: str = "screening") -> list[str]:
    folder = ROOT / name
    return sorted((child.name for child in folder.iterdir() if (child / "definition.json").exists()), key=_version_key)


def current_version(name: str = "screening") -> str:
    return versions(name)[-1]


@cache
def load(name: str = "screening", version: str | None = None) -> Definition:
    """The definition of one version (the current one by default)."""
    version = version or current_version(name)
    folder = ROOT / name / version
    raw = json.loads((folder / "definition.json").read_text(encoding="utf-8"))
    sections = [
        Section(
            key=section["key"],
            items=[
                Item(
                    key=item["key"],
                    type=item["type"],
                    section=section["key"],
                    required=item.get("required", False),
                    choices=item.get("choices"),
                    show_if=item.get("show_if"),
                    max_length=item.get("max_length"),
                    min=item.get("min"),
                    max=item.get("max"),
                    store=item.get("store", "answers"),
                    not_before=item.get("not_before"),
                    not_after=item.get("not_after"),
                )
                for item in section["items"]
            ],
            carried=tuple(section.get("carried", ())),
        )
        for section in raw["sections"]
    ]
    return Definition(
        name=name,
        version=raw["version"],
        sections=sections,
        choice_sets=raw.get("choice_sets", {}),
        scores=raw.get("scores", []),
        flags=raw.get("flags", []),
        folder=folder,
    )


def problems(definition: Definition) -> list[str]:
    """What is wrong with a definition: unknown types, dangling references, missing English texts."""
    found: list[str] = []
    keys = set(definition.items)
    for item in definition.items.values():
        if item.type not in ITEM_TYPES:
            found.append(f"{item.key}: unknown type {item.type}")
        if item.type in {"choice", "multichoice"} and not definition.choice_values(item):
            found.append(f"{item.key}: no choices")
        if item.type in {"text", "textarea"} and not item.max_length:
            found.append(f"{item.key}: free text needs max_length")
        if not definition.text(FALLBACK_LANGUAGE, "items", item.key, "label"):
            found.append(f"{item.key}: no English label")
        for value in definition.choice_values(item):
            if item.type in {"choice", "multichoice"} and definition.choice_label(item, value, "en") == value:
                found.append(f"{item.key}: no English label for choice {value}")
        for ref in _condition_items(item.show_if):
            if ref not in keys:
                found.append(f"{item.key}: show_if names unknown item {ref}")
    for section in definition.sections:
        if not definition.text(FALLBACK_LANGUAGE, "sections", section.key, "title"):
            found.append(f"section {section.key}: no English title")
    for rule in definition.flags:
        if rule.get("level") not in LEVELS:
            found.append(f"flag {rule.get('code')}: unknown level {rule.get('level')}")
        for ref in _condition_items(rule.get("when")):
            if ref not in keys:
                found.append(f"flag {rule['code']}: names unknown item {ref}")
        for part in ("title", "rule"):
            if not definition.text(FALLBACK_LANGUAGE, "flags", rule["code"], part):
                found.append(f"flag {rule['code']}: no English {part}")
    return found


def _condition_items(condition: dict | None) -> list[str]:
    if not condition:
        return []
    refs = []
    for key in ("all", "any"):
        for part in condition.get(key, []):
            refs.extend(_condition_items(part))
    for key in ("item", "overlaps_item"):
        if key in condition:
            refs.append(condition[key])
    return refs
