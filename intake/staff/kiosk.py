"""Kiosk mode: reception hands the clinic's tablet to one patient for one visit.

Starting it logs the staff member out on this device (the session is flushed, so nothing of the
staff login is left to reach), then grants a fresh session access to that one visit, marked kiosk.
Finishing it flushes that session too and shows a locked "please hand the tablet back" screen;
getting back into the workspace needs a staff login, or, when the staff member set a hand-back PIN
when starting, that PIN within a few minutes of the hand-back (three wrong tries end it).
The PIN is kept only as a password hash in this device's server-side session, never on the account.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.contrib.auth import login, logout
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.models import Device

from intake.journey import access as patient_access
from intake.links.services import issue_link, unlock_link
from intake.models import AccessLink, Progress, Visit
from portal import audit
from portal.access import AuthenticatedHttpRequest
from portal.models import User

HANDBACK_SESSION_KEY = "kiosk_handback"
RETURN_SESSION_KEY = "kiosk_return"
RETURN_SECONDS = 5 * 60  # how long after the hand-back the PIN works
RETURN_TRIES = 3
PIN_PATTERN = re.compile(r"^\d{4,6}$")


@transaction.atomic
def start_kiosk(request: AuthenticatedHttpRequest, visit: Visit, *, pin: str = "") -> AccessLink:
    staff = request.user
    device = getattr(staff, "otp_device", None)
    link = visit.access_links.filter(revoked_at__isnull=True).first()
    if link is None or not link.is_usable:
        link, _token = issue_link(visit=visit, created_by=staff, request=request)
    if link.locked_at is not None:
        # Staff are standing next to the patient: their identity check replaces the date of birth.
        unlock_link(link=link, by=staff, request=request)
    audit.record("kiosk.started", request=request, actor=staff, obj=link, patient=visit.patient)
    logout(request)  # flushes the whole session: the staff login is gone from this device
    patient_access.grant(request, link, kiosk=True)
    if pin:
        request.session[RETURN_SESSION_KEY] = {
            "user": str(staff.pk),
            "patient": str(visit.patient_id),
            "pin": make_password(pin),
            "device": device.persistent_id if device is not None else "",
            "tries": 0,
        }
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
    kept = request.session.get(RETURN_SESSION_KEY)
    request.session.flush()
    if kept:  # the PIN's clock starts at the hand-back
        kept["expires"] = (timezone.now() + timedelta(seconds=RETURN_SECONDS)).isoformat()
        request.session[RETURN_SESSION_KEY] = kept
    # The hand-back screen says "your answers are saved" only when something was answered.
    answered = link is not None and link.visit.progress not in (Progress.INVITED, Progress.OPENED)
    request.session[HANDBACK_SESSION_KEY] = {"answered": answered}


def pin_return_open(request: HttpRequest) -> bool:
    """A hand-back PIN is waiting on this device and its few minutes have not run out."""
    kept = request.session.get(RETURN_SESSION_KEY)
    if not kept or "expires" not in kept:
        return False
    if datetime.fromisoformat(kept["expires"]) <= timezone.now():
        request.session.pop(RETURN_SESSION_KEY, None)
        return False
    return True


def return_with_pin(request: HttpRequest, pin: str) -> str | None:
    """Sign the staff member who started the kiosk back in with their PIN; the patient's id, or None.

    Three wrong tries, or the few minutes running out, end it: then only the full login works."""
    if not pin_return_open(request):
        return None
    kept = request.session[RETURN_SESSION_KEY]
    user = User.objects.filter(pk=kept["user"], is_active=True).first()
    if user is None or not user.is_staff_member:
        request.session.pop(RETURN_SESSION_KEY, None)
        return None
    if not check_password(pin, kept["pin"]):
        kept["tries"] += 1
        ended = kept["tries"] >= RETURN_TRIES
        if ended:
            request.session.pop(RETURN_SESSION_KEY, None)
        else:
            request.session[RETURN_SESSION_KEY] = kept
        audit.record("kiosk.pin_failed", request=request, actor=user, details={"try": kept["tries"], "ended": ended})
        return None
    request.session.pop(RETURN_SESSION_KEY, None)
    request.session.pop(HANDBACK_SESSION_KEY, None)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    device = Device.from_persistent_id(kept["device"]) if kept["device"] else None
    if device is not None and device.user_id == user.pk:
        otp_login(request, device)  # the code was checked minutes ago on this device, by this person
    audit.record("kiosk.pin_returned", request=request, actor=user)
    return kept["patient"]
