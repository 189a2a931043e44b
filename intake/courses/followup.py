"""The "since your last session" questions of a follow-up visit: pre-filled from the last answers.

The questionnaire is data (intake/questionnaires/follow_up/), rendered by the screening's form builder
and scored by its rule engine. Its section lists the `carried` answers: the safety questions that can
change between sessions. They are pre-filled from the latest earlier answers of the course, and the one
tap "nothing has changed" keeps them as they were.
"""

from __future__ import annotations

from crispy_forms.layout import HTML, Div, Layout
from django.utils.html import format_html, format_html_join

from intake.models import ScreeningResponse, Visit
from intake.questionnaires import Definition
from intake.screening.forms import REQUIRED, STATE_FIELD, SectionForm

NAME = "follow_up"
SECTION = "since_last"
SAME = "same"
NONE_OF_THESE = "none"
# Questions about the time since the last session start each time at "no".
NEW_SINCE_LAST = {"new_condition": "no", "new_medicines": "no"}


def last_answers(visit: Visit) -> dict:
    """The answers the patient gave at the latest earlier session of the course (screening or follow-up)."""
    previous = visit.previous_session
    if previous is None:
        return {}
    response = ScreeningResponse.objects.filter(visit=previous).only("answers").first()
    return dict(response.answers) if response is not None else {}


def prefill(definition: Definition, visit: Visit) -> dict:
    """The carried answers as they stood at the last session."""
    last = last_answers(visit)
    carried = definition.section(SECTION).carried
    values = {key: last.get(key) for key in carried}
    values.update(NEW_SINCE_LAST)
    for key in ("new_condition_what", "new_medicines_what"):
        values[key] = None
    return values


def summary(definition: Definition, values: dict, language: str) -> list[str]:
    """ "Last time you told us: ..." in the patient's words, one line per carried answer."""
    texts = definition.texts(language).get("summary", {})
    lines = []
    for key in ("blood_thinner", "pregnant", "unwell_today"):
        text = texts.get(key, {}).get(str(values.get(key)))
        if text:
            lines.append(text)
    lines.extend(texts[key] for key in NEW_SINCE_LAST if key in texts)
    return lines


class FollowUpForm(SectionForm):
    """The one page of a follow-up: "nothing has changed" keeps the carried answers as they were."""

    def __init__(self, definition: Definition, *, carried: dict, summary_title: str = "", **kwargs):
        self.carried = carried
        super().__init__(definition, SECTION, **kwargs)
        lines = summary(definition, carried, kwargs["language"])
        last_time = format_html(
            '<div class="card mb-2 last-answers"><div class="card-body"><p class="fw-semibold mb-1">{}</p>'
            '<ul class="mb-0">{}</ul></div></div>',
            summary_title,
            format_html_join("", "<li>{}</li>", ((line,) for line in lines)),
        )
        # The carried questions sit in one block that the script shows after "something has changed";
        # without the script they stay on the page, pre-filled.
        kept = set(self.section.carried)
        parts = []
        for item in self.section.items:
            if item.key in kept:
                continue
            parts.append(self._layout_for(item))
            if item.key == "safety_same":
                parts.insert(len(parts) - 1, HTML(last_time))
                block = [self._layout_for(other) for other in self.section.items if other.key in kept]
                parts.append(
                    Div(
                        *block,
                        css_class="q-followup carried-answers",
                        data_show_if_item="safety_same",
                        data_show_if_equals="changed",
                    )
                )
        self.helper.layout = Layout(*parts, STATE_FIELD)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("safety_same") == SAME:
            for key in self.section.carried:
                self.errors.pop(key, None)
                cleaned[key] = self.carried.get(key)
                item = self.definition.items[key]
                if item.required and not item.show_if and cleaned[key] in (None, ""):
                    # Nothing on file to keep (a question never answered before): ask for it.
                    self.add_error(key, REQUIRED)
        effects = cleaned.get("after_effects") or []
        if NONE_OF_THESE in effects and len(effects) > 1:
            cleaned["after_effects"] = [value for value in effects if value != NONE_OF_THESE]
        return cleaned
