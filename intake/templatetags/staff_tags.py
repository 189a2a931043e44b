"""Small display helpers for the staff workspace: flag levels with words and icons, journey steps."""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join

from intake.models import FlagLevel, Progress

register = template.Library()

# Icon + word + a class for colour: the colour is never the only signal.
FLAG_STYLES = {
    FlagLevel.NONE: ("", "No flags", "flag-none"),
    FlagLevel.PLAN: ("ℹ", "Plan", "flag-plan"),
    FlagLevel.REVIEW: ("⚠", "Review", "flag-review"),
    FlagLevel.STOP: ("⛔", "Stop", "flag-stop"),
}


@register.simple_tag
def flag_badge(level) -> str:
    try:
        level = FlagLevel(int(level or 0))
    except ValueError:
        level = FlagLevel.NONE
    icon, word, css = FLAG_STYLES[level]
    if not icon:
        return format_html('<span class="flag-badge {}">{}</span>', css, word)
    return format_html('<span class="flag-badge {}"><span aria-hidden="true">{}</span> {}</span>', css, icon, word)


@register.filter
def progress_step(value) -> int:
    """1 for invited ... 9 for checked in."""
    try:
        return Progress.values.index(value) + 1
    except ValueError:
        return 1


@register.simple_tag
def progress_total() -> int:
    return len(Progress.values)


@register.filter
def readable_scores(scores) -> list[tuple[str, str]]:
    from intake.staff.display import score_rows

    return score_rows(scores)


@register.simple_tag
def flag_titles(screening) -> str:
    """Which flags a screening raised, highest first, under the level badge (the queue's "which flags")."""
    flags = sorted((getattr(screening, "flags", None) or []), key=lambda flag: -int(flag.get("level", 0)))
    if not flags:
        return ""
    items = format_html_join("", "<li>{}</li>", ((flag.get("title", ""),) for flag in flags))
    return format_html('<ul class="flag-titles small mb-0">{}</ul>', items)
