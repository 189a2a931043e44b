"""The explanation and the patient texts read at grade 8 or below (Flesch-Kincaid)."""

import pytest

from intake import questionnaires
from intake.journey import explanation
from intake.journey.understanding import QUESTIONS
from tests.readability import english_grade as grade


def test_the_explanation_reads_at_grade_8_or_below():
    assert grade(explanation.all_text()) <= 8


@pytest.mark.parametrize("section", explanation.SECTIONS, ids=lambda s: s.key)
def test_each_explanation_section_reads_at_grade_8_or_below(section):
    parts = [*section.paragraphs, *section.bullets, *section.after, *(p for qa in section.questions for p in qa)]
    text = " ".join(str(p) if str(p).endswith((".", "?", ":")) else f"{p}." for p in parts)
    assert grade(text) <= 8


def test_the_explanation_covers_every_topic_the_issue_lists():
    keys = [section.key for section in explanation.SECTIONS]
    for topic in (
        "what",
        "why",
        "session",
        "feel",
        "after",
        "how_often",
        "benefits",
        "risks",
        "alternatives",
        "optional",
        "faq",
    ):
        assert topic in keys
    text = explanation.all_text().lower()
    assert "nothing is injected" in text
    assert "not acupuncture" in text


def test_the_understanding_questions_read_at_grade_8_or_below():
    text = " ".join(str(q.text) + " " + " ".join(f"{label}." for _v, label in q.choices) for q in QUESTIONS)
    assert grade(text) <= 8


def test_the_screening_questions_read_at_grade_8_or_below():
    definition = questionnaires.load("screening")
    labels = [definition.label(item, "en") for item in definition.items.values() if not item.key.startswith("gad7_")]
    text = " ".join(label if label.endswith(("?", ".")) else label + "." for label in labels)
    assert grade(text) <= 8
