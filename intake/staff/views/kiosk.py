"""Kiosk mode: hand this device to the patient for their journey, then lock it until staff sign in."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from intake.staff.gates import get_visit_for_staff
from intake.staff.kiosk import finish_kiosk, start_kiosk
from portal.access import AuthenticatedHttpRequest, staff_required


@staff_required
@require_POST
def kiosk_start(request: AuthenticatedHttpRequest, visit_id) -> HttpResponse:
    visit = get_visit_for_staff(request, visit_id)
    start_kiosk(request, visit)
    return redirect("journey:progress")


@require_POST
def kiosk_finish(request: HttpRequest) -> HttpResponse:
    finish_kiosk(request)
    return redirect("staff:kiosk_locked")


@never_cache
def kiosk_locked(request: HttpRequest) -> HttpResponse:
    return render(request, "intake/staff/kiosk_locked.html")
