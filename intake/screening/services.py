"""The screening's writes: one section's answers at a time, and the clinician's review.

`save_section()` stores answers (or contact details), scores, flags, the visit's flag level and, when every
section is done, the visit's `screening_done_at`.
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from intake import questionnaires
from intake.models import ReviewOutcome, ScreeningResponse, Visit
from intake.questionnaires import Definition
from intake.screening.forms import state_token, stored_values
from intake.screening.rules import compute, effective_answers
from portal import audit
from portal.models import User


@transaction.atomic
def review_screening(*, visit: Visit, outcome: str, note: str = "", by: User, request: HttpRequest | None = None):
    """The clinician's review of a screening: reviewed, or needs discussion (with a note)."""
    if outcome not in ReviewOutcome.values:
        raise ValueError(f"unknown review outcome {outcome!r}")
    screening = ScreeningResponse.objects.select_for_update().get(visit=visit)
    screening.reviewed_at = timezone.now()
    screening.reviewed_by = by
    screening.review_outcome = outcome
    screening.review_note = note.strip()
    screening.save(update_fields=["reviewed_at", "reviewed_by", "review_outcome", "review_note", "updated_at"])
    audit.record(
        "screening.reviewed",
        request=request,
        actor=by,
        obj=screening,
        patient=visit.patient,
        details={"outcome": outcome, "note": bool(screening.review_note)},
    )
    return screening


def definition_for(response: ScreeningResponse | None, name: str = "screening") -> Definition:
    """The questionnaire and version a response was started with (or the current one for a new response).

    `name` is the questionnaire of a new response: "screening", or "follow_up" for a later session.
    """
    if response is not None:
        name = response.questionnaire
        if response.questionnaire_version:
            try:
                return questionnaires.load(name, response.questionnaire_version)
            except FileNotFoundError:
                pass
    return questionnaires.load(name)


class SectionChanged(Exception):
    """The answers on file changed since the form was drawn (another tab saved first): ask to confirm."""


def response_for(visit: Visit) -> ScreeningResponse | None:
    return ScreeningResponse.objects.filter(visit=visit).first()


@transaction.atomic
def save_section(
    *,
    visit: Visit,
    section_key: str,
    values: dict,
    drawn_from: str = "",
    request: HttpRequest | None = None,
    questionnaire: str = "screening",
) -> ScreeningResponse:
    """Store one section's answers, recompute scores and flags, and mark the screening done when complete.

    `drawn_from` is the form's fingerprint of what was on file when it was drawn. It is compared under the
    visit's row lock, so of two tabs saving at the same moment the second sees the first's answers and
    raises SectionChanged (unless it saves the very same values) instead of silently overwriting them.
    """
    visit = Visit.objects.select_for_update().select_related("patient").get(pk=visit.pk)
    response = ScreeningResponse.objects.select_for_update().filter(visit=visit).first()
    definition = definition_for(response, questionnaire)
    if response is None:
        response = ScreeningResponse(
            visit=visit, questionnaire=definition.name, questionnaire_version=definition.version
        )
    section = definition.section(section_key)
    patient = visit.patient
    on_file = stored_values(definition, section_key, answers=response.answers, patient=patient)
    if drawn_from and drawn_from != state_token(on_file) and any(on_file[k] != v for k, v in values.items()):
        raise SectionChanged

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
        details={
            "questionnaire": definition.name,
            "section": section_key,
            "version": definition.version,
            "complete": complete,
        },
    )
    return response


def rescore(response: ScreeningResponse) -> ScreeningResponse:
    """Recompute a stored response's scores and flags with its own version's rules (demo data, repairs)."""
    definition = definition_for(response)
    response.scores, response.flags, response.flag_level = compute(
        definition, response.answers, visit=response.visit, patient=response.visit.patient
    )
    return response
