"""Staff pages for red-flag alerts: the open list, one alert, and its acknowledgement."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from messaging.forms import AcknowledgeForm
from messaging.models import Alert
from messaging.services import AlertError, acknowledge_alert
from portal import audit
from portal.access import get_for_staff, role_required, staff_required
from portal.roles import Role


def _alerts():
    return Alert.objects.select_related("visit__patient", "visit__clinician", "acknowledged_by")


def _can_acknowledge(user) -> bool:
    return user.is_clinic_admin or user.has_role(Role.CLINICIAN)


@never_cache
@staff_required
def alert_list(request: HttpRequest) -> HttpResponse:
    alerts = list(_alerts().open().order_by("raised_at")[:100])
    audit.record("alert.list_viewed", request=request, details={"open": len(alerts)})
    return render(request, "messaging/staff/alert_list.html", {"alerts": alerts})


@never_cache
@staff_required
def alert_detail(request: HttpRequest, alert_id) -> HttpResponse:
    alert = get_for_staff(request, _alerts(), alert_id)
    audit.record("alert.viewed", request=request, obj=alert, patient=alert.visit.patient)
    return _render_detail(request, alert, AcknowledgeForm())


def _render_detail(request, alert, form) -> HttpResponse:
    return render(
        request,
        "messaging/staff/alert_detail.html",
        {"alert": alert, "patient": alert.visit.patient, "form": form, "can_ack": _can_acknowledge(request.user)},
    )


@role_required(Role.CLINICIAN)
@require_POST
def alert_acknowledge(request: HttpRequest, alert_id) -> HttpResponse:
    alert = get_for_staff(request, _alerts(), alert_id)
    form = AcknowledgeForm(request.POST)
    if form.is_valid():
        try:
            acknowledge_alert(
                alert=alert,
                by=request.user,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
                request=request,
            )
        except AlertError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Recorded. Thank you.")
            return redirect("messaging:alert", alert_id=alert.pk)
    return _render_detail(request, alert, form)
