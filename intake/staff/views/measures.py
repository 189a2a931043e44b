"""The clinician records a visit's outcome measures with the patient (pain, activities, global change)
and the soreness right after the session. The outcomes service scores them."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from intake.models import OutcomeMoment, OutcomeResponse, VisitRecord
from intake.outcomes import measures
from intake.outcomes import services as outcome_services
from intake.outcomes.measures import activity_key
from intake.outcomes.patient import activities_to_rerate
from intake.staff.gates import get_visit_for_staff
from portal import audit
from portal.access import role_required
from portal.roles import Role

NUMBER = {
    "invalid": "Enter a whole number.",
    "min_value": "Too low: %(limit_value)s is the lowest.",
    "max_value": "Too high: %(limit_value)s is the highest.",
}


class MeasuresForm(forms.Form):
    moment = forms.ChoiceField(choices=OutcomeMoment.choices, label="When")
    soreness_after = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=10,
        label="Soreness right after the session (0-10, optional)",
        error_messages=NUMBER,
    )

    def __init__(self, *args, with_record: bool, **kwargs):
        super().__init__(*args, **kwargs)
        definition = measures.definition()
        for item in definition.items.values():
            label = definition.label(item, "en")
            if item.type == "scale":
                self.fields[item.key] = forms.IntegerField(
                    required=False,
                    min_value=item.min,
                    max_value=item.max,
                    label=f"{label} ({item.min} to {item.max})",
                    error_messages=NUMBER,
                )
            else:
                self.fields[item.key] = forms.CharField(required=False, max_length=item.max_length, label=label)
        self.fields["groc"].label = f"{self.fields['groc'].label} (at discharge; optional at a session)"
        if not with_record:
            del self.fields["soreness_after"]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"


def _initial(visit) -> dict:
    """The saved answers, or the activities named at the first measure of this visit's course."""
    saved = OutcomeResponse.objects.filter(visit=visit).first()
    if saved is not None:
        return {"moment": saved.moment, **saved.answers}
    if not OutcomeResponse.objects.filter(visit__in=visit.earlier_in_course()).exists():
        return {"moment": OutcomeMoment.FIRST_VISIT}
    named = {activity_key(activity.number): activity.name for activity in activities_to_rerate(visit)}
    return {"moment": OutcomeMoment.BEFORE_SESSION, **named}


@role_required(Role.CLINICIAN)
@never_cache
def visit_measures(request: HttpRequest, visit_id) -> HttpResponse:
    visit = get_visit_for_staff(request, visit_id)
    record = VisitRecord.objects.filter(visit=visit).first()
    number = visit.session_number
    form = MeasuresForm(request.POST or None, initial=_initial(visit), with_record=record is not None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        answers = {key: value for key, value in data.items() if key not in ("moment", "soreness_after")}
        try:
            outcome_services.record_outcomes(
                visit=visit,
                moment=data["moment"],
                answers=answers,
                with_change=data.get("groc") is not None,
                by=request.user,
                request=request,
            )
            if record is not None and data.get("soreness_after") is not None:
                outcome_services.record_soreness_after(
                    record=record, soreness=data["soreness_after"], by=request.user, request=request
                )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, "The measures were saved.")
            return redirect("staff:patient", patient_id=visit.patient_id)
    audit.record("outcomes.form_opened", request=request, obj=visit, patient=visit.patient)
    return render(
        request,
        "intake/staff/visit_measures.html",
        {
            "visit": visit,
            "patient": visit.patient,
            "form": form,
            "has_record": record is not None,
            "session": number,
            "ask_change": measures.change_due(number),
        },
    )
