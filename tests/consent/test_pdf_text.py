"""The signed PDF shows a person's text in reading order, and emoji with a real glyph."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import pytest

from intake.models import Patient
from tests.consent.conftest import pdf_text, stored

pytestmark = pytest.mark.django_db

RLO = "\u202e"


def test_an_override_in_a_name_does_not_reverse_the_pdf(ready_visit, sign):
    patient = ready_visit.patient
    # Written around the model (an older row): the PDF must still neither carry nor obey the override.
    Patient.objects.filter(pk=patient.pk).update(last_name=f"{RLO}Smith 5550456")
    ready_visit.patient.refresh_from_db()
    record = sign(ready_visit, signer_name=f"Pat {RLO}Smith 5550456")
    text = pdf_text(stored(record.pdf.name))
    assert "Smith 5550456" in text
    assert "6540555" not in text and "htimS" not in text
    assert RLO not in text


def pdf_fonts(data: bytes) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "consent.pdf"
        path.write_bytes(data)
        return subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout


def test_an_emoji_in_a_name_is_drawn_with_the_emoji_font_not_a_missing_glyph(ready_visit, sign):
    Patient.objects.filter(pk=ready_visit.patient.pk).update(first_name="Pat 💉")
    ready_visit.patient.refresh_from_db()
    record = sign(ready_visit)
    fonts = pdf_fonts(stored(record.pdf.name))
    assert "Emoji" in fonts, fonts


def test_digits_are_not_drawn_with_the_emoji_font(ready_visit, sign):
    # The colour emoji font has glyphs for 0-9; named in the font stack it drew every date and time as
    # a bitmap image, which tripled the signing CPU time. Emoji reach it through font fallback instead.
    record = sign(ready_visit)
    fonts = pdf_fonts(stored(record.pdf.name))
    assert "Emoji" not in fonts, fonts
