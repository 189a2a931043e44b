"""Reception's search box: one text that may be a name, a date of birth, an email or a phone number.

Choices that keep it fast with tens of thousands of patients:
- names are matched against `Patient.search_name`, a lower-case accent-free copy kept by save(), so
  "zoe" finds "Zoë" without a function call per row; each typed word must appear in the name;
- dates of birth (ISO or the clinic's order, portal/dates.py) are an exact match on the indexed column;
- emails are an exact match (as typed or lower-cased) on the indexed column;
- phone numbers are matched on their digits (`Patient.search_phone`).
Partial matches are LIKE '%word%'. On PostgreSQL a trigram GIN index (migration
intake/00xx_search_trigram_indexes) serves them; on SQLite a laptop's few rows are scanned.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from django.db.models import Q

from messaging.phones import parse_phone
from portal.dates import parse_clinic_date

_PHONE_CHARS = re.compile(r"^[\d\s()+.\-]+$")


def fold_for_search(text: str) -> str:
    """Lower-case text without accents, so 'zoe' finds 'Zoë'."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def digits_only(text: str) -> str:
    return "".join(ch for ch in text or "" if ch.isdigit())


def parse_date_of_birth(text: str) -> date | None:
    return parse_clinic_date(text)


def patient_search_q(text: str, *, prefix: str = "") -> Q | None:
    """A filter on Patient (or on a relation to it, via `prefix`) for the search text; None if blank."""
    text = (text or "").strip()[:100]
    if not text:
        return None
    dob = parse_date_of_birth(text)
    if dob is not None:
        return Q(**{f"{prefix}date_of_birth": dob})
    if "@" in text:
        return Q(**{f"{prefix}email__in": sorted({text, text.lower()})})
    if _PHONE_CHARS.match(text) and len(digits_only(text)) >= 3:
        # A whole number typed the local way ("07400 123456") matches its stored E.164 form
        # (+447400123456) through the national number; partial digits match as typed.
        number = parse_phone(text)
        digits = str(number.national_number) if number is not None else digits_only(text)
        return Q(**{f"{prefix}search_phone__contains": digits})
    condition = Q()
    for word in fold_for_search(text).split()[:5]:
        condition &= Q(**{f"{prefix}search_name__contains": word})
    return condition
