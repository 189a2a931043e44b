"""The journey's own pages after the date-of-birth check: progress, the explanation, the understanding
check and "before your visit". The screening pages are in intake/screening/views.py.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from consent.courses import course_record
from intake.journey import explanation as explanation_content
from intake.journey import steps as journey
from intake.journey import understanding
from intake.journey.access import PatientRequest, is_kiosk, patient_required
from portal import audit
from portal.forms import posted


def page_language() -> str:
    """The active language's code without region ("es"), for questionnaire texts."""
    return (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]


def out_of_order(request: PatientRequest, step_key: str) -> HttpResponse | None:
    """Send the patient to the step they must finish first, if there is one."""
    missing = journey.first_missing_before(request.visit, step_key)
    if missing is None:
        return None
    messages.info(request, _("Please finish this step first."))
    return redirect(missing.url_name)


def _after_understanding_url() -> str:
    return reverse("consent:sign")


@patient_required
def progress(request: PatientRequest) -> HttpResponse:
    """Where the patient stands: each step done, the next one to do, and aftercare once it opens."""
    visit = request.visit
    audit.record("journey.progress_viewed", request=request, obj=visit, patient=request.patient)
    states = journey.step_states(visit)
    context = {
        "states": states,
        "resume": journey.resume_step(visit),
        "aftercare_url": journey.aftercare_url(visit),
        "visited": visit.visited_at is not None,
        "all_done": all(state.done for state in states if state.step.stamp),
        "kiosk": is_kiosk(request),
    }
    return render(request, "intake/journey/progress.html", context)


class ReadForm(forms.Form):
    read = forms.BooleanField(
        label=_("I have read this information"),
        error_messages={"required": _("Please tick the box to say you have read this.")},
    )


@patient_required
def explanation(request: PatientRequest) -> HttpResponse:
    visit = request.visit
    form = ReadForm(posted(request))
    if request.method == "POST":
        if visit.explanation_read_at is not None:
            return redirect("journey:screening")  # a second click or a replayed form: already recorded
        if form.is_valid():
            visit.mark("explanation_read_at")
            audit.record("explanation.read", request=request, obj=visit, patient=request.patient)
            return redirect("journey:screening")
    return render(
        request,
        "intake/journey/explanation.html",
        {"sections": explanation_content.SECTIONS, "form": form, "already_read": visit.explanation_read_at is not None},
    )


def _shown_after(request: HttpRequest) -> int | None:
    """The attempt count the understanding form was shown after; None for an old form without it."""
    try:
        return int(request.POST.get("shown_after", ""))
    except ValueError:
        return None


@patient_required
def understanding_check(request: PatientRequest) -> HttpResponse:
    visit = request.visit
    if (early := out_of_order(request, "understanding")) is not None:
        return early
    result = understanding.result_for(visit)
    passed = result is not None and result.passed_at is not None
    if request.method == "POST" and passed:
        return redirect(_after_understanding_url())  # already passed: a replayed form changes nothing
    form = understanding.UnderstandingForm(posted(request))
    wrong: list = []
    if request.method == "POST" and form.is_valid():
        result = understanding.record_attempt(
            visit=visit, answers=form.cleaned_data, request=request, shown_after=_shown_after(request)
        )
        wrong = form.wrong()
        if not wrong:
            return redirect(_after_understanding_url())
        for question in wrong:
            form.add_error(question.key, _("Not quite. Read the part below, then try again."))
    if request.method == "GET":
        audit.record("understanding.viewed", request=request, obj=visit, patient=request.patient)
    wrong_keys = {question.key for question in wrong}
    questions = [
        {"question": question, "field": form[question.key], "wrong": question.key in wrong_keys}
        for question in understanding.QUESTIONS
    ]
    context = {
        "form": form,
        "questions": questions,
        "any_wrong": bool(wrong),
        "attempts_so_far": result.attempts if result is not None else 0,
        "passed": passed,
        "next_url": _after_understanding_url(),
    }
    return render(request, "intake/journey/understanding.html", context)


@patient_required
def before_visit(request: PatientRequest) -> HttpResponse:
    visit = request.visit
    audit.record("journey.before_visit_viewed", request=request, obj=visit, patient=request.patient)
    # A follow-up that signed nothing: the course's consent still applies, and the page says so.
    carried = course_record(visit) if visit.consent_carried_at and visit.signed_at is None else None
    return render(
        request,
        "intake/journey/before_visit.html",
        {
            "visit": visit,
            "signed": visit.signed_at is not None,
            "carried": carried,
            "consent_url": None if carried else reverse("consent:sign"),
        },
    )


@require_POST
@patient_required
def name_spelled_wrong(request: PatientRequest) -> HttpResponse:
    """One tap from the consent page: reception sees a note on the record and fixes the spelling."""
    from intake.patients.services import report_name_misspelled

    report_name_misspelled(patient=request.patient, request=request)
    messages.success(
        request,
        _(
            "Thank you. We told the clinic, and they will fix your name. "
            "To sign now, type your name as it is shown. Or you can wait and sign after they fix it."
        ),
    )
    return redirect("consent:sign")
