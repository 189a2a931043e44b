"""The board as CSV: one row per visit, streamed, with cells a spreadsheet will not run as formulas.

UTF-8 with a byte order mark: without it Excel opens a double-clicked CSV in the machine's legacy code
page, and "José Muñoz" arrives as "JosÃ© MuÃ±oz". Other spreadsheets and csv readers ignore the mark
(Python: encoding="utf-8-sig").
"""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils import timezone

from intake.models import Visit

BOM = "\ufeff"

HEADER = [
    "appointment",
    "first_name",
    "last_name",
    "date_of_birth",
    "email",
    "phone",
    "clinician",
    "progress",
    "flag_level",
    "urgent_since",
    "course",
    "session",
    "consent_on_paper",
]


def csv_safe(value) -> str:
    """A cell a spreadsheet will not run as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


class _Echo:
    """A file that hands each written line back, so csv.writer can feed a streaming response."""

    def write(self, value):
        return value


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def board_rows(visits: QuerySet[Visit]) -> Iterator[str]:
    """The header, then one CSV line per visit (patient and clinician joined, session counted), in chunks."""
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow(HEADER)
    for visit in visits.iterator(chunk_size=1000):
        patient = visit.patient
        yield writer.writerow(
            csv_safe(cell)
            for cell in (
                _when(visit.scheduled_at),
                patient.first_name,
                patient.last_name,
                patient.date_of_birth.isoformat(),
                patient.email,
                patient.phone,
                visit.clinician or "",
                visit.get_progress_display(),
                visit.get_flag_level_display(),
                _when(visit.urgent_since),
                visit.course_id,
                visit.session_number,
                _when(visit.paper_consent_at),
            )
        )
