"""Aftercare: the advice a patient reads after the visit, the red-flag questions, and the check-in windows.

The advice is data, one file per language in texts/ (en.json, es.json), so a new language is a new file,
not new code.
Strings may use {phone} and {emergency_number}; advice() fills them in from settings.

Two pieces of advice differ between clinics and are chosen in settings (see README):
AFTERCARE_EXERCISE ("easy_24h" by default, "avoid_24_48h", "no_restriction") and
AFTERCARE_HEAT_OR_ICE ("warmth" by default, "ice", "either").

Check-in windows, measured from VisitRecord.treated_at:

| window | opens   | on time until | after that            |
| ------ | ------- | ------------- | --------------------- |
| 24h    | 12 h    | 48 h          | still accepted, late  |
| 72h    | 48 h    | 96 h          | still accepted, late  |

Before a window opens the patient sees when it will open, and nothing is stored. Reminder emails go
out only while a window is on time (so a stalled scheduler never sends a stale reminder days later).

Red flags: the patient ticks signs from ASKED_RED_FLAGS; two more are derived from the soreness
answers at the 72h check-in (getting worse, or the same at NOT_EASING_MIN_SORENESS or more).
Breathing signs mean "call emergency services now"; every other red flag means "call the clinic today".
Any red flag makes the check-in urgent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path

from django.conf import settings
from django.utils import translation

DEFAULT_LANGUAGE = "en"

EXERCISE_CHOICES = ("easy_24h", "avoid_24_48h", "no_restriction")
HEAT_OR_ICE_CHOICES = ("warmth", "ice", "either")


# --- Check-in windows ---------------------------------------------------------------------------


class WindowState(StrEnum):
    NOT_OPEN = "not_open"
    OPEN = "open"
    LATE = "late"


@dataclass(frozen=True)
class CheckInWindow:
    key: str  # a CheckIn.Window value
    opens_after: timedelta
    on_time_until: timedelta

    def opens_at(self, treated_at: datetime) -> datetime:
        return treated_at + self.opens_after

    def late_after(self, treated_at: datetime) -> datetime:
        return treated_at + self.on_time_until

    def state(self, *, treated_at: datetime, now: datetime) -> WindowState:
        if now < self.opens_at(treated_at):
            return WindowState.NOT_OPEN
        if now < self.late_after(treated_at):
            return WindowState.OPEN
        return WindowState.LATE


WINDOWS: dict[str, CheckInWindow] = {
    "24h": CheckInWindow("24h", opens_after=timedelta(hours=12), on_time_until=timedelta(hours=48)),
    "72h": CheckInWindow("72h", opens_after=timedelta(hours=48), on_time_until=timedelta(hours=96)),
}


# --- Answers and red flags ------------------------------------------------------------------------

SORENESS_MIN, SORENESS_MAX = 0, 10
TRENDS = ("better", "same", "worse")
# At the 72h check-in, soreness at or above this that is not getting better counts as "not easing".
NOT_EASING_MIN_SORENESS = 4


class Action(StrEnum):
    EMERGENCY = "emergency"  # call emergency services now
    CLINIC = "clinic"  # call the clinic today
    NONE = "none"


# Red flags the patient is asked about, in the order shown, and what each one means.
ASKED_RED_FLAGS: dict[str, Action] = {
    "breathing": Action.EMERGENCY,
    "infection": Action.CLINIC,
    "nerve": Action.CLINIC,
    "bruise": Action.CLINIC,
}
# Red flags derived from the soreness answers (never ticked by the patient).
DERIVED_RED_FLAGS: dict[str, Action] = {
    "soreness_worse": Action.CLINIC,
    "soreness_not_easing": Action.CLINIC,
}
RED_FLAGS: dict[str, Action] = {**ASKED_RED_FLAGS, **DERIVED_RED_FLAGS}
NONE_OF_THESE = "none"


def derived_red_flags(*, window: str, soreness: int, trend: str) -> list[str]:
    """Soreness rules: by the 72h check-in soreness should be easing (clinical.md section 4)."""
    if window != "72h":
        return []  # soreness often peaks in the first 24-48 h, so "worse" at 24 h is expected
    if trend == "worse":
        return ["soreness_worse"]
    if trend == "same" and soreness >= NOT_EASING_MIN_SORENESS:
        return ["soreness_not_easing"]
    return []


def action_for(red_flag_codes) -> Action:
    """The most urgent thing the patient must do for these red flags."""
    actions = {RED_FLAGS.get(code, Action.CLINIC) for code in red_flag_codes or ()}
    if Action.EMERGENCY in actions:
        return Action.EMERGENCY
    if Action.CLINIC in actions:
        return Action.CLINIC
    return Action.NONE


# --- The words, per language ------------------------------------------------------------------------

TEXTS = Path(__file__).resolve().parent / "texts"


def _read_advice() -> dict[str, dict]:
    """Every language's advice from texts/<language>.json (same keys as English; one file per language)."""
    return {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted(TEXTS.glob("*.json"))}


ADVICE: dict[str, dict] = _read_advice()


def language_for(language: str | None = None) -> str:
    code = (language or translation.get_language() or DEFAULT_LANGUAGE).split("-")[0]
    return code if code in ADVICE else DEFAULT_LANGUAGE


def _fill(value, values: dict):
    if isinstance(value, str):
        return value.format(**values)
    if isinstance(value, list):
        return [_fill(item, values) for item in value]
    if isinstance(value, dict):
        return {key: _fill(item, values) for key, item in value.items()}
    return value


def advice(language: str | None = None) -> dict:
    """The advice in the patient's language (English if there is none yet), with the clinic's choices."""
    data = ADVICE[language_for(language)]
    self_care = data["self_care"]
    values = {
        "phone": settings.CLINIC_PHONE,
        "emergency_number": settings.CLINIC_EMERGENCY_NUMBER,
        "exercise": self_care["exercise"][settings.AFTERCARE_EXERCISE],
        "heat_or_ice": self_care["heat_or_ice"][settings.AFTERCARE_HEAT_OR_ICE],
    }
    filled = _fill(data, values)  # builds new dicts and lists: ADVICE itself is never changed
    filled["self_care"] = {"title": filled["self_care"]["title"], "items": filled["self_care"]["items"]}
    return filled


def red_flag_questions(language: str | None = None) -> list[tuple[str, str]]:
    """(code, question) for the check-in form, in order."""
    texts = advice(language)["red_flags"]
    return [(code, texts[code]["question"]) for code in ASKED_RED_FLAGS]


def red_flag_label(code: str, language: str | None = None) -> str:
    """A short name for a red flag, e.g. for the staff board and patient record."""
    return advice(language)["red_flags"].get(code, {}).get("label", code)


def red_flag_outcome(codes, language: str | None = None) -> dict:
    """What the patient must do about the red flags they reported, for the outcome box
    (templates/intake/aftercare/partials/red_flag_outcome.html): the action, its words, and each sign's
    instruction. A check-in's done page and a follow-up's "act now" page show the same box."""
    words = advice(language)
    return {
        "action": str(action_for(codes)),
        "outcome": words["outcome"],
        "instructions": [words["red_flags"][code]["instruction"] for code in codes or () if code in words["red_flags"]],
    }


def red_flag_labels(codes, language: str | None = None) -> list[str]:
    """Short names for a check-in's red flags, in the order stored."""
    return [red_flag_label(code, language) for code in codes or ()]
