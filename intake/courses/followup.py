"""The "since your last session" questions of a follow-up visit: pre-filled from the last answers.

The questionnaire is data (intake/questionnaires/follow_up/), rendered by the screening's form builder
and scored by its rule engine. Its section lists the `carried` answers: the safety questions that can
change between sessions. They are pre-filled from the latest earlier answers of the course, and the one
tap "nothing has changed" keeps them as they were.
"""

from __future__ import annotations

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.layout import HTML, Div, Field, Layout
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from intake.models import ScreeningResponse, Visit
from intake.outcomes import measures
from intake.outcomes import patient as patient_measures
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

    def __init__(
        self,
        definition: Definition,
        *,
        carried: dict,
        summary_title: str = "",
        activities: list[patient_measures.Activity] | None = None,
        ask_change: bool = False,
        **kwargs,
    ):
        self.carried = carried
        self.activities = activities or []
        self.ask_change = ask_change
        super().__init__(definition, SECTION, **kwargs)
        self.fields.update(
            patient_measures.rerating_fields(self.activities, ask_change=ask_change, language=kwargs["language"])
        )
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
            if item.key == "pain_now":
                parts.extend(self._measures_layout())
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

    def _measures_layout(self) -> list:
        """The activities named at the first visit with last time's ratings: "about the same" is one tap;
        "some are different" unfolds the ratings, pre-filled (on the page as they are without a script)."""
        parts: list = []
        if self.activities:
            lines = [
                (activity.name, _("%(rating)s out of 10") % {"rating": activity.last_rating})
                if activity.last_rating is not None
                else (activity.name, _("not rated"))
                for activity in self.activities
            ]
            parts.append(
                HTML(
                    format_html(
                        '<div class="card mb-2 last-activities"><div class="card-body">'
                        '<p class="fw-semibold mb-1">{}</p><ul class="mb-0">{}</ul></div></div>',
                        _("Things that are hard to do. Last time you said:"),
                        format_html_join("", "<li>{}: {}</li>", lines),
                    )
                )
            )
            parts.append(Div(InlineRadios("activities_same"), css_class="q-item"))
            ratings = [
                Div(
                    InlineRadios(measures.rating_key(activity.number), wrapper_class="scale-field"),
                    css_class="q-item",
                )
                for activity in self.activities
            ]
            parts.append(
                Div(
                    *ratings,
                    css_class="q-followup rerated-activities",
                    data_show_if_item="activities_same",
                    data_show_if_equals=patient_measures.CHANGED,
                )
            )
        if self.ask_change:
            parts.append(Div(Field("groc"), css_class="q-item change-since-start"))
        return parts

    def outcome_answers(self) -> dict:
        """The outcomes questionnaire's answers of this page (the pain is read from the stored answers)."""
        return patient_measures.rerated_answers(self.cleaned_data, self.activities, ask_change=self.ask_change)

    def clean(self):
        cleaned = super().clean()
        patient_measures.clean_rerating(self, cleaned, self.activities)
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
