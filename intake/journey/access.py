"""The patient's access gate: a link plus a confirmed date of birth grants one visit, for a while.

After /p/<token>/ and a correct date of birth, the browser session holds access to exactly one
visit; every patient page goes through `patient_required`, which loads that visit (and nothing
else) or shows the calm "link not valid" page. Kiosk mode grants the same access from a staff login.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import wraps
from typing import cast

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation

from intake.models import AccessLink, Patient, Visit
from portal.access import PATIENT_SESSION_KEY

SESSION_KEY = PATIENT_SESSION_KEY


class PatientRequest(HttpRequest):
    """The request a patient view receives from `patient_required`: the link, its visit and its patient."""

    access_link: AccessLink
    visit: Visit
    patient: Patient


def grant(request: HttpRequest, link: AccessLink, *, kiosk: bool = False) -> None:
    """Give this browser session access to the link's visit only, replacing any earlier grant."""
    request.session.cycle_key()  # a fresh session id, so a planted id cannot ride along
    request.session[SESSION_KEY] = {
        "link": str(link.pk),
        "visit": str(link.visit_id),
        "expires": (timezone.now() + timedelta(seconds=settings.PATIENT_SESSION_SECONDS)).isoformat(),
        "kiosk": kiosk,
    }
    request.session.set_expiry(settings.PATIENT_SESSION_SECONDS)


def revoke(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


def granted_link(request: HttpRequest) -> AccessLink | None:
    """The link this session may use, if the grant is current and the link still usable and unlocked."""
    grant_data = request.session.get(SESSION_KEY)
    if not grant_data:
        return None
    if datetime.fromisoformat(grant_data["expires"]) <= timezone.now():
        revoke(request)
        return None
    link = (
        AccessLink.objects.select_related("visit__patient", "visit__clinician")
        .filter(pk=grant_data["link"], visit_id=grant_data["visit"])
        .first()
    )
    if link is None or not link.is_usable or link.locked_at is not None:
        revoke(request)
        return None
    return link


def is_kiosk(request: HttpRequest) -> bool:
    return bool(request.session.get(SESSION_KEY, {}).get("kiosk"))


def link_not_valid(request: HttpRequest) -> HttpResponse:
    """One calm page, status 404, for unknown, expired, revoked links and lapsed sessions alike."""
    return render(request, "intake/links/link_not_valid.html", status=404)


def patient_required(view):
    """Gate for every patient page: sets request.access_link, request.visit and request.patient."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        link = granted_link(request)
        if link is None:
            return link_not_valid(request)
        patient_request = cast(PatientRequest, request)
        patient_request.access_link = link
        patient_request.visit = link.visit
        patient_request.patient = link.visit.patient
        translation.activate(request.session.get("patient_language") or link.visit.language)
        response = view(request, *args, **kwargs)
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    return wrapper
