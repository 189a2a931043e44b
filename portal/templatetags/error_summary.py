"""{% error_summary form %}: the GOV.UK error summary, each problem a link to its field."""

from __future__ import annotations

from django import template

register = template.Library()


def _anchor(field) -> str:
    # Radio buttons and checkbox lists have no single id; their first option is where the eye goes.
    return field.id_for_label or f"{field.auto_id}_0"


@register.inclusion_tag("partials/error_summary.html")
def error_summary(form, intro: str = "") -> dict:
    problems = [
        {"anchor": _anchor(field), "label": getattr(field.field, "summary_label", field.label), "message": error}
        for field in form
        if not field.is_hidden
        for error in field.errors
    ]
    # A hidden field (a drawn signature, a revision) has no box to link to: its error is named here.
    hidden = [error for field in form.hidden_fields() for error in field.errors]
    return {"problems": problems, "general": [*form.non_field_errors(), *hidden], "intro": intro}
