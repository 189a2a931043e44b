"""Inviting a patient and handing over their link: shown once, emailed, printed with a QR code, reissued,
revoked or unlocked."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from intake.links import services as link_services
from intake.links.services import send_link_message
from intake.links.tokens import hash_token, patient_url
from intake.models import AccessLink, Visit
from intake.patients import services
from intake.staff.forms import (
    InviteForm,
)
from intake.staff.gates import get_link_for_staff, get_visit_for_staff
from portal import audit
from portal.access import AuthenticatedHttpRequest, staff_required

NEW_LINK_SESSION_KEY = "staff_new_link"


def _remember_token(request: HttpRequest, visit: Visit, token: str) -> None:
    """Hold the new link's raw token in this staff member's server-side session (the database keeps only
    its hash), so print, email, text and copy work in any order. It is shown only while the link is unused:
    see _held_token and docs/security.md."""
    held = dict(request.session.get(NEW_LINK_SESSION_KEY) or {})
    held[str(visit.pk)] = token
    request.session[NEW_LINK_SESSION_KEY] = held


def _held_token(request: HttpRequest, visit: Visit) -> str | None:
    """The held token while it still opens the visit's current link and nobody has used it; else forgotten."""
    held = dict(request.session.get(NEW_LINK_SESSION_KEY) or {})
    token = held.get(str(visit.pk))
    if token is None:
        return None
    link = _token_matches(visit, token)
    if link is None or link.last_used_at is not None:
        held.pop(str(visit.pk))
        request.session[NEW_LINK_SESSION_KEY] = held
        return None
    return token


@staff_required
@never_cache
def invite(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invitation = services.invite_patient(
                first_name=data["first_name"],
                last_name=data["last_name"],
                date_of_birth=data["date_of_birth"],
                scheduled_at=data["scheduled_at"],
                email=data["email"],
                phone=data["phone"],
                clinician=data["clinician"],
                language=data["language"],
                created_by=request.user,
                request=request,
                new_course=data["new_course"],
                complaint=data["complaint"],
            )
        except services.CourseDischarged as error:
            form.add_error("new_course", str(error))
        else:
            _remember_token(request, invitation.visit, invitation.token)
            if not invitation.patient_created:
                session = invitation.visit.session_number
                messages.info(
                    request,
                    "The visit was added to the existing patient's record"
                    + (f" as session {session} of their course." if session > 1 else " in a new course of care."),
                )
            return redirect("staff:visit_link", visit_id=invitation.visit.pk)
    return render(request, "intake/staff/invite.html", {"form": form})


def _qr_svg(url: str) -> str:
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    return image.to_string(encoding="unicode")


def _token_matches(visit: Visit, token: str) -> AccessLink | None:
    link = visit.access_links.filter(revoked_at__isnull=True).first()
    if link is None or not token or hash_token(token) != link.token_hash or not link.is_usable:
        return None
    return link


@staff_required
@never_cache
def visit_link(request: AuthenticatedHttpRequest, visit_id) -> HttpResponse:
    """The new link until its first use: email, print, text or copy it in any order, or hand this device over."""
    visit = get_visit_for_staff(request, visit_id)
    token = _held_token(request, visit)
    link = visit.access_links.filter(revoked_at__isnull=True).first()
    url = patient_url(token) if token else None
    audit.record("link.viewed", request=request, obj=visit, patient=visit.patient, details={"shown": bool(token)})
    return render(
        request,
        "intake/staff/visit_link.html",
        {"visit": visit, "patient": visit.patient, "link": link, "token": token, "url": url},
    )


def _unused_link(visit, token: str):
    """The visit's link for this held token while the patient has not opened it; None after that.

    Once the patient has opened it, the link is theirs: it is never sent, printed or shown again.
    """
    link = _token_matches(visit, token)
    return link if link is not None and link.last_used_at is None else None


@staff_required
@require_POST
def visit_link_email(request: AuthenticatedHttpRequest, visit_id) -> HttpResponse:
    visit = get_visit_for_staff(request, visit_id)
    token = request.POST.get("token", "")
    link = _unused_link(visit, token)
    if link is None:
        messages.error(request, "That link is no longer valid. Issue a new link to send it.")
        return redirect("staff:visit_link", visit_id=visit.pk)
    queued = send_link_message(visit=visit, request=request)
    if not queued:
        messages.error(
            request,
            "No message can reach this patient (no email, and no phone we can text). "
            "Add one on their record, or print the link.",
        )
    else:
        channels = sorted(m.channel for m in queued)
        audit.record("link.emailed", request=request, obj=link, patient=visit.patient, details={"channels": channels})
        how = " and ".join({"email": "email", "sms": "text"}[c] for c in channels)
        messages.success(request, f"The link will be sent to the patient by {how}.")
    _remember_token(request, visit, token)
    return redirect("staff:visit_link", visit_id=visit.pk)


@staff_required
@require_POST
def visit_link_print(request: AuthenticatedHttpRequest, visit_id) -> HttpResponse:
    visit = get_visit_for_staff(request, visit_id)
    token = request.POST.get("token", "")
    link = _unused_link(visit, token)
    if link is None:
        messages.error(request, "That link is no longer valid. Issue a new link to print it.")
        return redirect("staff:visit_link", visit_id=visit.pk)
    url = patient_url(token)
    audit.record("link.printed", request=request, obj=link, patient=visit.patient)
    response = render(
        request,
        "intake/staff/print_link.html",
        {"visit": visit, "patient": visit.patient, "url": url, "qr_svg": _qr_svg(url), "link": link},
    )
    response["Cache-Control"] = "no-store"
    return response


@staff_required
@require_POST
def visit_link_new(request: AuthenticatedHttpRequest, visit_id) -> HttpResponse:
    visit = get_visit_for_staff(request, visit_id)
    _link, token = link_services.issue_link(visit=visit, created_by=request.user, request=request)
    _remember_token(request, visit, token)
    messages.success(request, "A new link was issued; any earlier link no longer works.")
    return redirect("staff:visit_link", visit_id=visit.pk)


@staff_required
@require_POST
def link_revoke(request: AuthenticatedHttpRequest, link_id) -> HttpResponse:
    link = get_link_for_staff(request, link_id)
    link_services.revoke_link(link=link, by=request.user, request=request)
    messages.success(request, "The link was revoked. It no longer opens anything.")
    return redirect("staff:patient", patient_id=link.visit.patient_id)


@staff_required
@require_POST
def link_unlock(request: AuthenticatedHttpRequest, link_id) -> HttpResponse:
    link = get_link_for_staff(request, link_id)
    link_services.unlock_link(link=link, by=request.user, request=request)
    messages.success(request, "The link was unlocked. The patient can try their date of birth again.")
    if request.POST.get("back") == "board":  # the board's one-click Unlock returns to the board
        return redirect("staff:board")
    return redirect("staff:patient", patient_id=link.visit.patient_id)
