"""What changed since the last session, in words, for the clinician (review page and course timeline)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from intake.courses import followup
from intake.models import ScreeningResponse, Visit
from intake.questionnaires import Definition
from intake.screening.services import definition_for


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    now: str


def _words(definition: Definition, key: str, value) -> str:
    if value in (None, "", []):
        return "—"
    item = definition.items[key]
    if item.type == "scale":
        return f"{value}/10"
    if item.type in {"choice", "multichoice"}:
        values = value if isinstance(value, list) else [value]
        return ", ".join(definition.choice_label(item, str(v), settings.LANGUAGE_CODE) for v in values)
    return str(value)


def how_it_went(response: ScreeningResponse | None) -> list[tuple[str, str]]:
    """The follow-up's report on the last session: soreness, after-effects, worries, pain now."""
    if response is None or response.questionnaire != followup.NAME:
        return []
    definition = definition_for(response)
    keys = ("soreness_worst", "soreness_now", "after_effects", "worries", "pain_now")
    return [
        (
            definition.short_label(definition.items[key], settings.LANGUAGE_CODE),
            _words(definition, key, response.answers.get(key)),
        )
        for key in keys
        if response.answers.get(key) not in (None, "", [])
    ]


def changes_since_last(visit: Visit, response: ScreeningResponse | None = None) -> list[Change]:
    """The carried safety answers that differ from the last session's."""
    response = response or ScreeningResponse.objects.filter(visit=visit).first()
    if response is None or response.questionnaire != followup.NAME:
        return []
    return changes_between(followup.last_answers(visit), response)


def changes_between(last: dict, response: ScreeningResponse) -> list[Change]:
    """The carried answers of a follow-up response that differ from `last` (the answers before it)."""
    if response.questionnaire != followup.NAME:
        return []
    definition = definition_for(response)
    last = dict(last)
    last.update({key: last.get(key) or value for key, value in followup.NEW_SINCE_LAST.items()})
    found = []
    for key in definition.section(followup.SECTION).carried:
        before, now = last.get(key), response.answers.get(key)
        if (before or None) != (now or None):
            label = definition.short_label(definition.items[key], settings.LANGUAGE_CODE)
            found.append(Change(label, _words(definition, key, before), _words(definition, key, now)))
    return found
