"""The first visit's "things that are hard to do" page, right after the screening's pain questions
(routed by intake/journey/urls.py, inside the screening step: /patient/screening/your-activities/)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from intake.journey import steps as journey
from intake.journey.access import PatientRequest, patient_required
from intake.journey.views import out_of_order, page_language
from intake.models import OutcomeMoment, OutcomeResponse
from intake.outcomes import measures
from intake.outcomes import patient as patient_measures
from intake.outcomes import services as outcome_services
from intake.screening import services as screening_services
from portal import audit
from portal.forms import posted


@patient_required
def activities(request: PatientRequest) -> HttpResponse:
    visit, patient = request.visit, request.patient
    if (early := out_of_order(request, "screening")) is not None:
        return early
    if visit.is_follow_up:
        return redirect("journey:since-last")  # later sessions re-rate them there
    screening = screening_services.response_for(visit)
    if screening is None or patient_measures.PAIN_SECTION not in screening.sections_done:
        return redirect("journey:screening")  # the pain questions come first: these measures build on them
    if not journey.can_edit_answers(visit) or outcome_services.staff_entered(visit) is not None:
        # Signed (the answers are the record) or the clinician noted them with the patient: nothing to ask.
        return redirect("journey:screening")
    saved = OutcomeResponse.objects.filter(visit=visit).only("answers").first()
    language = page_language()
    form = patient_measures.ActivitiesForm(
        language=language, answers=saved.answers if saved else {}, patient=patient, data=posted(request)
    )
    if request.method == "POST":
        skipped = "skip" in request.POST
        if skipped or form.is_valid():
            outcome_services.record_outcomes(
                visit=visit,
                moment=OutcomeMoment.FIRST_VISIT,
                answers={} if skipped else form.values_to_store(),
                request=request,
                by_patient=True,
            )
            if skipped:
                messages.info(request, _("That is fine. You can tell your physiotherapist at your visit."))
            return redirect("journey:screening")
    else:
        audit.record("outcomes.activities_viewed", request=request, obj=visit, patient=patient)
    definition = measures.definition()
    context = {
        "form": form,
        "title": definition.text(language, "sections", patient_measures.SECTION, "title"),
        "intro": definition.text(language, "sections", patient_measures.SECTION, "intro"),
    }
    return render(request, "intake/outcomes/activities.html", context)
