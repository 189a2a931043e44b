"""The board: today's and upcoming visits, search and filters, and the urgent alarms on top."""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from intake.models import Visit
from intake.staff.views.common import (
    board_queryset,
    can_export,
    paginate,
    querystring_without_page,
)
from messaging.models import Message, open_alerts_prefetch
from portal import audit
from portal.access import AuthenticatedHttpRequest, staff_required
from portal.bounds import page_number

BOARD_PAGE_SIZE = 25
GAVE_UP_SHOWN_FOR = timedelta(days=7)  # messages that gave up stay on the board this long (always on the record)


@staff_required
@never_cache
def board(request: AuthenticatedHttpRequest) -> HttpResponse:
    form, visits = board_queryset(request)
    visits = visits.with_board_state()
    page = page_number(request)
    rows, has_next = paginate(visits, page, BOARD_PAGE_SIZE)
    urgent = list(Visit.objects.urgent().for_board().prefetch_related(open_alerts_prefetch())[:10])
    gave_up = list(Message.objects.gave_up_recently(since=timezone.now() - GAVE_UP_SHOWN_FOR)[:10])
    audit.record(
        "board.viewed",
        request=request,
        details={"rows": len(rows), "page": page, "searched": bool(form.cleaned_data.get("q"))},
    )
    return render(
        request,
        "intake/staff/board.html",
        {
            "form": form,
            "visits": rows,
            "urgent_visits": urgent,
            "gave_up_messages": gave_up,
            "page": page,
            "has_next": has_next,
            "has_previous": page > 1,
            "querystring": querystring_without_page(request),
            "can_export": can_export(request.user),
            "today": timezone.localdate(),
            "tomorrow": timezone.localdate() + timedelta(days=1),
        },
    )


# --- patient record -----------------------------------------------------------------------------


# --- invite, links, kiosk -----------------------------------------------------------------------


# --- clinician review and visit recording -------------------------------------------------------


# --- audit log and exports ----------------------------------------------------------------------
