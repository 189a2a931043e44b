"""A table row of the consent PDF is never split across two pages (a risk apart from its "how often"
reads as two wrong rows). Checked with the consent template's own stylesheet and WeasyPrint, at every
position of the table on the page, by reading each page's text back."""

from __future__ import annotations

import io
import re
from pathlib import Path

from pypdf import PdfReader

from portal.pdf import render_html_to_pdf

TEMPLATE = Path(__file__).resolve().parents[2] / "templates" / "consent" / "pdf" / "consent.html"
ROWS = [(f"Risk number {n} with a name long enough to wrap onto a second line", f"Often{n} figure") for n in range(6)]


def consent_stylesheet() -> str:
    return re.search(r"<style>(.*?)</style>", TEMPLATE.read_text(), re.S).group(1)


def pages_of_a_table_pushed_down_by(spacer_mm: int) -> list[str]:
    rows = "".join(f'<tr><th scope="row">{risk}</th><td>{often}</td></tr>' for risk, often in ROWS)
    html = (
        f'<html lang="en"><head><style>{consent_stylesheet()}</style></head><body>'
        f'<div style="height: {spacer_mm}mm"></div>'
        f'<table class="consent-risks"><thead><tr><th>Risk</th><th>How often</th></tr></thead>{rows}</table>'
        "</body></html>"
    )
    reader = PdfReader(io.BytesIO(render_html_to_pdf(html)))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def test_each_row_of_a_table_stays_on_one_page_wherever_the_page_ends():
    split = []
    for spacer_mm in range(200, 250, 4):  # the table crosses the end of the first page at some of these
        pages = pages_of_a_table_pushed_down_by(spacer_mm)
        for risk, often in ROWS:
            if not any(risk in page and often in page for page in pages):
                split.append((spacer_mm, risk))
    assert not split
