"""The patient's pages: the private link and date-of-birth check, then the journey's steps."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from intake import explanation as explanation_content
from intake import journey, screening, understanding
from intake.links import find_usable_link
from intake.models import AccessLink
from intake.patient_access import grant, granted_link, link_not_valid, patient_required
from portal import audit
from portal.audit import client_ip

# Per client address, across all links: slows anyone trying dates of birth on many links at once.
DOB_ATTEMPTS_PER_IP_PER_HOUR = 30


class DateOfBirthForm(forms.Form):
    date_of_birth = forms.DateField(
        label=_("Your date of birth"),
        help_text=_("For a child, enter the child's date of birth."),
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}),
        error_messages={"required": _("Enter your date of birth."), "invalid": _("Enter a real date.")},
    )

    def clean_date_of_birth(self):
        # An impossible date is a typing slip, not a guess: it gets a message and does not count as an attempt.
        value = self.cleaned_data["date_of_birth"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("That date is in the future. Please check the year."))
        if value.year < 1900:
            raise forms.ValidationError(_("Please check the year."))
        return value


def _ip_attempts_key(request: HttpRequest) -> str:
    return f"dob-attempts:{client_ip(request)}"


@never_cache
def entry(request: HttpRequest, token: str) -> HttpResponse:
    link = find_usable_link(token)
    if link is None:
        return link_not_valid(request)
    translation.activate(link.visit.language)
    current = granted_link(request)
    if current is not None and current.pk == link.pk:
        return redirect("journey:progress")
    if link.locked_at is not None:
        return render(request, "intake/patient/link_locked.html", status=403)

    form = DateOfBirthForm(_posted(request))
    if request.method == "POST":
        if cache.get(_ip_attempts_key(request), 0) >= DOB_ATTEMPTS_PER_IP_PER_HOUR:
            audit.record("link.dob_rate_limited", request=request, access_link=link, obj=link)
            return render(request, "intake/patient/too_many_attempts.html", status=429)
        if form.is_valid():
            if form.cleaned_data["date_of_birth"] == link.visit.patient.date_of_birth:
                return _confirmed(request, link)
            return _failed(request, link, form)
    return render(request, "intake/patient/confirm_dob.html", {"form": form})


def _confirmed(request: HttpRequest, link: AccessLink) -> HttpResponse:
    now = timezone.now()
    AccessLink.objects.filter(pk=link.pk).update(last_used_at=now, failed_dob_attempts=0)
    link.visit.mark("opened_at", now)
    audit.record("link.dob_confirmed", request=request, access_link=link, obj=link, patient=link.visit.patient)
    grant(request, link)
    return redirect("journey:progress")


def _failed(request: HttpRequest, link: AccessLink, form: DateOfBirthForm) -> HttpResponse:
    ip_key = _ip_attempts_key(request)
    cache.add(ip_key, 0, timeout=3600)
    cache.incr(ip_key)
    with transaction.atomic():
        AccessLink.objects.filter(pk=link.pk).update(failed_dob_attempts=F("failed_dob_attempts") + 1)
        link.refresh_from_db(fields=["failed_dob_attempts"])
        locked = link.failed_dob_attempts >= settings.ACCESS_LINK_MAX_DOB_FAILURES
        if locked:
            AccessLink.objects.filter(pk=link.pk, locked_at__isnull=True).update(locked_at=timezone.now())
        audit.record(
            "link.dob_failed",
            request=request,
            access_link=link,
            obj=link,
            patient=link.visit.patient,
            details={"attempt": link.failed_dob_attempts},
        )
        if locked:
            audit.record("link.locked", request=request, access_link=link, obj=link, patient=link.visit.patient)
    if locked:
        return render(request, "intake/patient/link_locked.html", status=403)
    form.add_error("date_of_birth", _("That date of birth does not match our records. Please check and try again."))
    return render(request, "intake/patient/confirm_dob.html", {"form": form}, status=200)


# --- the journey after the date-of-birth check ------------------------------------------------------


def _language() -> str:
    return (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]


def _posted(request: HttpRequest):
    """The POST data on a POST, even when empty (an empty form must still be validated), else None."""
    return request.POST if request.method == "POST" else None


def _out_of_order(request: HttpRequest, step_key: str) -> HttpResponse | None:
    """Send the patient to the step they must finish first, if there is one."""
    missing = journey.first_missing_before(request.visit, step_key)
    if missing is None:
        return None
    messages.info(request, _("Please finish this step first."))
    return redirect(missing.url_name)


def _after_understanding_url() -> str:
    return journey.url_or_none("consent:sign") or reverse("journey:progress")


@patient_required
def progress(request: HttpRequest) -> HttpResponse:
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
    }
    return render(request, "intake/patient/progress.html", context)


class ReadForm(forms.Form):
    read = forms.BooleanField(
        label=_("I have read this information"),
        error_messages={"required": _("Please tick the box to say you have read this.")},
    )


@patient_required
def explanation(request: HttpRequest) -> HttpResponse:
    visit = request.visit
    form = ReadForm(_posted(request))
    if request.method == "POST":
        if visit.explanation_read_at is not None:
            return redirect("journey:screening")  # a second click or a replayed form: already recorded
        if form.is_valid():
            visit.mark("explanation_read_at")
            audit.record("explanation.read", request=request, obj=visit, patient=request.patient)
            return redirect("journey:screening")
    return render(
        request,
        "intake/patient/explanation.html",
        {"sections": explanation_content.SECTIONS, "form": form, "already_read": visit.explanation_read_at is not None},
    )


def _first_open_section(definition, response) -> str | None:
    done = set(response.sections_done) if response else set()
    return next((key for key in definition.section_keys if key not in done), None)


@patient_required
def screening_start(request: HttpRequest) -> HttpResponse:
    if (early := _out_of_order(request, "screening")) is not None:
        return early
    response = screening.response_for(request.visit)
    definition = screening.definition_for(response)
    next_section = _first_open_section(definition, response)
    if next_section is None or not journey.can_edit_answers(request.visit):
        return redirect("journey:screening-answers")
    return redirect("journey:screening-section", section=next_section)


@patient_required
def screening_section(request: HttpRequest, section: str) -> HttpResponse:
    visit, patient = request.visit, request.patient
    if (early := _out_of_order(request, "screening")) is not None:
        return early
    response = screening.response_for(visit)
    definition = screening.definition_for(response)
    if definition.section(section) is None:
        raise Http404
    if not journey.can_edit_answers(visit):
        if request.method == "POST":
            messages.warning(request, _("Your consent is signed, so your answers can no longer be changed."))
        return redirect("journey:screening-answers")
    keys = definition.section_keys
    first_open = _first_open_section(definition, response)
    if first_open is not None and keys.index(section) > keys.index(first_open):
        messages.info(request, _("Please answer these questions first."))
        return redirect("journey:screening-section", section=first_open)

    answers = response.answers if response else {}
    form = screening.SectionForm(
        definition, section, language=_language(), answers=answers, patient=patient, data=_posted(request)
    )
    stale = False
    if request.method == "POST" and form.is_valid():
        if form.is_stale and form.changes_anything:
            # Drawn from older answers (another tab, an old page): show what they typed and ask to confirm.
            stale = True
            data = request.POST.copy()
            data[screening.STATE_FIELD] = screening.state_token(form.on_file)
            form = screening.SectionForm(
                definition, section, language=_language(), answers=answers, patient=patient, data=data
            )
            form.is_valid()
        else:
            saved = screening.save_section(
                visit=visit, section_key=section, values=form.values_to_store(), request=request
            )
            following = _first_open_section(definition, saved)
            if following is None:
                return redirect("journey:screening-answers")  # all answered (an edit comes back here too)
            index = keys.index(section)
            return redirect(
                "journey:screening-section", section=keys[index + 1] if index + 1 < len(keys) else following
            )
    if request.method == "GET":
        audit.record(
            "screening.section_viewed", request=request, obj=visit, patient=patient, details={"section": section}
        )
    index = keys.index(section)
    context = {
        "form": form,
        "section_key": section,
        "title": definition.text(_language(), "sections", section, "title", default=section),
        "intro": definition.text(_language(), "sections", section, "intro"),
        "number": index + 1,
        "count": len(keys),
        "previous": keys[index - 1] if index > 0 else None,
        "stale": stale,
        "patient": patient,
        "last": index + 1 == len(keys),
    }
    return render(request, "intake/patient/screening_section.html", context, status=200)


@patient_required
def screening_answers(request: HttpRequest) -> HttpResponse:
    visit, patient = request.visit, request.patient
    if (early := _out_of_order(request, "screening")) is not None:
        return early
    response = screening.response_for(visit)
    definition = screening.definition_for(response)
    editable = journey.can_edit_answers(visit)
    first_open = _first_open_section(definition, response)
    if first_open is not None and editable:
        return redirect("journey:screening-section", section=first_open)
    audit.record("screening.viewed", request=request, obj=visit, patient=patient)
    context = {
        "sections": screening.answers_for_display(definition, response, patient, _language()),
        "editable": editable,
        "understanding_done": visit.understanding_done_at is not None,
    }
    return render(request, "intake/patient/screening_answers.html", context)


def _shown_after(request: HttpRequest) -> int | None:
    """The attempt count the understanding form was shown after; None for an old form without it."""
    try:
        return int(request.POST.get("shown_after", ""))
    except ValueError:
        return None


@patient_required
def understanding_check(request: HttpRequest) -> HttpResponse:
    visit = request.visit
    if (early := _out_of_order(request, "understanding")) is not None:
        return early
    result = understanding.result_for(visit)
    passed = result is not None and result.passed_at is not None
    if request.method == "POST" and passed:
        return redirect(_after_understanding_url())  # already passed: a replayed form changes nothing
    form = understanding.UnderstandingForm(_posted(request))
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
        "attempts_so_far": result.attempts if result is not None else 0,
        "passed": passed,
        "next_url": _after_understanding_url(),
        "consent_ready": journey.url_or_none("consent:sign") is not None,
    }
    return render(request, "intake/patient/understanding.html", context)


@patient_required
def before_visit(request: HttpRequest) -> HttpResponse:
    visit = request.visit
    audit.record("journey.before_visit_viewed", request=request, obj=visit, patient=request.patient)
    return render(
        request,
        "intake/patient/before_visit.html",
        {"visit": visit, "signed": visit.signed_at is not None, "consent_url": journey.url_or_none("consent:sign")},
    )
