"""Scoring and the minimal important difference: is a change improved, no important change, or worse?

The numbers (which score, which direction is better, how many points matter) and their sources live in
the questionnaire definition (intake/questionnaires/outcomes/<version>/definition.json, "measures").
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Any

from intake.questionnaires import Definition, load
from intake.screening.rules import effective_answers, score

QUESTIONNAIRE = "outcomes"
# The global change question: asked at discharge, and at every 4th session of a course (issue 15).
GROC_EVERY = 4


# The patient-specific functional scale's items: up to three activities, each named and rated 0-10.
ACTIVITY_NUMBERS = (1, 2, 3)
ACTIVITY_PREFIX = "psfs_activity_"


def activity_key(number: int) -> str:
    return f"{ACTIVITY_PREFIX}{number}"


def rating_key(number: int) -> str:
    return f"psfs_rating_{number}"


def change_due(session_number: int) -> bool:
    """Whether a session asks "compared with when you started, how are you?" as well."""
    return session_number > 1 and session_number % GROC_EVERY == 0


class Change(StrEnum):
    IMPROVED = "improved"
    NO_IMPORTANT_CHANGE = "no_important_change"
    WORSE = "worse"


def definition(version: str | None = None) -> Definition:
    return load(QUESTIONNAIRE, version)


def compute(definition: Definition, answers: dict) -> dict:
    """The scores for these answers (same engine as the screening). Only the server computes them."""
    return score(definition, effective_answers(definition, answers))


def value(definition: Definition, measure: str, scores: dict) -> Any:
    """One measure's headline number from stored scores, or None."""
    node: Any = scores
    for part in definition.measures[measure]["score"].split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def classify(definition: Definition, measure: str, *, first=None, last=None) -> Change | None:
    """A change measure (NPRS, PSFS) compares first and last; a rating (GROC) reads `last` alone.

    A change of exactly the important difference counts as important (Abbott 2014 report the MCID as
    the smallest change that matters).
    """
    rule = definition.measures[measure]
    important = Decimal(str(rule["important"]))
    if rule["kind"] == "rating":
        if last is None:
            return None
        gain = Decimal(str(last))
    else:
        if first is None or last is None:
            return None
        gain = Decimal(str(last)) - Decimal(str(first))
        if rule["better"] == "lower":
            gain = -gain
    if gain >= important:
        return Change.IMPROVED
    if gain <= -important:
        return Change.WORSE
    return Change.NO_IMPORTANT_CHANGE


def change_label(definition: Definition, change: Change | None, language: str = "en") -> str:
    return definition.text(language, "classes", str(change), default="") if change else ""
