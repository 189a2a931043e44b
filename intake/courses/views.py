"""The follow-up visit's own page: "since your last session" (routed by intake/journey/urls.py)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from intake.aftercare import advice as aftercare
from intake.aftercare.advice import RED_FLAGS
from intake.courses import followup, hooks
from intake.journey import steps as journey
from intake.journey.access import PatientRequest, patient_required
from intake.journey.views import page_language, posted
from intake.models import OutcomeMoment
from intake.outcomes import measures
from intake.outcomes import patient as patient_measures
from intake.outcomes import services as outcome_services
from intake.screening import services as screening_services
from portal import audit


@patient_required
def since_last(request: PatientRequest) -> HttpResponse:
    visit, patient = request.visit, request.patient
    if not visit.is_follow_up:
        return redirect("journey:progress")
    if not journey.can_edit_answers(visit) or visit.consent_carried_at is not None:
        # The consent step rests on these answers: after it they are the record.
        return redirect("journey:before-visit")
    response = screening_services.response_for(visit)
    definition = screening_services.definition_for(response, followup.NAME)
    carried = followup.prefill(definition, visit)
    answers = dict(response.answers) if response is not None else carried
    language = page_language()
    # Before each session the patient re-rates the activities named at the first visit, and every 4th
    # session says how they are since they started; not when a clinician already entered this visit's
    # measures (theirs stand: outcome_services.staff_entered).
    clinician_entered = outcome_services.staff_entered(visit) is not None
    activities = [] if clinician_entered else patient_measures.activities_to_rerate(visit)
    ask_change = not clinician_entered and measures.change_due(visit.session_number)
    form = followup.FollowUpForm(
        definition,
        carried=carried,
        activities=activities,
        ask_change=ask_change,
        summary_title=definition.texts(language).get("summary", {}).get("title", ""),
        language=language,
        answers=answers,
        patient=patient,
        data=posted(request),
    )
    if request.method == "POST" and form.is_valid():
        saved = screening_services.save_section(
            visit=visit,
            section_key=followup.SECTION,
            values=form.values_to_store(),
            request=request,
            questionnaire=followup.NAME,
        )
        # The pain now just saved, with the activities and the change question: this session's measures.
        outcome_services.record_outcomes(
            visit=visit,
            moment=OutcomeMoment.BEFORE_SESSION,
            answers=form.outcome_answers(),
            with_change=ask_change,
            request=request,
            by_patient=True,
        )
        red_flags = reported_red_flags(saved.answers)
        if red_flags:
            hooks.red_flags_reported(visit=visit, symptoms=red_flags, request=request)
            return redirect("journey:since-last-act-now")
        return redirect("consent:sign")
    if request.method == "GET":
        audit.record("follow_up.viewed", request=request, obj=visit, patient=patient)
    context = {
        "form": form,
        "title": definition.text(language, "sections", followup.SECTION, "title"),
        "intro": definition.text(language, "sections", followup.SECTION, "intro"),
        "session_number": visit.session_number,
    }
    return render(request, "intake/courses/since_last.html", context)


def reported_red_flags(answers: dict) -> list[str]:
    """The check-in red flags among the "since your last session" answers (codes, in the order given)."""
    return [code for code in answers.get("after_effects") or [] if code in RED_FLAGS]


@require_GET
@patient_required
def act_now(request: PatientRequest) -> HttpResponse:
    """After a red flag in "since your last session": what to do now (call the emergency number or the
    clinic), the same box as a check-in's, before the consent step. Read from the stored answers, so a
    reload shows it again and a link to it shows nothing to a visit without red flags."""
    visit = request.visit
    response = screening_services.response_for(visit)
    red_flags = reported_red_flags(response.answers) if visit.is_follow_up and response is not None else []
    if not red_flags:
        return redirect("journey:since-last")
    audit.record("follow_up.red_flags_viewed", request=request, obj=visit, patient=request.patient)
    language = aftercare.language_for()
    signs = aftercare.red_flag_labels(red_flags, language)
    context = {**aftercare.red_flag_outcome(red_flags, language), "signs": signs}
    return render(request, "intake/courses/act_now.html", context)
