"""The audit log for the clinic admin: every event, filtered and paged."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from intake.staff.forms import (
    AuditFilterForm,
)
from intake.staff.views.common import (
    paginate,
    querystring_without_page,
)
from portal import audit
from portal.access import AuthenticatedHttpRequest, role_required
from portal.bounds import page_number
from portal.models import AuditEvent
from portal.roles import Role

AUDIT_PAGE_SIZE = 50


@role_required(Role.CLINIC_ADMIN)
@never_cache
def audit_log(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET)
    page = page_number(request)
    events, has_next = paginate(form.filter(AuditEvent.objects.select_related("actor")), page, AUDIT_PAGE_SIZE)
    filters = sorted(name for name, value in request.GET.items() if value and name != "page")
    audit.record("audit.viewed", request=request, details={"filters": filters, "page": page})
    return render(
        request,
        "intake/staff/audit_log.html",
        {
            "form": form,
            "events": events,
            "page": page,
            "has_next": has_next,
            "has_previous": page > 1,
            "querystring": querystring_without_page(request),
        },
    )
