"""The screening: one form builder for any section of a definition, and the server-side scoring.

- `SectionForm` turns one section of a questionnaire definition (intake/questionnaires) into a Django
  form rendered by crispy-forms. Follow-up questions (`show_if`) are always on the page, worded "If
  yes: ...", so the page works without JavaScript; static/js/journey.js hides them until they apply.
  When the condition is false the server drops the answer, even if one was posted.
- `compute()` scores the answers and applies the flag rules. Only the server computes scores and flags.
- `save_section()` is the one write: answers (or contact details), scores, flags, the visit's flag level
  and, when every section is done, the visit's `screening_done_at`.

Scores on ScreeningResponse.scores::

    {"nprs": {"now": {"score": 6, "band": "moderate"}, "worst": {...}, "best": {...}},
     "gad7": {"total": 11, "band": "moderate"},
     "procedure_anxiety": {"score": 6}, "needle_fear": {"score": 3}}

Flags on ScreeningResponse.flags: [{"code", "level", "title", "answer", "rule"}], highest level first;
titles, answers and rules are in the clinic's language (settings.LANGUAGE_CODE), for the clinician.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from typing import Any

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Layout
from django import forms
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from intake import questionnaires
from intake.models import FlagLevel, Patient, ScreeningResponse, Visit
from intake.questionnaires import LEVELS, SYMBOLS, Definition, Item
from portal import audit

PHONE_RE = re.compile(r"^[0-9+()\-.\s/]+$")
STATE_FIELD = "form_state"


# --- conditions ---------------------------------------------------------------------------------


def _as_set(value: Any) -> set:
    if value in (None, ""):
        return set()
    if isinstance(value, list | tuple | set):
        return {str(v) for v in value}
    return {str(value)}


def _lookup_score(scores: dict, path: str) -> Any:
    node: Any = scores
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def evaluate(condition: dict | None, answers: dict, *, scores: dict | None = None, facts: dict | None = None) -> bool:
    """True when the condition holds. A missing answer never satisfies a condition."""
    if not condition:
        return True
    if "all" in condition:
        return all(evaluate(part, answers, scores=scores, facts=facts) for part in condition["all"])
    if "any" in condition:
        return any(evaluate(part, answers, scores=scores, facts=facts) for part in condition["any"])
    if "item" in condition:
        value = answers.get(condition["item"])
    elif "score" in condition:
        value = _lookup_score(scores or {}, condition["score"])
    elif "fact" in condition:
        value = (facts or {}).get(condition["fact"])
    else:
        raise ValueError(f"Unknown condition {condition!r}")
    if value in (None, "", []):
        return False
    if "equals" in condition:
        return str(value) == str(condition["equals"])
    if "in" in condition:
        return str(value) in {str(v) for v in condition["in"]}
    if "contains_any" in condition:
        wanted = condition["contains_any"]
        wanted = SYMBOLS[wanted] if isinstance(wanted, str) else wanted
        return bool(_as_set(value) & {str(v) for v in wanted})
    if "overlaps_item" in condition:
        return bool(_as_set(value) & _as_set(answers.get(condition["overlaps_item"])))
    number = value if isinstance(value, int | float) else int(value)
    if "gte" in condition:
        return number >= condition["gte"]
    if "lt" in condition:
        return number < condition["lt"]
    if "lte" in condition:
        return number <= condition["lte"]
    raise ValueError(f"Condition without a test: {condition!r}")


def effective_answers(definition: Definition, answers: dict) -> dict:
    """The answers with every follow-up whose condition is false left out."""
    kept = {key: value for key, value in answers.items() if key in definition.items}
    for item in definition.items.values():
        if item.show_if and not evaluate(item.show_if, kept):
            kept.pop(item.key, None)
    return kept


# --- scoring and flags --------------------------------------------------------------------------


def _band(value: int, bands: list) -> str:
    label = bands[0][1]
    for threshold, name in bands:
        if value >= threshold:
            label = name
    return label


def score(definition: Definition, answers: dict) -> dict:
    scores: dict[str, Any] = {}
    for rule in definition.scores:
        if rule["type"] == "bands":
            part = {}
            for name, item_key in rule["items"].items():
                if answers.get(item_key) is not None:
                    value = int(answers[item_key])
                    part[name] = {"score": value, "band": _band(value, rule["bands"])}
            if part:
                scores[rule["key"]] = part
        elif rule["type"] == "sum":
            values = []
            for item_key in rule["items"]:
                raw = answers.get(item_key)
                item_score = definition.choice_score(definition.items[item_key], str(raw)) if raw is not None else None
                values.append(item_score)
            if values and all(v is not None for v in values):
                total = sum(values)
                scores[rule["key"]] = {"total": total, "band": _band(total, rule["bands"])}
        elif rule["type"] == "value" and answers.get(rule["item"]) is not None:
            scores[rule["key"]] = {"score": int(answers[rule["item"]])}
    return scores


def _answer_text(definition: Definition, key: str, answers: dict, scores: dict, facts: dict, language: str) -> str:
    texts_facts = definition.texts(language).get("facts", {})
    if key == "@age":
        return texts_facts.get("age", "Age {age}").format(age=facts.get("age"))
    if key == "@gad7":
        gad7 = scores.get("gad7", {})
        band = definition.text(language, "bands", gad7.get("band", ""), default=gad7.get("band", ""))
        return texts_facts.get("gad7", "GAD-7 {total} ({band})").format(total=gad7.get("total"), band=band)
    item = definition.items[key]
    value = answers.get(key)
    if value in (None, "", []):
        return ""
    if item.type == "scale":
        shown = texts_facts.get("scale", "{value}/10").format(value=value)
    elif item.type in {"choice", "multichoice"}:
        shown = ", ".join(
            definition.choice_label(item, str(v), language) for v in (value if isinstance(value, list) else [value])
        )
    else:
        shown = str(value)
    return f"{definition.short_label(item, language)}: {shown}"


def flag_facts(visit: Visit | None, patient: Patient | None) -> dict:
    facts: dict[str, Any] = {}
    if patient is not None:
        day = timezone.localdate(visit.scheduled_at) if visit is not None else timezone.localdate()
        facts["age"] = patient.age_on(day)
    return facts


def describe_flag(
    definition: Definition, rule_or_code: dict | str, answers: dict, scores: dict, facts: dict, language: str
) -> dict:
    """One flag's texts in `language`: {"title", "answer", "rule"}. Takes a flag rule or its code."""
    if isinstance(rule_or_code, dict):
        rule = rule_or_code
    else:
        rule = next((candidate for candidate in definition.flags if candidate["code"] == rule_or_code), None)
        if rule is None:
            raise KeyError(rule_or_code)
    parts = [_answer_text(definition, key, answers, scores, facts, language) for key in rule.get("answer", [])]
    return {
        "title": definition.text(language, "flags", rule["code"], "title", default=rule["code"]),
        "answer": "; ".join(part for part in parts if part),
        "rule": definition.text(language, "flags", rule["code"], "rule"),
    }


def apply_flags(definition: Definition, answers: dict, scores: dict, facts: dict) -> list[dict]:
    language = settings.LANGUAGE_CODE
    flags = []
    for rule in definition.flags:
        if not evaluate(rule["when"], answers, scores=scores, facts=facts):
            continue
        flags.append(
            {
                "code": rule["code"],
                "level": LEVELS[rule["level"]],
                **describe_flag(definition, rule, answers, scores, facts, language),
            }
        )
    flags.sort(key=lambda flag: -flag["level"])
    return flags


def compute(
    definition: Definition, answers: dict, *, visit: Visit | None = None, patient: Patient | None = None
) -> tuple[dict, list[dict], int]:
    """Scores, flags and the highest flag level for these answers. The only place they are made."""
    kept = effective_answers(definition, answers)
    scores = score(definition, kept)
    flags = apply_flags(definition, kept, scores, flag_facts(visit, patient or (visit.patient if visit else None)))
    level = max((flag["level"] for flag in flags), default=FlagLevel.NONE)
    return scores, flags, int(level)


# --- the form builder ---------------------------------------------------------------------------

REQUIRED = gettext_lazy("Please answer this question.")
BAD_CHOICE = gettext_lazy("Please choose one of the answers shown.")


class PhoneField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if value:
            digits = sum(ch.isdigit() for ch in value)
            if not PHONE_RE.match(value) or digits < 6 or digits > 20:
                raise forms.ValidationError(_("Enter a phone number using digits, spaces, + or -."), code="invalid")
        return value


def _length_messages(limit: int) -> dict:
    return {"max_length": gettext_lazy("Please keep this to %(limit)d characters or fewer.") % {"limit": limit}}


def _field_for(definition: Definition, item: Item, language: str) -> forms.Field:
    label = definition.label(item, language)
    help_text = definition.text(language, "items", item.key, "help")
    required = item.required and not item.show_if  # follow-ups are checked in clean()
    common = {"label": label, "help_text": help_text, "required": required}
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
        return forms.DateField(
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

    def clean(self):
        cleaned = super().clean()
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

    @property
    def is_stale(self) -> bool:
        """The form was drawn from answers that have changed since (another tab, an old page)."""
        return bool(self.data.get(STATE_FIELD)) and self.data.get(STATE_FIELD) != state_token(self.on_file)

    @property
    def changes_anything(self) -> bool:
        return self.values_to_store() != {key: self.on_file[key] for key in self.values_to_store()}


# --- the write ----------------------------------------------------------------------------------


def definition_for(response: ScreeningResponse | None) -> Definition:
    """The version a response was started with (or the current one for a new response)."""
    if response is not None and response.questionnaire_version:
        try:
            return questionnaires.load("screening", response.questionnaire_version)
        except FileNotFoundError:
            pass
    return questionnaires.load("screening")


def response_for(visit: Visit) -> ScreeningResponse | None:
    return ScreeningResponse.objects.filter(visit=visit).first()


@transaction.atomic
def save_section(
    *, visit: Visit, section_key: str, values: dict, request: HttpRequest | None = None
) -> ScreeningResponse:
    """Store one section's answers, recompute scores and flags, and mark the screening done when complete."""
    visit = Visit.objects.select_for_update().select_related("patient").get(pk=visit.pk)
    response = ScreeningResponse.objects.select_for_update().filter(visit=visit).first()
    definition = definition_for(response)
    if response is None:
        response = ScreeningResponse(visit=visit, questionnaire_version=definition.version)
    section = definition.section(section_key)
    patient = visit.patient

    answers = dict(response.answers)
    changed_contact = []
    for item in section.items:
        value = values.get(item.key)
        if item.store == "patient":
            if (getattr(patient, item.key) or None) != value:
                setattr(patient, item.key, value or "")
                changed_contact.append(item.key)
        elif value is None:
            answers.pop(item.key, None)
        else:
            answers[item.key] = value
    if changed_contact:
        patient.revision += 1
        patient.save(update_fields=[*changed_contact, "revision"])
        audit.record(
            "patient.contact_updated",
            request=request,
            obj=patient,
            patient=patient,
            details={"fields": changed_contact},
        )

    done = set(response.sections_done) | {section_key}
    response.sections_done = [key for key in definition.section_keys if key in done]
    response.answers = effective_answers(definition, answers)
    response.scores, response.flags, response.flag_level = compute(
        definition, response.answers, visit=visit, patient=patient
    )
    complete = len(response.sections_done) == len(definition.section_keys)
    if complete and response.submitted_at is None:
        response.submitted_at = timezone.now()
    response.save()

    if visit.flag_level != response.flag_level:
        visit.flag_level = response.flag_level
        visit.save(update_fields=["flag_level"])
    if complete:
        visit.mark("screening_done_at")
    audit.record(
        "screening.section_saved",
        request=request,
        obj=response,
        patient=patient,
        details={"section": section_key, "version": definition.version, "complete": complete},
    )
    return response


def rescore(response: ScreeningResponse) -> ScreeningResponse:
    """Recompute a stored response's scores and flags with its own version's rules (demo data, repairs)."""
    definition = definition_for(response)
    response.scores, response.flags, response.flag_level = compute(
        definition, response.answers, visit=response.visit, patient=response.visit.patient
    )
    return response


def answers_for_display(definition: Definition, response: ScreeningResponse | None, patient: Patient, language: str):
    """Each section with (label, shown answer) rows, for the patient's own "your answers" page."""
    answers = response.answers if response else {}
    sections = []
    for section in definition.sections:
        rows = []
        values = stored_values(definition, section.key, answers=answers, patient=patient)
        for item in section.items:
            value = values.get(item.key)
            if item.show_if and value in (None, "", []):
                continue
            if value in (None, "", []):
                shown = _("Not answered")
            elif item.type in {"choice", "multichoice"}:
                shown = ", ".join(
                    definition.choice_label(item, str(v), language)
                    for v in (value if isinstance(value, list) else [value])
                )
            elif item.type == "scale":
                shown = _("%(value)s out of %(max)s") % {"value": value, "max": item.max}
            else:
                shown = str(value)
            rows.append((definition.label(item, language), shown))
        sections.append(
            {
                "key": section.key,
                "title": definition.text(language, "sections", section.key, "title", default=section.key),
                "rows": rows,
            }
        )
    return sections
