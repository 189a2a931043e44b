"""Reception's "remind everyone not ready for tomorrow": the count first, then one button."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from intake.visits.reminders import remind_tomorrow, tomorrow_not_ready
from portal import audit
from portal.access import staff_required


@staff_required
@never_cache
def remind_tomorrow_page(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        sent = remind_tomorrow(request=request)
        audit.record("visit.reminders_sent_tomorrow", request=request, details={"visits": sent})
        messages.success(request, f"Reminders are on their way to {sent} patient{'s' if sent != 1 else ''}.")
        return redirect("staff:board")
    count = tomorrow_not_ready().count()
    audit.record("visit.reminders_counted", request=request, details={"visits": count})
    day = timezone.localdate() + timedelta(days=1)
    return render(request, "intake/staff/remind_tomorrow.html", {"count": count, "day": day})
