"""The screening's answers in words, for the patient's own "your answers" page and the clinician's review."""

from __future__ import annotations

from django.utils.translation import gettext as _

from intake.models import Patient, ScreeningResponse
from intake.questionnaires import Definition
from intake.screening.forms import stored_values


def answers_for_display(
    definition: Definition,
    response: ScreeningResponse | None,
    patient: Patient,
    language: str,
    *,
    answered_only: bool = False,
) -> list[dict]:
    """Each section with (label, shown answer) rows, for the patient's own "your answers" page.

    The patient sees every question, "Not answered" included; staff pass `answered_only` and get the
    answered ones only (sections left empty are dropped).
    """
    answers = response.answers if response else {}
    sections = []
    for section in definition.sections:
        rows = []
        values = stored_values(definition, section.key, answers=answers, patient=patient)
        for item in section.items:
            value = values.get(item.key)
            if (item.show_if or answered_only) and value in (None, "", []):
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
        if answered_only and not rows:
            continue
        sections.append(
            {
                "key": section.key,
                "title": definition.text(language, "sections", section.key, "title", default=section.key),
                "rows": rows,
            }
        )
    return sections
