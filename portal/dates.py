"""The clinic's dates: read and shown in one order (settings.CLINIC_DATE_ORDER: DMY, MDY or YMD).

ISO (YYYY-MM-DD) is always accepted. A typed date is read only in the clinic's order: "02/03/1965"
at an MDY clinic is 3 February and never 2 March, and "14/02/1965" at an MDY clinic is refused rather
than guessed, so a search never finds the wrong patient by reading the other order.
"""

from __future__ import annotations

import re
from datetime import date

from django.conf import settings

ORDERS = ("DMY", "MDY", "YMD")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_PARTS = re.compile(r"^(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})$")
_PATTERNS = {"DMY": "DD/MM/YYYY", "MDY": "MM/DD/YYYY", "YMD": "YYYY/MM/DD"}
_FORMATS = {"DMY": "d/m/Y", "MDY": "m/d/Y", "YMD": "Y-m-d"}


def date_order() -> str:
    return settings.CLINIC_DATE_ORDER


def date_pattern() -> str:
    """How reception types a date here, e.g. "MM/DD/YYYY"."""
    return _PATTERNS[date_order()]


def date_hint() -> str:
    """The help text of every date box: the clinic's order, and ISO."""
    return f"{date_pattern()} or YYYY-MM-DD"


def django_date_format() -> str:
    """The clinic's order as a Django `date` filter format."""
    return _FORMATS[date_order()]


def parse_clinic_date(text: str) -> date | None:
    """A typed date in the clinic's order or ISO; None if it is not a real date in that order."""
    text = (text or "").strip()
    iso = _ISO.match(text)
    try:
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        parts = _PARTS.match(text)
        if not parts:
            return None
        first, second, third = parts[1], parts[2], parts[3]
        order = date_order()
        if order == "YMD":
            year, month, day = first, second, third
        elif order == "MDY":
            month, day, year = first, second, third
        else:
            day, month, year = first, second, third
        if len(year) != 4:  # a two-digit year would be a guess about the century
            return None
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def format_clinic_date(value: date | None) -> str:
    if value is None:
        return ""
    from django.utils.dateformat import format as django_format

    return django_format(value, django_date_format())
