"""Staff pages for red-flag alerts: the open list, one alert, and its acknowledgement."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from messaging import sms
from messaging.forms import AcknowledgeForm, AlertContactForm
from messaging.models import Alert
from messaging.phones import e164
from messaging.services import AlertError, acknowledge_alert, set_alert_contact
from portal import audit
from portal.access import AuthenticatedHttpRequest, get_for_staff, role_required, staff_required
from portal.forms import posted
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


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def my_alert_contact(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Each staff member's own alert phone and language: every role may treat or cover a patient."""
    user = request.user
    initial = {"alert_phone": e164(user.alert_phone), "alert_language": user.alert_language}
    form = AlertContactForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        set_alert_contact(
            user=user,
            phone=form.cleaned_data["alert_phone"],
            language=form.cleaned_data["alert_language"],
            request=request,
        )
        messages.success(request, "Saved. Alerts for your patients will reach you there.")
        return redirect("messaging:my_contact")
    if request.method == "GET":
        audit.record("staff.alert_contact_viewed", request=request, obj=user)
    return render(request, "messaging/staff/my_contact.html", {"form": form, "texts_on": sms.is_configured()})
