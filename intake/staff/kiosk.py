"""Kiosk mode: reception hands the clinic's tablet to one patient for one visit.

Starting it logs the staff member out on this device (the session is flushed, so nothing of the
staff login is left to reach), then grants a fresh session access to that one visit, marked kiosk.
Finishing it flushes that session too and shows a locked "please hand the tablet back" screen;
getting back into the workspace needs a staff login.
"""

from __future__ import annotations

from django.contrib.auth import logout
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils import timezone

from intake.journey import access as patient_access
from intake.links.services import issue_link, unlock_link
from intake.models import AccessLink, Visit
from portal import audit
from portal.access import AuthenticatedHttpRequest


@transaction.atomic
def start_kiosk(request: AuthenticatedHttpRequest, visit: Visit) -> AccessLink:
    staff = request.user
    link = visit.access_links.filter(revoked_at__isnull=True).first()
    if link is None or not link.is_usable:
        link, _token = issue_link(visit=visit, created_by=staff, request=request)
    if link.locked_at is not None:
        # Staff are standing next to the patient: their identity check replaces the date of birth.
        unlock_link(link=link, by=staff, request=request)
    audit.record("kiosk.started", request=request, actor=staff, obj=link, patient=visit.patient)
    logout(request)  # flushes the whole session: the staff login is gone from this device
    patient_access.grant(request, link, kiosk=True)
    AccessLink.objects.filter(pk=link.pk).update(last_used_at=timezone.now())
    visit.mark("opened_at")
    return link


def finish_kiosk(request: HttpRequest) -> None:
    """End the patient's kiosk session; only a kiosk session may use this."""
    if not patient_access.is_kiosk(request):
        raise Http404
    link = patient_access.granted_link(request)
    audit.record(
        "kiosk.finished",
        request=request,
        access_link=link,
        obj=link,
        patient=link.visit.patient if link else None,
    )
    request.session.flush()
