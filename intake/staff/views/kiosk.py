"""Kiosk mode: hand this device to the patient for their journey, then lock it until staff sign in."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from intake.staff.gates import get_visit_for_staff
from intake.staff.kiosk import (
    HANDBACK_SESSION_KEY,
    PIN_PATTERN,
    finish_kiosk,
    pin_return_open,
    return_with_pin,
    start_kiosk,
)
from portal.access import AuthenticatedHttpRequest, staff_required


@staff_required
@require_POST
def kiosk_start(request: AuthenticatedHttpRequest, visit_id) -> HttpResponse:
    visit = get_visit_for_staff(request, visit_id)
    pin = request.POST.get("pin", "").strip()
    if pin and not PIN_PATTERN.match(pin):
        messages.error(request, "The hand-back PIN must be 4 to 6 digits. Kiosk mode did not start.")
        return redirect("staff:visit_link", visit_id=visit.pk)
    start_kiosk(request, visit, pin=pin)
    return redirect("journey:progress")


@require_POST
def kiosk_finish(request: HttpRequest) -> HttpResponse:
    finish_kiosk(request)
    return redirect("staff:kiosk_locked")


@never_cache
def kiosk_locked(request: HttpRequest) -> HttpResponse:
    handback = request.session.get(HANDBACK_SESSION_KEY) or {}
    context = {"answered": bool(handback.get("answered")), "pin_open": pin_return_open(request)}
    return render(request, "intake/staff/kiosk_locked.html", context)


@require_POST
def kiosk_return(request: HttpRequest) -> HttpResponse:
    """The staff member who started the kiosk comes back with their PIN, straight to the patient's record."""
    patient_id = return_with_pin(request, request.POST.get("pin", "").strip()[:6])
    if patient_id is None:
        if pin_return_open(request):
            messages.error(request, "That PIN did not work. Try again, or log in.")
        else:
            messages.error(request, "The PIN no longer works here. Please log in.")
        return redirect("staff:kiosk_locked")
    return redirect("staff:patient", patient_id=patient_id)
