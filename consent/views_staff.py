"""Staff consent pages: a record with its PDF inline, clinician confirmation, withdrawal on a patient's
behalf, and the verification page that the PDF's QR code opens.

Gates: @staff_required for everyone on staff (then the record gate below, 404 for unknown ids);
confirmation needs the Clinician role; withdrawal needs the withdraw permission (reception, clinicians).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from consent import sealing, services
from consent.documents import screening_flags
from consent.forms import ConfirmForm, StaffWithdrawForm, VerifyForm
from consent.models import ArchiveVersion, ConsentRecord
from consent.verification import verify_pdf_bytes
from intake.staff.gates import get_visit_for_staff
from portal import audit
from portal.access import (
    AuthenticatedHttpRequest,
    get_for_staff,
    require_clinical_detail,
    role_required,
    staff_required,
)
from portal.pdf import download_name
from portal.roles import Role


def get_record_for_staff(request: HttpRequest, public_id) -> ConsentRecord:
    """The consent record with this UUID for a logged-in staff member; 404 otherwise."""
    records = ConsentRecord.objects.select_related(
        "visit__patient", "visit__clinician", "consent_version", "confirmed_by", "withdrawn_by"
    )
    return get_for_staff(request, records, public_id)


def _can_confirm(user) -> bool:
    return user.is_clinic_admin or user.has_role(Role.CLINICIAN)


def _can_withdraw(user) -> bool:
    return user.is_clinic_admin or user.has_perm("consent.withdraw_consentrecord")


@never_cache
@staff_required
def detail(request: AuthenticatedHttpRequest, record_id) -> HttpResponse:
    record = get_record_for_staff(request, record_id)
    audit.record("consent.viewed", request=request, obj=record, patient=record.visit.patient)
    history = ConsentRecord.objects.filter(visit=record.visit).select_related("consent_version").order_by("signed_at")
    return render(
        request,
        "consent/staff/detail.html",
        {
            "record": record,
            "visit": record.visit,
            "patient": record.visit.patient,
            "history": history,
            "stale": services.is_stale(record, record.visit),
            "archive": services.archive_status(record),
            "archive_versions": record.archive_versions.order_by("document", "made_at", "pk"),
            "tsa_configured": sealing.tsa_configured(),
            # Beside the PDF, so the clinician need not scroll the document to find them.
            "flags": screening_flags(record.visit),
            "confirm_form": ConfirmForm(),
            "can_confirm": _can_confirm(request.user) and record.status == "signed",
            "can_withdraw": _can_withdraw(request.user) and not record.withdrawn_at,
            "sees_clinical": request.user.sees_clinical_detail,
        },
    )


def _file_response(
    request: HttpRequest,
    record: ConsentRecord,
    name: str | None,
    filename: str,
    *,
    document: str,
    download: bool | None = None,
    details: dict | None = None,
) -> FileResponse:
    if not name:
        raise Http404
    if download is None:
        download = request.GET.get("download") == "1"
    audit.record(
        "consent.pdf_downloaded" if download else "consent.pdf_viewed",
        request=request,
        obj=record,
        patient=record.visit.patient,
        details={"file": document, **(details or {})},
    )
    try:
        handle = default_storage.open(name, "rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type="application/pdf", as_attachment=download, filename=filename)
    response["Cache-Control"] = "no-store"
    return response


def _day(moment):
    from django.utils import timezone

    return timezone.localdate(moment) if moment else timezone.localdate()


@never_cache
@xframe_options_sameorigin
@staff_required
def pdf(request: AuthenticatedHttpRequest, record_id) -> FileResponse:
    record = get_record_for_staff(request, record_id)
    require_clinical_detail(request)  # the PDF summarises the screening answers
    return _file_response(
        request, record, record.pdf.name, download_name("consent", _day(record.signed_at)), document="consent"
    )


@never_cache
@xframe_options_sameorigin
@staff_required
def confirmation_pdf(request: AuthenticatedHttpRequest, record_id) -> FileResponse:
    record = get_record_for_staff(request, record_id)
    require_clinical_detail(request)
    if not record.confirmation_pdf:
        raise Http404
    return _file_response(
        request,
        record,
        record.confirmation_pdf.name,
        download_name("consent confirmation", _day(record.confirmed_at)),
        document="confirmation",
    )


@never_cache
@staff_required
def archive_pdf(request: AuthenticatedHttpRequest, record_id, version_id) -> FileResponse:
    """One stored archival copy (sealed, timestamped or renewed B-LTA), always as a download.

    The same gate and the same audit event as the consent PDF itself: the copy holds the same document.
    """
    record = get_record_for_staff(request, record_id)
    require_clinical_detail(request)
    version = get_for_staff(request, record.archive_versions.all(), version_id)
    kind = "consent" if version.document == ArchiveVersion.Document.CONSENT else "consent confirmation"
    return _file_response(
        request,
        record,
        version.pdf.name,
        download_name(f"{kind} archive {version.level}", _day(version.made_at)),
        document=version.document,
        download=True,
        details={"archive_version": str(version.pk), "level": version.level},
    )


@require_POST
@role_required(Role.CLINICIAN)
def confirm(request: AuthenticatedHttpRequest, record_id) -> HttpResponse:
    record = get_record_for_staff(request, record_id)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Tick the box to confirm the discussion took place.")
        return redirect("consent_staff:detail", record_id=record.pk)
    try:
        services.confirm_consent(record=record, clinician=request.user, request=request)
    except services.SigningError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Consent confirmed. The confirmation addendum is sealed and stored.")
    return redirect("consent_staff:detail", record_id=record.pk)


@never_cache
@staff_required
def withdraw(request: AuthenticatedHttpRequest, record_id) -> HttpResponse:
    record = get_record_for_staff(request, record_id)
    if not _can_withdraw(request.user):
        raise PermissionDenied
    if record.withdrawn_at:
        messages.info(request, "This consent was already withdrawn.")
        return redirect("consent_staff:detail", record_id=record.pk)
    form = StaffWithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw_consent(
                record=record, reason=form.cleaned_data["reason"], by=request.user, request=request
            )
        except services.AlreadyWithdrawn:
            messages.info(request, "This consent was already withdrawn.")
        else:
            messages.success(request, "Consent withdrawn on the patient's behalf. The record is kept.")
        return redirect("consent_staff:detail", record_id=record.pk)
    audit.record("consent.viewed", request=request, obj=record, patient=record.visit.patient)
    return render(request, "consent/staff/withdraw.html", {"record": record, "form": form})


@staff_required
def for_visit(request: AuthenticatedHttpRequest, visit_id) -> HttpResponse:
    """The visit's current consent record (or its latest one)."""
    visit = get_visit_for_staff(request, visit_id)
    record = services.current_record(visit) or ConsentRecord.objects.filter(visit=visit).first()
    if record is None:
        raise Http404
    return redirect("consent_staff:detail", record_id=record.pk)


@never_cache
@staff_required
def verify(request: AuthenticatedHttpRequest, record_id=None) -> HttpResponse:
    """Does an uploaded file match a stored consent PDF, with an intact seal? (The PDF's QR code leads here.)"""
    expected = get_record_for_staff(request, record_id) if record_id else None
    if expected is not None and request.method == "GET":
        audit.record("consent.viewed", request=request, obj=expected, patient=expected.visit.patient)
    form = VerifyForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = verify_pdf_bytes(form.cleaned_data["file"].read())
        matches_expected = expected is None or (result.record is not None and result.record.pk == expected.pk)
        audit.record(
            "consent.verified",
            request=request,
            obj=result.record,
            patient=result.record.visit.patient if result.record else None,
            details={"valid": result.valid, "kind": result.kind, "matches_expected": matches_expected},
        )
        if result.valid and not matches_expected:
            messages.warning(request, "This file is a valid consent PDF, but for a different record than the QR code.")
    return render(request, "consent/staff/verify.html", {"form": form, "expected": expected, "result": result})
