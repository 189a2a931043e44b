"""Hostile values: what an attacker, a confused browser or a buggy client might post."""

from hypothesis import strategies as st

HOSTILE = [
    "<script>alert('x')</script>",
    '"><img src=x onerror=alert(1)>',
    "<b onmouseover=alert(1)>hi</b>",
    "javascript:alert(1)",
    "' OR '1'='1' --",
    "Robert'); DROP TABLE intake_patient;--",
    "{{ settings.SECRET_KEY }}{% debug %}",
    "${7*7}#{7*7}",
    '=HYPERLINK("http://evil.example","click")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "../../../../etc/passwd",
    "line one\r\nSet-Cookie: stolen=1",
    "nul\x00byte",
    "\u202egnp.exe",
    "Zoë Ölander-Ñúñez",
    "Ελένη Παπαδοπούλου",
    "محمد عبد الله",
    "王小明",
    "🙂💉🩹",
    "-1",
    "99999999999999999999999",
    "NaN",
    "1e308",
    "0000-00-00",
    "9999-12-31",
    "1900-02-29",
    "",
    " " * 50,
    "x" * 20000,
]

# Characters PostgreSQL cannot store in text at all; a form must refuse them, not crash.
hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=50),
)
