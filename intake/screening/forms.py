"""The screening's form builder: one Django form for any section of a questionnaire definition.

`SectionForm` turns one section (intake/questionnaires) into a form rendered by crispy-forms. Follow-up
questions (`show_if`) are always on the page, worded "If yes: ...", so the page works without JavaScript;
static/js/journey.js hides them until they apply. When the condition is false the server drops the
answer, even if one was posted.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Layout
from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from intake.models import Patient
from intake.questionnaires import Definition, Item
from intake.screening.rules import evaluate
from messaging.phones import normalise_phone
from portal.bounds import BoundedDateField

STATE_FIELD = "form_state"


REQUIRED = gettext_lazy("Please answer this question.")
BAD_CHOICE = gettext_lazy("Please choose one of the answers shown.")


class PhoneField(forms.CharField):
    """Parsed and stored as E.164 (messaging.phones), so the clinic can call and text it."""

    def clean(self, value):
        return normalise_phone(super().clean(value))


def _length_messages(limit: int | None) -> dict[str, Any]:
    if limit is None:
        return {}
    return {"max_length": gettext_lazy("Please keep this to %(limit)d characters or fewer.") % {"limit": limit}}


def _field_for(definition: Definition, item: Item, language: str) -> forms.Field:
    label = definition.label(item, language)
    help_text = definition.text(language, "items", item.key, "help")
    required = item.required and not item.show_if  # follow-ups are checked in clean()
    common: dict[str, Any] = {"label": label, "help_text": help_text, "required": required}
    messages = {"required": REQUIRED, "invalid_choice": BAD_CHOICE}
    if item.type == "text":
        return forms.CharField(
            max_length=item.max_length, error_messages={**messages, **_length_messages(item.max_length)}, **common
        )
    if item.type == "textarea":
        return forms.CharField(
            max_length=item.max_length,
            widget=forms.Textarea(attrs={"rows": 3, "maxlength": item.max_length}),
            error_messages={**messages, **_length_messages(item.max_length)},
            **common,
        )
    if item.type == "email":
        return forms.EmailField(
            max_length=item.max_length,
            widget=forms.EmailInput(attrs={"autocomplete": "email"}),
            error_messages={**messages, **_length_messages(item.max_length or 254)},
            **common,
        )
    if item.type == "phone":
        autocomplete = "tel" if item.key == "phone" else "off"
        return PhoneField(
            max_length=item.max_length,
            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": autocomplete, "inputmode": "tel"}),
            error_messages={**messages, **_length_messages(item.max_length or 40)},
            **common,
        )
    if item.type == "date":
        return BoundedDateField(
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            error_messages={**messages, "invalid": _("Enter a real date.")},
            **common,
        )
    if item.type == "choice":
        return forms.ChoiceField(
            choices=definition.choices(item, language),
            widget=forms.RadioSelect,
            error_messages=messages,
            **common,
        )
    if item.type == "multichoice":
        return forms.MultipleChoiceField(
            choices=definition.choices(item, language),
            widget=forms.CheckboxSelectMultiple,
            error_messages={**messages, "invalid_choice": BAD_CHOICE, "invalid_list": BAD_CHOICE},
            **common,
        )
    if item.type == "scale":
        low, high = item.min or 0, item.max if item.max is not None else 10
        return forms.TypedChoiceField(
            choices=[(str(n), str(n)) for n in range(low, high + 1)],
            coerce=int,
            widget=forms.RadioSelect,
            error_messages={
                **messages,
                "invalid_choice": gettext_lazy("Choose a number from %(low)d to %(high)d.")
                % {"low": low, "high": high},
            },
            **common,
        )
    raise ValueError(f"Unknown item type {item.type}")


def _to_stored(item: Item, value: Any) -> Any:
    """A cleaned value as it is kept in JSON; None for "no answer"."""
    if value in (None, "", []):
        return None
    if isinstance(value, date):
        return value.isoformat()
    return value


def _to_initial(item: Item, value: Any) -> Any:
    if value is None:
        return None
    if item.type == "date":
        try:
            return date.fromisoformat(value)
        except (TypeError, ValueError):
            return None
    if item.type == "scale":
        return str(value)
    return value


def stored_values(definition: Definition, section_key: str, *, answers: dict, patient: Patient) -> dict:
    """What is on file for one section: answers, or the patient's contact details."""
    values = {}
    for item in definition.section(section_key).items:
        if item.store == "patient":
            values[item.key] = getattr(patient, item.key) or None
        else:
            values[item.key] = answers.get(item.key)
    return values


def state_token(values: dict) -> str:
    """A fingerprint of what was on file when a form was drawn, to notice a stale (replayed) form."""
    return hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()[:20]


class SectionForm(forms.Form):
    """One section of a questionnaire, as a form. Build with `SectionForm(definition, key, ...)`."""

    def __init__(
        self,
        definition: Definition,
        section_key: str,
        *,
        language: str,
        answers: dict,
        patient: Patient,
        data=None,
    ):
        self.definition = definition
        self.section = definition.section(section_key)
        self.answers = answers
        self.patient = patient
        self.on_file = stored_values(definition, section_key, answers=answers, patient=patient)
        initial = {item.key: _to_initial(item, self.on_file[item.key]) for item in self.section.items}
        initial[STATE_FIELD] = state_token(self.on_file)
        super().__init__(data=data, initial=initial)
        for item in self.section.items:
            self.fields[item.key] = _field_for(definition, item, language)
            if item.show_if:
                # A follow-up's own label ("If yes: which one?") repeats between questions: the error
                # summary names it with its question's short name so each link says which one it is.
                self.fields[item.key].summary_label = (  # type: ignore[attr-defined]
                    f"{definition.short_label(item, language)}: {definition.label(item, language)}"
                )
        self.fields[STATE_FIELD] = forms.CharField(widget=forms.HiddenInput, required=False)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(*[self._layout_for(item) for item in self.section.items], STATE_FIELD)

    def _layout_for(self, item: Item):
        if item.type == "scale":
            inner = InlineRadios(item.key, wrapper_class="scale-field")
        elif item.type == "choice" and len(self.definition.choice_values(item)) <= 3 and item.choices == "yes_no":
            inner = InlineRadios(item.key)
        else:
            inner = Field(item.key)
        attrs = {"css_class": "q-item"}
        condition = item.show_if
        # Only a condition on a question of the same page can be shown/hidden by the script.
        if condition and condition.get("item") in self.fields_in_section and "equals" in condition:
            attrs["css_class"] += " q-followup"
            attrs["data_show_if_item"] = condition["item"]
            attrs["data_show_if_equals"] = str(condition["equals"])
        return Div(inner, **attrs)

    @property
    def fields_in_section(self) -> set[str]:
        return {item.key for item in self.section.items}

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        for item in self.section.items:
            if item.type == "date" and cleaned.get(item.key):
                self._check_date(item, cleaned[item.key])
        merged = {**self.answers, **{item.key: _to_stored(item, cleaned.get(item.key)) for item in self.section.items}}
        for item in self.section.items:
            if not item.show_if:
                continue
            if evaluate(item.show_if, merged):
                if item.required and cleaned.get(item.key) in (None, "", []) and item.key not in self.errors:
                    self.add_error(item.key, REQUIRED)
            else:
                # The condition is false: whatever was posted for the follow-up is ignored.
                cleaned[item.key] = None
                self.errors.pop(item.key, None)
        return cleaned

    def _check_date(self, item: Item, value: date) -> None:
        if item.not_after == "today" and value > timezone.localdate():
            self.add_error(item.key, _("That date is in the future."))
        elif item.not_before == "date_of_birth" and value < self.patient.date_of_birth:
            self.add_error(item.key, _("That date is before you were born."))

    def values_to_store(self) -> dict:
        return {item.key: _to_stored(item, self.cleaned_data.get(item.key)) for item in self.section.items}
