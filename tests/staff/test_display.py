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
