"""The screening pages: one section at a time, then the patient's own answers."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from intake.journey import steps as journey
from intake.journey.access import PatientRequest, patient_required
from intake.journey.views import out_of_order, page_language
from intake.outcomes import patient as patient_measures
from intake.outcomes import services as outcome_services
from intake.screening import services as screening_services
from intake.screening.display import answers_for_display
from intake.screening.forms import STATE_FIELD, SectionForm, state_token, stored_values
from portal import audit
from portal.forms import posted


def _first_open_section(definition, response) -> str | None:
    done = set(response.sections_done) if response else set()
    return next((key for key in definition.section_keys if key not in done), None)


@patient_required
def screening_start(request: PatientRequest) -> HttpResponse:
    if (early := out_of_order(request, "screening")) is not None:
        return early
    response = screening_services.response_for(request.visit)
    definition = screening_services.definition_for(response)
    next_section = _first_open_section(definition, response)
    if not journey.can_edit_answers(request.visit):
        return redirect("journey:screening-answers")
    if patient_measures.activities_due(request.visit, response):
        return redirect("journey:activities")
    if next_section is None:
        return redirect("journey:screening-answers")
    return redirect("journey:screening-section", section=next_section)


@patient_required
def screening_section(request: PatientRequest, section: str) -> HttpResponse:
    visit, patient = request.visit, request.patient
    if (early := out_of_order(request, "screening")) is not None:
        return early
    response = screening_services.response_for(visit)
    definition = screening_services.definition_for(response)
    if section not in definition.section_keys:
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
    form = SectionForm(
        definition, section, language=page_language(), answers=answers, patient=patient, data=posted(request)
    )
    stale = False
    if request.method == "POST" and form.is_valid():
        try:
            saved = screening_services.save_section(
                visit=visit,
                section_key=section,
                values=form.values_to_store(),
                drawn_from=request.POST.get(STATE_FIELD, ""),
                request=request,
            )
        except screening_services.SectionChanged:
            # Drawn from older answers (another tab, an old page): show what they typed and ask to confirm.
            stale = True
            response = screening_services.response_for(visit)
            patient.refresh_from_db()
            answers = response.answers if response else {}
            data = request.POST.copy()
            data[STATE_FIELD] = state_token(stored_values(definition, section, answers=answers, patient=patient))
            form = SectionForm(
                definition, section, language=page_language(), answers=answers, patient=patient, data=data
            )
            form.is_valid()
        else:
            if section == patient_measures.PAIN_SECTION:
                # The things that are hard to do come right after the pain (asked once; an edit of the
                # pain updates the measures that copied it).
                if patient_measures.activities_due(visit, saved):
                    return redirect("journey:activities")
                outcome_services.refresh_pain_from_screening(visit=visit, request=request)
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
        "title": definition.text(page_language(), "sections", section, "title", default=section),
        "intro": definition.text(page_language(), "sections", section, "intro"),
        "number": index + 1,
        "count": len(keys),
        "previous": keys[index - 1] if index > 0 else None,
        "stale": stale,
        "patient": patient,
        "last": index + 1 == len(keys),
    }
    return render(request, "intake/screening/section.html", context, status=200)


@patient_required
def screening_answers(request: PatientRequest) -> HttpResponse:
    visit, patient = request.visit, request.patient
    if (early := out_of_order(request, "screening")) is not None:
        return early
    response = screening_services.response_for(visit)
    definition = screening_services.definition_for(response)
    editable = journey.can_edit_answers(visit)
    first_open = _first_open_section(definition, response)
    if first_open is not None and editable:
        return redirect("journey:screening-section", section=first_open)
    audit.record("screening.viewed", request=request, obj=visit, patient=patient)
    context = {
        "sections": answers_for_display(definition, response, patient, page_language()),
        "editable": editable,
        "understanding_done": visit.understanding_done_at is not None,
    }
    return render(request, "intake/screening/answers.html", context)
