"""The staff workspace: board, patient record, invite and link pages, kiosk, review queue, visit
recording, audit log and exports. Every view goes through a gate and writes an audit event when it
reads or changes a patient's data. No names, dates of birth or answers go into URLs or audit details.
"""

from __future__ import annotations

import csv
from copy import copy  # a bound ModelForm writes into its instance; keep the loaded row intact
from datetime import datetime, time

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Case, F, IntegerField, Value, When
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from intake import services
from intake.forms_staff import (
    AuditFilterForm,
    BoardFilterForm,
    InviteForm,
    PatientForm,
    ScreeningReviewForm,
    VisitRecordForm,
)
from intake.kiosk import finish_kiosk, start_kiosk
from intake.links import hash_token, patient_url
from intake.models import AccessLink, FlagLevel, PatientChange, ScreeningResponse, Visit
from intake.regions import region_label
from portal import audit
from portal.access import get_link_for_staff, get_patient_for_staff, get_visit_for_staff, role_required, staff_required
from portal.models import AuditEvent
from portal.roles import Role

BOARD_PAGE_SIZE = 25
AUDIT_PAGE_SIZE = 50
REVIEW_LIMIT = 50
NEW_LINK_SESSION_KEY = "staff_new_link"
NOT_ANSWERED = "Not answered"  # what intake.screening.answers_for_display shows for a blank answer (English)


# --- helpers ------------------------------------------------------------------------------------


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, min(int(request.GET.get("page", "1")), 10_000))
    except ValueError:
        return 1


def _page(queryset, page: int, size: int):
    """One page plus whether another follows, without COUNT(*): fetch one row more than shown."""
    rows = list(queryset[(page - 1) * size : page * size + 1])
    return rows[:size], len(rows) > size


def _querystring_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _optional_url(name: str, *args) -> str | None:
    """A link into a room another part of the portal owns, or None while it does not exist yet."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _can_export(user) -> bool:
    """Exports (CSV, FHIR) belong to the clinic admin, the only role holding intake.export_records.

    Checked through the role (already loaded with the user's groups) rather than has_perm(), which
    would cost two permission queries on every board view."""
    return user.is_clinic_admin


def _require_export(request: HttpRequest) -> None:
    if not _can_export(request.user):
        raise PermissionDenied


def _answer_sections(screening, patient) -> list[dict]:
    """The screening's answers as sections of (label, shown answer) rows, labelled by the questionnaire
    version the patient answered; plain keys if that definition cannot be read."""
    if screening is None:
        return []
    try:
        from intake.screening import answers_for_display, definition_for

        sections = answers_for_display(definition_for(screening), screening, patient, "en")
    except Exception:  # noqa: BLE001 - a broken definition must not hide the answers from the clinician
        sections = None
    if sections is not None:
        # Unanswered optional questions are noise for staff; the patient's own page still lists them.
        for section in sections:
            section["rows"] = [(label, shown) for label, shown in section["rows"] if str(shown) != NOT_ANSWERED]
        return [section for section in sections if section["rows"]]
    rows = []
    for key, value in (screening.answers or {}).items():
        if isinstance(value, list):
            value = ", ".join(region_label(str(item)) for item in value)
        elif isinstance(value, bool):
            value = "Yes" if value else "No"
        rows.append((str(key).replace("_", " ").capitalize(), "" if value is None else str(value)))
    return [{"key": "answers", "title": "Answers", "rows": rows}]


def _comfort_wishes(screening) -> list[str]:
    """The patient's comfort preferences in words, for the top of the clinician's review."""
    if screening is None or not screening.answers.get("comfort"):
        return [screening.answers["comfort_other"]] if screening and screening.answers.get("comfort_other") else []
    wishes = [str(value) for value in screening.answers.get("comfort") or []]
    try:
        from intake.screening import definition_for

        definition = definition_for(screening)
        item = next(i for section in definition.sections for i in section.items if i.key == "comfort")
        wishes = [str(definition.choice_label(item, value, "en")) for value in wishes]
    except Exception:  # noqa: BLE001, S110 - the raw keys are still meaningful
        pass
    if screening.answers.get("comfort_other"):
        wishes.append(str(screening.answers["comfort_other"]))
    return wishes


def _consent_urls(record) -> dict:
    return {
        "detail": _optional_url("consent_staff:detail", record.pk),
        "pdf": _optional_url("consent_staff:pdf", record.pk),
    }


# --- board --------------------------------------------------------------------------------------


def _board_queryset(request: HttpRequest):
    form = BoardFilterForm(request.GET)
    visits, date_from = form.filter(Visit.objects.for_board(), today=timezone.localdate())
    if date_from is None:
        # Searching across all dates: upcoming visits first (soonest first), then past ones (latest first).
        start = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
        visits = visits.annotate(
            is_past=Case(When(scheduled_at__lt=start, then=Value(1)), default=Value(0), output_field=IntegerField()),
            upcoming_at=Case(When(scheduled_at__gte=start, then=F("scheduled_at")), default=None),
        ).order_by("is_past", F("upcoming_at").asc(nulls_last=True), F("scheduled_at").desc(), "id")
    else:
        visits = visits.order_by("scheduled_at", "id")
    return form, visits


@staff_required
@never_cache
def board(request: HttpRequest) -> HttpResponse:
    form, visits = _board_queryset(request)
    page = _page_number(request)
    rows, has_next = _page(visits, page, BOARD_PAGE_SIZE)
    urgent = list(Visit.objects.urgent().for_board()[:10])
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
            "page": page,
            "has_next": has_next,
            "has_previous": page > 1,
            "querystring": _querystring_without_page(request),
            "can_export": _can_export(request.user),
            "today": timezone.localdate(),
        },
    )


def csv_safe(value) -> str:
    """A cell a spreadsheet will not run as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


class _Echo:
    def write(self, value):
        return value


@staff_required
def board_csv(request: HttpRequest) -> HttpResponse:
    _require_export(request)
    _form, visits = _board_queryset(request)
    header = [
        "appointment",
        "first_name",
        "last_name",
        "date_of_birth",
        "email",
        "phone",
        "clinician",
        "progress",
        "flag_level",
        "urgent_since",
    ]

    def rows():
        writer = csv.writer(_Echo())
        yield writer.writerow(header)
        for visit in visits.iterator(chunk_size=1000):
            patient = visit.patient
            yield writer.writerow(
                csv_safe(cell)
                for cell in (
                    timezone.localtime(visit.scheduled_at).strftime("%Y-%m-%d %H:%M"),
                    patient.first_name,
                    patient.last_name,
                    patient.date_of_birth.isoformat(),
                    patient.email,
                    patient.phone,
                    visit.clinician or "",
                    visit.get_progress_display(),
                    visit.get_flag_level_display(),
                    timezone.localtime(visit.urgent_since).strftime("%Y-%m-%d %H:%M") if visit.urgent_since else "",
                )
            )

    audit.record("board.exported_csv", request=request, details={"filters": sorted(k for k in request.GET if k)})
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="visits-{timezone.localdate():%Y%m%d}.csv"'
    response["Cache-Control"] = "no-store"
    return response


# --- patient record -----------------------------------------------------------------------------


def _visits_for_record(patient):
    return list(
        patient.visits.select_related("clinician", "screening", "screening__reviewed_by", "understanding", "record")
        .prefetch_related("access_links", "checkins__acknowledged_by", "consents__consent_version")
        .order_by("-scheduled_at")
    )


@staff_required
@never_cache
def patient_record(request: HttpRequest, patient_id) -> HttpResponse:
    patient = get_patient_for_staff(request, patient_id)
    visits = _visits_for_record(patient)
    for visit in visits:
        screening = getattr(visit, "screening", None)
        visit.answer_sections = _answer_sections(screening, patient)
        visit.record_regions = [region_label(key) for key in visit.record.regions] if hasattr(visit, "record") else []
        visit.consent_list = [(record, _consent_urls(record)) for record in visit.consents.all()]
        visit.checkin_list = _label_checkins(list(visit.checkins.all()))
    changes = list(PatientChange.objects.filter(patient=patient).select_related("changed_by")[:20])
    trail = list(AuditEvent.objects.filter(patient=patient).select_related("actor")[:50])
    audit.record(
        "patient.viewed",
        request=request,
        obj=patient,
        patient=patient,
        details={"visits": len(visits), "screenings": sum(1 for v in visits if hasattr(v, "screening"))},
    )
    return render(
        request,
        "intake/staff/patient_record.html",
        {
            "patient": patient,
            "visits": visits,
            "changes": changes,
            "trail": trail,
            "can_export": _can_export(request.user),
            "is_clinician": request.user.is_clinician or request.user.is_clinic_admin,
        },
    )


@staff_required
@never_cache
def patient_edit(request: HttpRequest, patient_id) -> HttpResponse:
    patient = get_patient_for_staff(request, patient_id)
    conflict = None
    conflict_values = []
    if request.method == "POST":
        form = PatientForm(request.POST, instance=copy(patient))
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in services.PATIENT_EDITABLE_FIELDS}
            try:
                changed = services.update_patient(
                    patient=patient,
                    data=data,
                    expected_revision=form.cleaned_data["revision"],
                    by=request.user,
                    request=request,
                )
            except services.PatientEditConflict as exc:
                conflict = exc
                # The other person's fields come from the change history; a change made elsewhere (the
                # patient updating their contact details) leaves none, so show every field that differs.
                fields = exc.fields or [name for name in data if getattr(exc.current, name) != data[name]]
                conflict_values = [
                    (exc.current._meta.get_field(name).verbose_name, getattr(exc.current, name)) for name in fields
                ]
                # Keep what this editor typed, but move them onto the current revision: saving again
                # is then a deliberate choice made after seeing the other person's values.
                posted = request.POST.copy()
                posted["revision"] = str(exc.current.revision)
                form = PatientForm(posted, instance=copy(exc.current))
                form.is_valid()
                audit.record("patient.edit_conflict", request=request, obj=patient, patient=patient)
            else:
                if changed:
                    messages.success(request, f"Saved: {', '.join(f.replace('_', ' ') for f in changed)}.")
                else:
                    messages.info(request, "Nothing was changed.")
                return redirect("staff:patient", patient_id=patient.pk)
    else:
        form = PatientForm(instance=patient)
        audit.record("patient.edit_opened", request=request, obj=patient, patient=patient)
    return render(
        request,
        "intake/staff/patient_edit.html",
        {"patient": patient, "form": form, "conflict": conflict, "conflict_values": conflict_values},
    )


# --- invite, links, kiosk -----------------------------------------------------------------------


def _remember_token(request: HttpRequest, visit: Visit, token: str) -> None:
    """Hold the new link's token in the session for the next page only (popped there); the database
    keeps only its hash, so once shown it cannot be shown again."""
    request.session[NEW_LINK_SESSION_KEY] = {"visit": str(visit.pk), "token": token}


def _take_token(request: HttpRequest, visit: Visit) -> str | None:
    held = request.session.pop(NEW_LINK_SESSION_KEY, None)
    if held and held.get("visit") == str(visit.pk):
        return held["token"]
    return None


@staff_required
@never_cache
def invite(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
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
        )
        _remember_token(request, invitation.visit, invitation.token)
        if not invitation.patient_created:
            messages.info(request, "The visit was added to the existing patient's record.")
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
def visit_link(request: HttpRequest, visit_id) -> HttpResponse:
    """The new link, shown once: email it, print it with a QR code, or hand this device over (kiosk)."""
    visit = get_visit_for_staff(request, visit_id)
    token = _take_token(request, visit)
    link = visit.access_links.filter(revoked_at__isnull=True).first()
    url = patient_url(token) if token else None
    audit.record("link.viewed", request=request, obj=visit, patient=visit.patient, details={"shown": bool(token)})
    return render(
        request,
        "intake/staff/visit_link.html",
        {"visit": visit, "patient": visit.patient, "link": link, "token": token, "url": url},
    )


@staff_required
@require_POST
def visit_link_email(request: HttpRequest, visit_id) -> HttpResponse:
    visit = get_visit_for_staff(request, visit_id)
    token = request.POST.get("token", "")
    link = _token_matches(visit, token)
    if link is None:
        messages.error(request, "That link is no longer valid. Issue a new link to send it.")
        return redirect("staff:visit_link", visit_id=visit.pk)
    if not visit.patient.email:
        messages.error(request, "This patient has no email address. Add one on their record, or print the link.")
    else:
        send_link_email(visit=visit, token=token)
        audit.record("link.emailed", request=request, obj=link, patient=visit.patient)
        messages.success(request, "The link will be emailed to the patient.")
    _remember_token(request, visit, token)
    return redirect("staff:visit_link", visit_id=visit.pk)


def send_link_email(*, visit: Visit, token: str) -> None:
    """Email the patient their link once the surrounding transaction commits."""
    from django.conf import settings
    from django.core.mail import EmailMultiAlternatives
    from django.template.loader import render_to_string
    from django.utils import translation

    patient = visit.patient
    with translation.override(visit.language):
        context = {
            "patient": patient,
            "visit": visit,
            "url": patient_url(token),
            "clinic": {"name": settings.CLINIC_NAME, "phone": settings.CLINIC_PHONE},
        }
        subject = render_to_string("intake/staff/email/link_subject.txt", context).strip()
        text = render_to_string("intake/staff/email/link_body.txt", context)
        html = render_to_string("intake/staff/email/link_body.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[patient.email])
    message.attach_alternative(html, "text/html")
    transaction.on_commit(lambda: message.send())


@staff_required
@require_POST
def visit_link_print(request: HttpRequest, visit_id) -> HttpResponse:
    visit = get_visit_for_staff(request, visit_id)
    token = request.POST.get("token", "")
    link = _token_matches(visit, token)
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
def visit_link_new(request: HttpRequest, visit_id) -> HttpResponse:
    visit = get_visit_for_staff(request, visit_id)
    _link, token = services.issue_link(visit=visit, created_by=request.user, request=request)
    _remember_token(request, visit, token)
    messages.success(request, "A new link was issued; any earlier link no longer works.")
    return redirect("staff:visit_link", visit_id=visit.pk)


@staff_required
@require_POST
def link_revoke(request: HttpRequest, link_id) -> HttpResponse:
    link = get_link_for_staff(request, link_id)
    services.revoke_link(link=link, by=request.user, request=request)
    messages.success(request, "The link was revoked. It no longer opens anything.")
    return redirect("staff:patient", patient_id=link.visit.patient_id)


@staff_required
@require_POST
def link_unlock(request: HttpRequest, link_id) -> HttpResponse:
    link = get_link_for_staff(request, link_id)
    services.unlock_link(link=link, by=request.user, request=request)
    messages.success(request, "The link was unlocked. The patient can try their date of birth again.")
    return redirect("staff:patient", patient_id=link.visit.patient_id)


@staff_required
@require_POST
def kiosk_start(request: HttpRequest, visit_id) -> HttpResponse:
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


# --- clinician review and visit recording -------------------------------------------------------


@role_required(Role.CLINICIAN)
@never_cache
def review_queue(request: HttpRequest) -> HttpResponse:
    from consent.models import ConsentRecord

    urgent = list(Visit.objects.urgent().for_board()[:REVIEW_LIMIT])
    awaiting = list(
        ConsentRecord.objects.awaiting_review()
        .select_related("visit__patient", "visit__clinician", "visit__screening")
        .order_by("-visit__flag_level", "signed_at")[:REVIEW_LIMIT]
    )
    screenings = list(
        ScreeningResponse.objects.filter(
            submitted_at__isnull=False, reviewed_at__isnull=True, visit__signed_at__isnull=True
        )
        .select_related("visit__patient", "visit__clinician")
        .order_by("-flag_level", "submitted_at")[:REVIEW_LIMIT]
    )
    audit.record(
        "review_queue.viewed",
        request=request,
        details={"urgent": len(urgent), "consents": len(awaiting), "screenings": len(screenings)},
    )
    return render(
        request,
        "intake/staff/review_queue.html",
        {"urgent_visits": urgent, "consents": awaiting, "screenings": screenings},
    )


@role_required(Role.CLINICIAN)
@never_cache
def visit_review(request: HttpRequest, visit_id) -> HttpResponse:
    visit = get_visit_for_staff(request, visit_id)
    screening = ScreeningResponse.objects.filter(visit=visit).select_related("reviewed_by").first()
    form = ScreeningReviewForm(request.POST or None)
    if request.method == "POST":
        if screening is None:
            messages.error(request, "There is no screening to review yet.")
        elif form.is_valid():
            services.review_screening(
                visit=visit,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
                by=request.user,
                request=request,
            )
            messages.success(request, "Your review was saved.")
            return redirect("staff:review")
    understanding = getattr(visit, "understanding", None) if hasattr(visit, "understanding") else None
    consents = [(record, _consent_urls(record)) for record in visit.consents.select_related("consent_version")]
    checkins = _label_checkins(list(visit.checkins.all()))
    audit.record(
        "screening.viewed",
        request=request,
        obj=visit,
        patient=visit.patient,
        details={"screening": screening is not None, "consents": len(consents)},
    )
    return render(
        request,
        "intake/staff/visit_review.html",
        {
            "visit": visit,
            "patient": visit.patient,
            "screening": screening,
            "flags": sorted((screening.flags if screening else []), key=lambda f: -int(f.get("level", 0))),
            "answer_sections": _answer_sections(screening, visit.patient),
            "comfort": _comfort_wishes(screening),
            "understanding": understanding,
            "consents": consents,
            "checkins": checkins,
            "form": form,
            "flag_levels": FlagLevel,
        },
    )


@role_required(Role.CLINICIAN)
@require_POST
def visit_acknowledge_urgent(request: HttpRequest, visit_id) -> HttpResponse:
    """The clinician has dealt with the red-flag check-ins (aftercare's service does the write)."""
    from intake.checkins import acknowledge_urgent_checkins

    visit = get_visit_for_staff(request, visit_id)
    count = acknowledge_urgent_checkins(visit=visit, by=request.user, request=request)
    messages.success(request, "Marked as dealt with." if count else "There was nothing left to acknowledge.")
    return redirect("staff:review")


def _label_checkins(checkins) -> list:
    try:
        from intake.aftercare import red_flag_labels
    except ImportError:  # aftercare not present: show the codes

        def red_flag_labels(codes):
            return list(codes or ())

    for checkin in checkins:
        checkin.red_flag_names = red_flag_labels(checkin.red_flags)
    return checkins


@role_required(Role.CLINICIAN)
@never_cache
def visit_record(request: HttpRequest, visit_id) -> HttpResponse:
    visit = get_visit_for_staff(request, visit_id)
    existing = getattr(visit, "record", None) if hasattr(visit, "record") else None
    form = VisitRecordForm(request.POST or None, initial={"treated_at": timezone.localtime().replace(second=0)})
    if request.method == "POST" and existing is None and form.is_valid():
        try:
            services.record_visit(
                visit=visit,
                treated_at=form.cleaned_data["treated_at"],
                regions=form.cleaned_data["regions"],
                notes=form.cleaned_data["notes"],
                by=request.user,
                request=request,
            )
        except services.VisitAlreadyRecorded:
            messages.info(request, "This visit was already recorded.")
        else:
            messages.success(request, "The visit was recorded. The patient's aftercare is now open.")
        return redirect("staff:patient", patient_id=visit.patient_id)
    audit.record("visit_record.opened", request=request, obj=visit, patient=visit.patient)
    return render(
        request,
        "intake/staff/visit_record.html",
        {
            "visit": visit,
            "patient": visit.patient,
            "form": form,
            "existing": existing,
            "existing_regions": [region_label(k) for k in existing.regions] if existing else [],
        },
    )


# --- audit log and exports ----------------------------------------------------------------------


@role_required(Role.CLINIC_ADMIN)
@never_cache
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET)
    page = _page_number(request)
    events, has_next = _page(form.filter(AuditEvent.objects.select_related("actor")), page, AUDIT_PAGE_SIZE)
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
            "querystring": _querystring_without_page(request),
        },
    )


@staff_required
def patient_fhir(request: HttpRequest, patient_id) -> HttpResponse:
    _require_export(request)
    patient = get_patient_for_staff(request, patient_id)
    from intake.fhir import patient_bundle

    bundle = patient_bundle(patient)
    audit.record(
        "patient.exported_fhir",
        request=request,
        obj=patient,
        patient=patient,
        details={"entries": len(bundle["entry"])},
    )
    response = JsonResponse(bundle, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Type"] = "application/fhir+json; charset=utf-8"
    response["Content-Disposition"] = f'attachment; filename="patient-{patient.pk}.fhir.json"'
    response["Cache-Control"] = "no-store"
    return response
