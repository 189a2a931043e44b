"""The patient's consent pages: sign, see and download the signed copy, withdraw.

Every view goes through @patient_required, which gives request.visit / request.patient for the one
visit this browser session may open. No ids in these URLs.
"""

from __future__ import annotations

import contextlib

from django.contrib import messages
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from consent import services
from consent.forms import SignForm, WithdrawForm
from consent.models import ConsentRecord
from intake.journey.access import PatientRequest, patient_required
from portal import audit
from portal.audit import client_ip
from portal.pdf import download_name


def _journey_url(name: str) -> str:
    return reverse(f"journey:{name}")


def _is_minor(request: PatientRequest) -> bool:
    """A minor today or on the day of the visit: a parent or guardian signs."""
    patient = request.patient
    return patient.is_minor_on(timezone.localdate(request.visit.scheduled_at)) or patient.is_minor


@never_cache
@patient_required
def sign(request: PatientRequest) -> HttpResponse:
    visit, patient = request.visit, request.patient
    if visit.understanding_done_at is None:
        messages.info(request, _("Please finish the understanding check first. Then you can sign."))
        return redirect(_journey_url("understanding"))
    current = services.current_record(visit)
    stale = current is not None and services.is_stale(current, visit)
    if current is not None and not stale:
        return redirect("consent:signed")
    version = services.version_to_sign(visit)
    if version is None:
        return render(request, "consent/patient/unavailable.html", status=503)

    minor = _is_minor(request)
    form = SignForm(request.POST or None, version=version, patient=patient, minor=minor)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.sign_consent(
                visit=visit,
                version=version,
                signer_name=data["typed_name"],
                signer_role=form.signer_role,
                guardian_relationship=data.get("guardian_relationship", ""),
                signature_png=data["signature_png"],
                acknowledgements=form.acknowledgements(),
                time_zone=data["time_zone"],
                ip=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
                request=request,
                access_link=request.access_link,
            )
        except services.AlreadySigned:
            messages.info(request, _("You have already signed this consent. Here is your copy."))
            return redirect("consent:signed")
        except services.NotReadyToSign as error:
            messages.info(request, error.message)
            return redirect(_journey_url("understanding"))
        except services.VersionNotActive as error:
            messages.warning(request, error.message)
            return redirect("consent:sign")
        except services.DocumentFailed:
            audit.record("consent.sign_failed", request=request, patient=patient, obj=visit)
            return render(request, "consent/patient/try_again.html", status=503)
        messages.success(
            request,
            _("Thank you. Your consent is signed. You can download your copy from the consent page at any time."),
        )
        return redirect(_journey_url("before-visit"))
    if request.method == "POST":
        audit.record(
            "consent.sign_invalid", request=request, patient=patient, obj=visit, details={"fields": sorted(form.errors)}
        )
    else:
        audit.record(
            "consent.sign_page_viewed",
            request=request,
            patient=patient,
            obj=visit,
            details={"version": version.version, "reconsent": current is not None},
        )
    return render(
        request,
        "consent/patient/sign.html",
        {"form": form, "version": version, "visit": visit, "patient": patient, "minor": minor, "stale_record": current},
    )


@never_cache
@patient_required
def signed(request: PatientRequest) -> HttpResponse:
    visit = request.visit
    current = services.current_record(visit)
    latest = current or ConsentRecord.objects.filter(visit=visit).select_related("consent_version").first()
    if latest is None:
        return redirect("consent:sign")
    audit.record("consent.viewed", request=request, obj=latest, patient=request.patient)
    return render(
        request,
        "consent/patient/signed.html",
        {
            "record": latest,
            "stale": current is not None and services.is_stale(current, visit),
            "next_url": _journey_url("before-visit"),
        },
    )


@never_cache
@patient_required
def pdf(request: PatientRequest) -> HttpResponse | FileResponse:
    """The patient's own copy of the signed PDF (the latest record for their visit)."""
    record = ConsentRecord.objects.filter(visit=request.visit).first()
    if record is None:
        return redirect("consent:sign")
    audit.record("consent.pdf_downloaded", request=request, obj=record, patient=request.patient)
    response = FileResponse(
        record.pdf.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=download_name("consent", timezone.localdate(record.signed_at)),
    )
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@patient_required
def withdraw(request: PatientRequest) -> HttpResponse:
    record = services.current_record(request.visit)
    if record is None:
        return redirect("consent:signed")
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with contextlib.suppress(services.AlreadyWithdrawn):  # a second click: already done
            services.withdraw_consent(
                record=record, reason=form.cleaned_data["reason"], request=request, access_link=request.access_link
            )
        messages.success(request, _("Your consent has been withdrawn. The clinic will not start dry needling."))
        return redirect("consent:signed")
    if request.method == "GET":
        audit.record("consent.withdraw_page_viewed", request=request, obj=record, patient=request.patient)
    return render(request, "consent/patient/withdraw.html", {"form": form, "record": record})
