from intake.staff.display import score_rows


def test_scores_read_as_numbers_with_their_band():
    rows = score_rows(
        {
            "nprs": {"now": {"score": 5, "band": "moderate"}, "worst": {"score": 7, "band": "severe"}},
            "gad7": {"total": 11, "band": "moderate"},
            "needle_fear": {"score": 8},
            "something_new": 4,
        }
    )
    assert rows == [
        ("Pain, 0-10 (NPRS)", "now 5 (moderate), worst 7 (severe)"),
        ("General anxiety, 0-21 (GAD-7)", "11 (moderate)"),
        ("Needle fear, 0-10", "8"),
        ("Something new", "4"),
    ]


def test_staff_see_only_the_answered_questions_in_any_language(db):
    from django.utils import translation

    from intake.models import ScreeningResponse
    from intake.staff.display import answer_sections, comfort_wishes
    from tests.factories import VisitFactory

    visit = VisitFactory(ready_to_sign=True)
    screening = ScreeningResponse.objects.create(
        visit=visit,
        questionnaire_version="2026.1",
        answers={"pain_now": 6, "comfort": ["lie_down"], "comfort_other": "Music, please"},
    )
    with translation.override("es"):  # the rows are built from what was answered, not from a shown word
        sections = answer_sections(screening, visit.patient)
    shown = {label for section in sections for label, _value in section["rows"]}
    assert "Not answered" not in {value for section in sections for _label, value in section["rows"]}
    assert any("pain" in label.lower() for label in shown)
    assert all(section["rows"] for section in sections)
    # The comfort items are named by the questionnaire definition, not by the view.
    assert comfort_wishes(screening) == ["Lie down for the treatment", "Music, please"]
