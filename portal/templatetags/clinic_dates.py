"""{{ value|clinic_date }}: a date in the clinic's order (portal/dates.py), the one way staff pages show one."""

from __future__ import annotations

from django import template

from portal.dates import format_clinic_date

register = template.Library()


@register.filter
def clinic_date(value) -> str:
    if hasattr(value, "date") and callable(value.date):
        from django.utils import timezone

        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return format_clinic_date(value)
