"""The patient's own outcome measures (issue 15): the things that are hard to do, named at the first visit,
re-rated before each later session, and the change question at every 4th session.

The questions are the outcomes questionnaire's (intake/questionnaires/outcomes/), drawn by the screening's
form builder; the answers are scored and stored by `services.record_outcomes(..., by_patient=True)`, with
the pain the patient gave in the same visit's screening or "since your last session" answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from intake.models import OutcomeResponse, Visit
from intake.outcomes import measures
from intake.outcomes.measures import ACTIVITY_NUMBERS, ACTIVITY_PREFIX, activity_key, rating_key
from intake.questionnaires import Definition
from intake.screening.forms import BAD_CHOICE, REQUIRED, SectionForm

SECTION = "activities"
PAIN_SECTION = "pain"  # the screening section these follow
SAME = "same"
CHANGED = "changed"
# Names are shown back to the patient and to staff (escaped everywhere); angle brackets have no place in
# "carrying shopping", so a name with them is asked again rather than stored.
MARKUP = re.compile(r"[<>]")
NO_MARKUP = gettext_lazy("Please write this without the signs < and >.")
TOO_MANY = gettext_lazy("You can name up to 3 things. Please choose the 3 that matter most to you.")
NAME_IT = gettext_lazy("Please write what this thing is, or choose “No number”.")
NO_NUMBER = gettext_lazy("No number")
RATE_IT = gettext_lazy("Please choose a number for this one.")


@dataclass(frozen=True)
class Activity:
    number: int
    name: str
    last_rating: int | None


def activities_due(visit: Visit, screening) -> bool:
    """A first visit whose pain questions are answered and whose activities are not yet asked (answered,
    skipped, or entered by the clinician: any of them leaves the visit's measures on file)."""
    return (
        screening is not None
        and PAIN_SECTION in screening.sections_done
        and not OutcomeResponse.objects.filter(visit=visit).exists()
        and not visit.is_follow_up
    )


def activities_to_rerate(visit: Visit) -> list[Activity]:
    """The activities named at the course's first measure, each with its latest earlier rating."""
    earlier = list(OutcomeResponse.objects.filter(visit__in=visit.earlier_in_course()).order_by("submitted_at", "pk"))
    named = next((row for row in earlier if row.answers.get(activity_key(1))), None)
    if named is None:
        return []
    activities = []
    for number in ACTIVITY_NUMBERS:
        name = named.answers.get(activity_key(number))
        if not name:
            continue
        rated = [
            row.answers.get(rating_key(number)) for row in earlier if row.answers.get(activity_key(number)) == name
        ]
        ratings = [value for value in rated if value is not None]
        activities.append(Activity(number, name, int(ratings[-1]) if ratings else None))
    return activities


class ActivitiesForm(SectionForm):
    """The first visit's "things that are hard to do": up to 3 names, each rated 0-10."""

    def __init__(self, *, language: str, answers: dict, patient, data=None):
        super().__init__(measures.definition(), SECTION, language=language, answers=answers, patient=patient, data=data)
        for number in ACTIVITY_NUMBERS:
            rating = self.fields.get(rating_key(number))
            if isinstance(rating, forms.ChoiceField) and not rating.required:
                # A radio button cannot be unticked: a number tapped by mistake for an unnamed thing needs
                # a way back that is not inventing a name or reloading the page.
                rating.choices = [("", NO_NUMBER), *cast(list, rating.choices)]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        extra = {key for key in (self.data or {}) if key.startswith(ACTIVITY_PREFIX)} - {
            activity_key(n) for n in ACTIVITY_NUMBERS
        }
        if any(str(self.data.get(key, "")).strip() for key in extra):
            self.add_error(None, TOO_MANY)
        for number in ACTIVITY_NUMBERS:
            name_key, score_key = activity_key(number), rating_key(number)
            name = cleaned.get(name_key) or ""
            if name and MARKUP.search(name):
                self.add_error(name_key, NO_MARKUP)
            has_rating = cleaned.get(score_key) not in (None, "")
            if name and not has_rating and score_key not in self.errors:
                self.add_error(score_key, RATE_IT)
            if has_rating and not name and name_key not in self.errors:
                self.add_error(name_key, NAME_IT)
        return cleaned


def _scale(low: int, high: int, labels: dict[int, str] | None = None) -> list[tuple[str, str]]:
    return [(str(n), (labels or {}).get(n, str(n))) for n in range(low, high + 1)]


def change_choices(definition: Definition, language: str) -> list[tuple[str, str]]:
    """The change question's answers in words, best first: "+7: a very great deal better" ... "-7: ..."."""
    item = definition.items["groc"]
    words = {
        n: definition.text(language, "items", "groc", "choices", str(n), default=str(n))
        for n in range(item.min or -7, (item.max or 7) + 1)
    }
    return list(reversed(_scale(item.min or -7, item.max or 7, words)))


def rerating_fields(activities: list[Activity], *, ask_change: bool, language: str) -> dict[str, forms.Field]:
    """The extra questions of "since your last session": the activities again, and the change question."""
    definition = measures.definition()
    fields: dict[str, forms.Field] = {}
    messages = {"required": REQUIRED, "invalid_choice": BAD_CHOICE}
    if activities:
        fields["activities_same"] = forms.ChoiceField(
            label=_("How are these today?"),
            choices=[(SAME, _("About the same as last time")), (CHANGED, _("Some are different"))],
            widget=forms.RadioSelect,
            error_messages=messages,
        )
        help_text = definition.text(language, "items", rating_key(1), "help")
        for activity in activities:
            # The name is the patient's own words: escaped here, as crispy-forms prints labels unescaped.
            fields[rating_key(activity.number)] = forms.TypedChoiceField(
                label=format_html("{}", activity.name),
                help_text=help_text,
                choices=_scale(0, 10),
                coerce=int,
                required=False,
                initial=None if activity.last_rating is None else str(activity.last_rating),
                widget=forms.RadioSelect,
                error_messages={**messages, "invalid_choice": _("Choose a number from 0 to 10.")},
            )
    if ask_change:
        fields["groc"] = forms.TypedChoiceField(
            label=definition.text(language, "items", "groc", "label"),
            help_text=_("Choose the answer closest to how you feel."),
            choices=change_choices(definition, language),
            coerce=int,
            widget=forms.RadioSelect,
            error_messages=messages,
        )
    return fields


def clean_rerating(form: forms.Form, cleaned: dict, activities: list[Activity]) -> None:
    """ "About the same" keeps last time's ratings; "some are different" needs a number for each."""
    if not activities:
        return
    same = cleaned.get("activities_same") == SAME
    for activity in activities:
        key = rating_key(activity.number)
        if same:
            form.errors.pop(key, None)
            cleaned[key] = activity.last_rating
        if cleaned.get(key) in (None, "") and key not in form.errors and "activities_same" in cleaned:
            form.add_error(key, RATE_IT)


def rerated_answers(cleaned: dict, activities: list[Activity], *, ask_change: bool) -> dict:
    """The outcomes questionnaire's answers from a valid "since your last session" form."""
    answers: dict = {}
    for activity in activities:
        answers[activity_key(activity.number)] = activity.name
        answers[rating_key(activity.number)] = cleaned.get(rating_key(activity.number))
    if ask_change:
        answers["groc"] = cleaned.get("groc")
    return answers
