"""Small display helpers for the staff workspace: flag levels with words and icons, journey steps."""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils import dateformat, timezone
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


# Worked out once: the board asks for every row (Progress.values builds a new list on each use).
STEP_OF_PROGRESS = {value: number for number, value in enumerate(Progress.values, start=1)}


@register.filter
def progress_step(value) -> int:
    """1 for invited ... 9 for checked in."""
    return STEP_OF_PROGRESS.get(value, 1)


@register.simple_tag
def progress_total() -> int:
    return len(STEP_OF_PROGRESS)


@register.simple_tag
def appointment_when(moment: datetime, today: date, tomorrow: date) -> str:
    """The board's appointment cell: "Today 09:30", "Tomorrow 14:00" or "Wed 9 Dec 2026, 11:15", clinic time."""
    local = timezone.localtime(moment)
    if local.date() == today:
        return format_html("<strong>Today</strong> {}", dateformat.format(local, "H:i"))
    if local.date() == tomorrow:
        return format_html("<strong>Tomorrow</strong> {}", dateformat.format(local, "H:i"))
    return dateformat.format(local, "D j M Y, H:i")


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
