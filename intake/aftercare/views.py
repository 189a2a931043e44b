"""The patient's aftercare pages: advice tailored to the visit, a one-page PDF, and the 24 h / 72 h check-ins."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from intake.aftercare import advice as aftercare
from intake.aftercare import sheet
from intake.aftercare.checkins import CheckInError, submit_checkin, visit_record
from intake.journey.access import PatientRequest, patient_required
from intake.models import CheckIn, Visit, VisitRecord
from intake.outcomes.series import patient_soreness
from portal import audit
from portal.pdf import download_name


class CheckInForm(forms.Form):
    soreness = forms.TypedChoiceField(
        coerce=int,
        choices=[(value, str(value)) for value in range(aftercare.SORENESS_MIN, aftercare.SORENESS_MAX + 1)],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a number from 0 to 10."),
            "invalid_choice": _("Choose a number from 0 to 10."),
        },
    )
    trend = forms.ChoiceField(
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose one answer."),
            "invalid_choice": _("Choose one answer."),
        },
    )
    red_flags = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Tick the signs you have, or tick “None of these”."),
            "invalid_choice": _("Choose from the signs in the list."),
        },
    )

    def __init__(self, *args, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        words = aftercare.advice(language)["checkin"]
        self.fields["soreness"].label = words["soreness"]
        trend = cast(forms.ChoiceField, self.fields["trend"])
        trend.label = words["trend"]
        trend.choices = [(key, words["trends"][key]) for key in aftercare.TRENDS]
        red_flags = cast(forms.MultipleChoiceField, self.fields["red_flags"])
        red_flags.label = words["red_flags"]
        red_flags.help_text = words["red_flags_help"]
        red_flags.choices = [
            *aftercare.red_flag_questions(language),
            (aftercare.NONE_OF_THESE, words["none_of_these"]),
        ]

    def clean_red_flags(self) -> list[str]:
        # A sign ticked beside "None of these" counts: refusing the answer would lose a warning sign if
        # the patient gave up (the done page lists every sign they sent, so they can check it).
        return [code for code in self.cleaned_data["red_flags"] if code != aftercare.NONE_OF_THESE]


def _record(visit: Visit) -> VisitRecord | None:
    return visit_record(visit)


def _advice_context(request: PatientRequest, record: VisitRecord) -> dict:
    return sheet.advice_context(record=record, patient=request.patient)


def _windows(visit: Visit, record: VisitRecord) -> list[dict]:
    return sheet.windows(visit, record)


def _not_ready(request: HttpRequest, *, status: int = 200) -> HttpResponse:
    return render(request, "intake/aftercare/not_ready.html", status=status)


@require_GET
@patient_required
def home(request: PatientRequest) -> HttpResponse:
    record = _record(request.visit)
    audit.record(
        "aftercare.viewed", request=request, obj=request.visit, patient=request.patient, details={"ready": bool(record)}
    )
    if record is None:
        return _not_ready(request)
    context = (
        _advice_context(request, record)
        | {"windows": _windows(request.visit, record), "session_number": request.visit.session_number}
        | patient_soreness(request.visit, record)
    )
    return render(request, "intake/aftercare/home.html", context)


@require_GET
@patient_required
def pdf(request: PatientRequest) -> HttpResponse:
    record = _record(request.visit)
    if record is None:
        return _not_ready(request)
    document = sheet.sheet_pdf(visit=request.visit, record=record, patient=request.patient)
    audit.record("aftercare.pdf_downloaded", request=request, obj=request.visit, patient=request.patient)
    response = HttpResponse(document, content_type="application/pdf")
    name = download_name("aftercare", timezone.localdate(record.treated_at))
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _window_or_404(window: str) -> aftercare.CheckInWindow:
    if window not in aftercare.WINDOWS:
        raise Http404
    return aftercare.WINDOWS[window]


@require_http_methods(["GET", "POST"])
@patient_required
def checkin(request: PatientRequest, window: str) -> HttpResponse:
    rules = _window_or_404(window)
    visit = request.visit
    record = _record(visit)
    if record is None:
        if request.method == "POST":
            messages.error(request, _("Check-ins open after your visit, once the clinic has recorded it."))
        return _not_ready(request)
    if visit.checkins.filter(window=window).exists():
        if request.method == "POST":
            messages.info(request, _("You have already sent this check-in. Thank you."))
        return redirect("aftercare:checkin_done", window=window)
    state = rules.state(treated_at=record.treated_at, now=timezone.now())
    context = {"window": window, "label": dict(CheckIn.Window.choices)[window], "state": str(state), "record": record}
    if state == aftercare.WindowState.NOT_OPEN:
        audit.record("checkin.opened", request=request, obj=visit, patient=request.patient, details={"state": "early"})
        return render(
            request, "intake/aftercare/checkin_not_open.html", context | {"opens_at": rules.opens_at(record.treated_at)}
        )

    language = aftercare.language_for()
    form = CheckInForm(request.POST or None, language=language)
    if request.method == "POST" and form.is_valid():
        try:
            submit_checkin(
                visit=visit,
                window=window,
                soreness=form.cleaned_data["soreness"],
                trend=form.cleaned_data["trend"],
                red_flags=form.cleaned_data["red_flags"],
                request=request,
            )
        except CheckInError as error:
            if error.code == "duplicate":
                messages.info(request, _("You have already sent this check-in. Thank you."))
                return redirect("aftercare:checkin_done", window=window)
            if error.code == "not_open":
                return render(request, "intake/aftercare/checkin_not_open.html", context | {"opens_at": error.opens_at})
            form.add_error(None, str(error))
        else:
            return redirect("aftercare:checkin_done", window=window)
    elif request.method == "GET":
        audit.record(
            "checkin.opened", request=request, obj=visit, patient=request.patient, details={"state": str(state)}
        )
    return render(
        request,
        "intake/aftercare/checkin.html",
        context | {"form": form, "words": aftercare.advice(language)["checkin"]},
    )


@require_GET
@patient_required
def checkin_done(request: PatientRequest, window: str) -> HttpResponse:
    _window_or_404(window)
    checkin = request.visit.checkins.filter(window=window).first()
    if checkin is None:
        return redirect("aftercare:checkin", window=window)
    audit.record("checkin.viewed", request=request, obj=checkin, patient=request.patient)
    language = aftercare.language_for()
    words = aftercare.advice(language)
    record = _record(request.visit)
    context = {
        "checkin": checkin,
        "window": window,
        "label": dict(CheckIn.Window.choices)[window],
        **aftercare.red_flag_outcome(checkin.red_flags, language),
        "chest_risk": bool(record and sheet.is_chest_risk(record)),
        # The done page repeats every sign the patient ticked, in their words, so they can check it.
        "signs": aftercare.red_flag_labels(checkin.red_flags, language),
        "no_signs_label": words["checkin"]["none_of_these"],
    }
    return render(request, "intake/aftercare/checkin_done.html", context)
