"""Questionnaire definitions as versioned data.

Each version lives in its own folder, `intake/questionnaires/<name>/<version>/`:

- `definition.json`: sections, items (key, type, choices, `show_if` condition, limits), scores and flag
  rules, each rule with its explanation for the clinician next to its condition. No words a patient
  reads. Checked on load against `schema.py`: a broken definition fails loudly, never half-works.
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

from intake.questionnaires.schema import QuestionnaireError, validate
from intake.regions import BODY_REGIONS, CHEST_RISK_REGIONS

__all__ = [
    "Definition",
    "Item",
    "QuestionnaireError",
    "Section",
    "current_version",
    "load",
    "names",
    "problems",
    "read",
    "versions",
]

ROOT = Path(__file__).resolve().parent
FALLBACK_LANGUAGE = "en"

LEVELS = {"plan": 1, "review": 2, "stop": 3}  # = intake.models.FlagLevel values

# Symbolic lists a definition may name instead of spelling out (kept in one place in code).
SYMBOLS: dict[str, list[str]] = {
    "@chest_risk_regions": sorted(CHEST_RISK_REGIONS),
    "@body_regions": [key for key, _label in BODY_REGIONS],
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


@dataclass
class Definition:
    name: str
    version: str
    sections: list[Section]
    choice_sets: dict[str, list[dict]]
    scores: list[dict]
    flags: list[dict]
    folder: Path
    # Outcome measures: which score each one reads and its minimal important difference, with its source.
    measures: dict[str, dict] = field(default_factory=dict)
    comfort_items: list[str] = field(default_factory=list)
    items: dict[str, Item] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.items = {item.key: item for section in self.sections for item in section.items}

    # --- structure -------------------------------------------------------------------------------
    @property
    def score_keys(self) -> list[str]:
        return [score["key"] for score in self.scores]

    @property
    def section_keys(self) -> list[str]:
        return [section.key for section in self.sections]

    def section(self, key: str) -> Section:
        """The section with this key; KeyError for an unknown one."""
        for section in self.sections:
            if section.key == key:
                return section
        raise KeyError(key)

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

    def flag(self, code: str) -> dict:
        """The flag rule with this code; KeyError for an unknown one."""
        for rule in self.flags:
            if rule["code"] == code:
                return rule
        raise KeyError(code)

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
        if isinstance(item.choices, list):
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
    if not folder.is_dir():
        return []
    return sorted((child.name for child in folder.iterdir() if (child / "definition.json").exists()), key=_version_key)


def current_version(name: str = "screening") -> str:
    return versions(name)[-1]


@cache
def load(name: str = "screening", version: str | None = None) -> Definition:
    """The definition of one version (the current one by default)."""
    version = version or current_version(name)
    return read(name, ROOT / name / version)


def names() -> list[str]:
    """Every questionnaire with at least one version."""
    return sorted(child.name for child in ROOT.iterdir() if child.is_dir() and versions(child.name))


def read(name: str, folder: Path) -> Definition:
    """One version's definition, read and checked afresh (load() keeps what it reads)."""
    path = folder / "definition.json"
    where = f"{name} {folder.name} (definition.json)"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise QuestionnaireError(f"{where} is not valid JSON: {error}") from None
    validate(raw, where=where)
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
        measures=raw.get("measures", {}),
        comfort_items=raw.get("comfort", []),
    )


def problems(definition: Definition) -> list[str]:
    """The English texts a definition lacks (its structure and references are checked on load, schema.py)."""
    found: list[str] = []
    for item in definition.items.values():
        if not definition.text(FALLBACK_LANGUAGE, "items", item.key, "label"):
            found.append(f"{item.key}: no English label")
        for value in definition.choice_values(item):
            if item.type in {"choice", "multichoice"} and definition.choice_label(item, value, "en") == value:
                found.append(f"{item.key}: no English label for choice {value}")
    for section in definition.sections:
        if not definition.text(FALLBACK_LANGUAGE, "sections", section.key, "title"):
            found.append(f"section {section.key}: no English title")
    for rule in definition.flags:
        if not definition.text(FALLBACK_LANGUAGE, "flags", rule["code"], "title"):
            found.append(f"flag {rule['code']}: no English title")
    return found
