"""Writes: a visit's outcome measures, and the soreness right after the session."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from intake.models import OutcomeMoment, OutcomeResponse, ScreeningResponse, Visit, VisitRecord
from intake.outcomes import measures
from portal import audit

PAIN_ITEMS = ("pain_now", "pain_worst", "pain_best")
# Which sections each moment asks. The first visit's pain comes from the screening, never asked twice.
SECTIONS_BY_MOMENT: dict[str, tuple[str, ...]] = {
    OutcomeMoment.FIRST_VISIT: ("activities",),
    OutcomeMoment.BEFORE_SESSION: ("pain", "activities"),
    OutcomeMoment.DISCHARGE: ("pain", "activities", "change"),
}
# What the patient's own pages ask (first visit and before each session): the activities; pain comes from
# the visit's screening or follow-up answers, and the change question is added when it is due.
PATIENT_SECTIONS: tuple[str, ...] = ("activities",)


def _clean(definition, sections: tuple[str, ...], answers: dict, *, with_change: bool) -> dict:
    """Keep the asked items, check each one, and say which are wrong (ValidationError per item key)."""
    wanted = list(sections) + (["change"] if with_change and "change" not in sections else [])
    kept: dict = {}
    errors: dict[str, str] = {}
    for section_key in wanted:
        for item in definition.section(section_key).items:
            raw = answers.get(item.key)
            if raw in (None, ""):
                if item.required:
                    errors[item.key] = "Please answer this question."
                continue
            if item.type == "scale":
                try:
                    number = int(raw)
                except (TypeError, ValueError):
                    errors[item.key] = f"Choose a whole number from {item.min} to {item.max}."
                    continue
                if isinstance(raw, bool) or not item.min <= number <= item.max:
                    errors[item.key] = f"Choose a whole number from {item.min} to {item.max}."
                    continue
                kept[item.key] = number
            else:
                text = str(raw).strip()
                if len(text) > (item.max_length or 0):
                    errors[item.key] = f"Please keep this to {item.max_length} characters or fewer."
                    continue
                kept[item.key] = text
    # A rating needs its activity, and an activity its rating.
    for n in measures.ACTIVITY_NUMBERS:
        activity, rating = measures.activity_key(n), measures.rating_key(n)
        if (activity in kept) != (rating in kept) and "activities" in wanted:
            errors[rating if activity in kept else activity] = "Give each activity a name and a rating."
    if errors:
        raise ValidationError(errors)
    return kept


@transaction.atomic
def record_outcomes(
    *,
    visit: Visit,
    moment: str,
    answers: dict,
    with_change: bool = False,
    by=None,
    request: HttpRequest | None = None,
    now: datetime | None = None,
    by_patient: bool = False,
) -> OutcomeResponse:
    """Store (or replace) one visit's outcome measures, scored here. Raises ValidationError, storing
    nothing, for a missing or out-of-range answer. `with_change` adds the optional GROC at a session.

    `by_patient`: the patient's own pages, which ask the activities (and the change question when due);
    their pain is the pain they gave in this visit's screening or "since your last session" answers.
    A measure a clinician entered for the visit is kept: the patient's answers are not applied (see
    `staff_entered`), and the audit trail says so.
    """
    if moment not in OutcomeMoment.values:
        raise ValidationError({"moment": "Unknown moment."})
    if by_patient:
        existing = staff_entered(visit)
        if existing is not None:
            audit.record(
                "outcomes.patient_answers_not_applied",
                request=request,
                obj=existing,
                patient=visit.patient,
                details={"moment": moment, "reason": "entered_by_staff"},
            )
            return existing
    definition = measures.definition()
    sections = SECTIONS_BY_MOMENT[moment]
    if by_patient:
        # No activities named yet (they were skipped): the pain, and the change question if due, still count.
        named = any(str(key).startswith("psfs_") and answers[key] not in (None, "") for key in answers)
        sections = PATIENT_SECTIONS if named else ()
    kept = _clean(definition, sections, answers, with_change=with_change)
    from_screening = False
    if moment == OutcomeMoment.FIRST_VISIT or by_patient:
        pain = _pain_from_screening(visit)
        # The clinician's first-visit form relies on all three; the follow-up questions ask pain now only.
        if pain and (by_patient or len(pain) == len(PAIN_ITEMS)):
            kept.update(pain)
            from_screening = True
    scores = measures.compute(definition, kept)
    psfs = measures.value(definition, "psfs", scores)
    response, _created = OutcomeResponse.objects.update_or_create(
        visit=visit,
        defaults={
            "questionnaire_version": definition.version,
            "moment": moment,
            "answers": kept,
            "scores": scores,
            "nprs": measures.value(definition, "nprs", scores),
            "psfs": None if psfs is None else Decimal(str(psfs)),
            "groc": measures.value(definition, "groc", scores),
            "pain_from_screening": from_screening,
            "submitted_at": now or timezone.now(),
            "entered_by": by,
        },
    )
    _refresh_course_changes(visit.course_id)
    response.refresh_from_db()
    audit.record(
        "outcomes.recorded",
        request=request,
        actor=by,
        obj=response,
        patient=visit.patient,
        details={
            "moment": moment,
            "measures": sorted(scores),
            "pain_from_screening": from_screening,
            "by_patient": by_patient,
        },
    )
    return response


def _pain_from_screening(visit: Visit) -> dict[str, int]:
    """The pain items this visit's own answers hold (screening, or "since your last session")."""
    screening = ScreeningResponse.objects.filter(visit=visit).only("answers").first()
    answers = (screening.answers or {}) if screening else {}
    return {key: int(str(answers[key])) for key in PAIN_ITEMS if answers.get(key) not in (None, "")}


def staff_entered(visit: Visit) -> OutcomeResponse | None:
    """The visit's measures if a clinician entered them.

    Who wins when both the patient and a clinician answer for the same visit: the clinician. The patient
    answers before the session, on their own; the clinician enters measures with the patient, at the
    session, on the staff page, which opens with whatever the patient gave, so a clinician's save is the
    later and deliberate one. So a clinician's save replaces the patient's answers (the audit trail keeps
    both events), and the patient's pages neither ask again nor overwrite a clinician's entry.
    """
    return OutcomeResponse.objects.filter(visit=visit, entered_by__isnull=False).first()


def refresh_pain_from_screening(*, visit: Visit, request: HttpRequest | None = None) -> None:
    """The patient changed their screening's pain answers: the first-visit measures copied them, so copy
    them again (same answers, same author and time)."""
    response = OutcomeResponse.objects.filter(visit=visit, pain_from_screening=True).first()
    if response is None or response.moment != OutcomeMoment.FIRST_VISIT:
        return
    answers = {key: value for key, value in response.answers.items() if key not in PAIN_ITEMS}
    record_outcomes(
        visit=visit,
        moment=response.moment,
        answers=answers,
        with_change=response.groc is not None,
        by=response.entered_by,
        request=request,
        now=response.submitted_at,
        by_patient=response.entered_by_id is None,
    )


def _refresh_course_changes(course_id) -> None:
    """Keep each response's change since its course's first measure, and which response is the course's latest.

    A course has a handful of responses, so this reads and rewrites them all; the outcomes page then
    aggregates one indexed row per course.
    """
    rows = list(OutcomeResponse.objects.filter(visit__course=course_id).order_by("submitted_at", "pk"))
    baseline_nprs = next((row for row in rows if row.nprs is not None), None)
    baseline_psfs = next((row for row in rows if row.psfs is not None), None)
    for index, row in enumerate(rows):
        first_nprs = baseline_nprs.nprs if baseline_nprs is not None and row.pk != baseline_nprs.pk else None
        first_psfs = baseline_psfs.psfs if baseline_psfs is not None and row.pk != baseline_psfs.pk else None
        row.nprs_change = row.nprs - first_nprs if row.nprs is not None and first_nprs is not None else None
        row.psfs_change = row.psfs - first_psfs if row.psfs is not None and first_psfs is not None else None
        row.is_latest = index == len(rows) - 1
    OutcomeResponse.objects.bulk_update(rows, ["nprs_change", "psfs_change", "is_latest"])


@transaction.atomic
def record_soreness_after(*, record: VisitRecord, soreness, by=None, request: HttpRequest | None = None) -> None:
    """The optional "right after the session" soreness, 0-10 (the 0 h point of the curve)."""
    try:
        value = int(soreness)
    except (TypeError, ValueError):
        raise ValidationError({"soreness_after": "Choose a whole number from 0 to 10."}) from None
    if isinstance(soreness, bool) or not 0 <= value <= 10:
        raise ValidationError({"soreness_after": "Choose a whole number from 0 to 10."})
    record.soreness_after = value
    record.save(update_fields=["soreness_after"])
    audit.record(
        "visit.soreness_after_recorded",
        request=request,
        actor=by,
        obj=record.visit,
        patient=record.visit.patient,
        details={"field": "soreness_after"},
    )
