"""`{{ value|bdi }}` on pages, emails' HTML and PDFs; `{{ value|bdi_text }}` in plain-text emails.

Loaded as a builtin (settings.TEMPLATES), so every template can use them without {% load %}.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from portal.text import isolate_plain, strip_bidi_controls

register = template.Library()


@register.filter
def bdi(value) -> str:
    """A person's text, escaped, without bidi controls, in its own <bdi> (its own direction)."""
    if value is None or value == "":
        return ""
    return format_html("<bdi>{}</bdi>", strip_bidi_controls(str(value)))


@register.filter
def bdi_text(value) -> str:
    return isolate_plain(value) if value not in (None, "") else ""
