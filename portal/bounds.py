"""Bounds for every date, number and page a form or query string brings in: one place, so no value a
person can type (0001-01-01, 9999-12-31, -1, NaN, inf, a 30-digit page) reaches date arithmetic or the
database as an overflow (a 500).

- `BoundedDateField` / `BoundedDateTimeField`: form fields refusing anything outside 1900-2100 with a
  message (a filter form that ignores invalid values simply ignores these too);
- `bounded_int(text, low=, high=, default=)`: a query-string integer, clamped; anything that is not a
  plain whole number gives the default;
- `page_number(request)`: the `page` query parameter of a paged list.
"""

from __future__ import annotations

from datetime import date, datetime

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)
MAX_PAGE = 10_000
# A whole number that fits a PostgreSQL integer column (revisions, counters).
MAX_INT = 2**31 - 1

OUT_OF_RANGE = _("Please check the year.")


def _in_range(day: date) -> bool:
    return EARLIEST_DATE <= day <= LATEST_DATE


class _BoundedMixin:
    """Refuses a day outside EARLIEST_DATE..LATEST_DATE with one message ("Please check the year.")."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("error_messages", {})
        kwargs["error_messages"].setdefault("out_of_range", OUT_OF_RANGE)
        super().__init__(*args, **kwargs)

    def validate(self, value):
        super().validate(value)  # type: ignore[misc]
        if value is not None and not _in_range(value.date() if isinstance(value, datetime) else value):
            raise forms.ValidationError(self.error_messages["out_of_range"], code="out_of_range")  # type: ignore[attr-defined]


class BoundedDateField(_BoundedMixin, forms.DateField):
    pass


class BoundedDateTimeField(_BoundedMixin, forms.DateTimeField):
    pass


class BoundedIntegerField(forms.IntegerField):
    """An integer form field that never holds more than a database integer column does."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", MAX_INT)
        super().__init__(*args, **kwargs)


def bounded_int(text: str | None, *, low: int, high: int, default: int) -> int:
    """A whole number from a query string, clamped to [low, high]; anything else gives `default`."""
    text = (text or "").strip()
    digits = text.removeprefix("-")
    if not (digits.isascii() and digits.isdigit()):
        return default  # NaN, inf, 1e308, 1.5, words
    if len(digits) > 18:  # beyond any bound here; int() of a huge string is slow (and refused past 4,300 digits)
        return low if text.startswith("-") else high
    return max(low, min(int(text), high))


def page_number(request: HttpRequest) -> int:
    return bounded_int(request.GET.get("page"), low=1, high=MAX_PAGE, default=1)
