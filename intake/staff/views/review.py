"""The clinician's review queue and one visit's review (screening flags, answers, consents, check-ins)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from consent.courses import reconsent_reasons
from consent.models import ConsentRecord
from intake.aftercare.checkins import acknowledge_urgent_checkins
from intake.courses.changes import changes_since_last, how_it_went
from intake.models import FlagLevel, ScreeningResponse, Visit
from intake.outcomes.series import picture_context
from intake.screening import services as screening_services
from intake.staff.display import answer_sections, before_needling, comfort_wishes
from intake.staff.forms import (
    ScreeningReviewForm,
)
from intake.staff.gates import get_visit_for_staff
from intake.staff.views.common import (
    consent_urls,
    label_checkins,
)
from messaging.models import Alert, open_alerts_prefetch
from portal import audit
from portal.access import AuthenticatedHttpRequest, role_required
from portal.roles import Role

REVIEW_LIMIT = 50


@role_required(Role.CLINICIAN)
@never_cache
def review_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    urgent = list(Visit.objects.urgent().for_board().prefetch_related(open_alerts_prefetch())[:REVIEW_LIMIT])
    awaiting = list(
        ConsentRecord.objects.awaiting_review()
        .select_related("visit__patient", "visit__clinician", "visit__screening")
        .order_by("-visit__flag_level", "signed_at")[:REVIEW_LIMIT]
    )
    screenings = list(
        ScreeningResponse.objects.awaiting_review()
        .select_related("visit__patient", "visit__clinician")
        .order_by("-flag_level", "submitted_at")[:REVIEW_LIMIT]
    )
    audit.record(
        "review_queue.viewed",
        request=request,
        details={"urgent": len(urgent), "consents": len(awaiting), "screenings": len(screenings)},
    )
    return render(
        request,
        "intake/staff/review_queue.html",
        {"urgent_visits": urgent, "consents": awaiting, "screenings": screenings},
    )


@role_required(Role.CLINICIAN)
@never_cache
def visit_review(request: AuthenticatedHttpRequest, visit_id) -> HttpResponse:
    visit = get_visit_for_staff(request, visit_id)
    screening = ScreeningResponse.objects.filter(visit=visit).select_related("reviewed_by").first()
    form = ScreeningReviewForm(request.POST or None)
    if request.method == "POST":
        if screening is None:
            messages.error(request, "There is no screening to review yet.")
        elif form.is_valid():
            screening_services.review_screening(
                visit=visit,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
                by=request.user,
                request=request,
            )
            messages.success(request, "Your review was saved.")
            return redirect("staff:review")
    understanding = getattr(visit, "understanding", None) if hasattr(visit, "understanding") else None
    consents = [(record, consent_urls(record)) for record in visit.consents.select_related("consent_version")]
    checkins = label_checkins(list(visit.checkins.all()))
    follow_up = visit.is_follow_up
    audit.record(
        "screening.viewed",
        request=request,
        obj=visit,
        patient=visit.patient,
        details={"screening": screening is not None, "consents": len(consents)},
    )
    return render(
        request,
        "intake/staff/visit_review.html",
        {
            "visit": visit,
            "patient": visit.patient,
            "screening": screening,
            "flags": sorted((screening.flags if screening else []), key=lambda f: -int(f.get("level", 0))),
            "answer_sections": answer_sections(screening, visit.patient),
            "comfort": comfort_wishes(screening),
            "before_needling": before_needling(screening, visit.patient),
            "understanding": understanding,
            "consents": consents,
            "checkins": checkins,
            "open_alert": Alert.objects.open().filter(visit=visit).order_by("-raised_at").first(),
            **picture_context(visit.patient, visit.course_id),
            "form": form,
            "flag_levels": FlagLevel,
            "follow_up": follow_up,
            "how_it_went": how_it_went(screening) if follow_up else [],
            "changes": changes_since_last(visit, screening) if follow_up else [],
            "reconsent_reasons": reconsent_reasons(visit) if follow_up and visit.signed_at is None else [],
        },
    )


@role_required(Role.CLINICIAN)
@require_POST
def visit_acknowledge_urgent(request: AuthenticatedHttpRequest, visit_id) -> HttpResponse:
    """The clinician has dealt with the red-flag check-ins (aftercare's service does the write)."""
    visit = get_visit_for_staff(request, visit_id)
    acknowledged = acknowledge_urgent_checkins(visit=visit, by=request.user, request=request)
    messages.success(request, "Marked as dealt with." if acknowledged else "There was nothing left to acknowledge.")
    return redirect("staff:review")
