"""Consent across a course of care: which signed consent covers a follow-up, and when it must be signed again.

`reconsent_reasons(visit)` is the one place the rules live; the patient's consent step and the clinician's
review page both show its reasons. A re-consent is a new record on the follow-up visit; the earlier one is
kept as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from consent.models import ConsentRecord
from intake.models import FlagLevel, ScreeningResponse, Visit, VisitRecord
from intake.regions import CHEST_RISK_REGIONS
from portal import audit


@dataclass(frozen=True)
class Reason:
    code: str
    patient_text: str | Promise  # shown to the patient, in their language
    staff_text: str  # shown to the clinician (names flags and dates, never answers)


def course_record(visit: Visit) -> ConsentRecord | None:
    """The latest consent signed in the visit's course (withdrawn or not): the one a follow-up rests on."""
    return (
        ConsentRecord.objects.filter(visit__course_id=visit.course_id)
        .select_related("consent_version")
        .order_by("-signed_at")
        .first()
    )


def _flag_codes(responses) -> set[str]:
    return {
        flag["code"]
        for response in responses
        for flag in response.flags
        if int(flag.get("level", 0)) >= FlagLevel.REVIEW
    }


def _chest_regions(responses, records) -> set[str]:
    regions = {region for response in responses for region in response.answers.get("pain_regions") or []}
    regions |= {region for record in records for region in record.regions or []}
    return regions & CHEST_RISK_REGIONS


def reconsent_reasons(visit: Visit, record: ConsentRecord | None = None) -> list[Reason]:
    """Why the course's signed consent no longer covers this visit (empty: it still applies).

    No consent signed in the course yet is not a re-consent: the patient signs as at a first visit.
    """
    record = record or course_record(visit)
    if record is None:
        return []
    reasons = []
    signed_at = record.signed_at
    if record.withdrawn_at is not None:
        staff = f"Consent withdrawn on {record.withdrawn_at:%Y-%m-%d}."
        reasons.append(Reason("withdrawn", _("You withdrew your consent."), staff))
    newer = record.consent_version.newer_active()
    if newer is not None:
        reasons.append(
            Reason(
                "new_version",
                _("The consent form has changed since you signed it."),
                f"Consent text version {newer.version} replaced version {record.consent_version.version}.",
            )
        )
    responses = list(
        ScreeningResponse.objects.filter(visit__course_id=visit.course_id, submitted_at__isnull=False).only(
            "flags", "answers", "submitted_at"
        )
    )
    # submitted_at is set on every row read here (filtered above).
    before = [response for response in responses if response.submitted_at and response.submitted_at <= signed_at]
    after = [response for response in responses if response.submitted_at and response.submitted_at > signed_at]
    new_flags = _flag_codes(after) - _flag_codes(before)
    if new_flags:
        titles = sorted({flag["title"] for r in after for flag in r.flags if flag["code"] in new_flags})
        reasons.append(
            Reason(
                "new_flag",
                _("Something in your health has changed since you signed."),
                "New flag since the consent was signed: " + "; ".join(titles) + ".",
            )
        )
    records = list(VisitRecord.objects.filter(visit__course_id=visit.course_id).only("regions", "recorded_at"))
    covered = _chest_regions(before, [r for r in records if r.recorded_at <= signed_at])
    now = _chest_regions(responses, records)
    if now and not covered:
        reasons.append(
            Reason(
                "chest_region",
                _("Your treatment now includes the neck, shoulder, upper back or chest wall."),
                "Planned or treated regions now include a chest-risk region (" + ", ".join(sorted(now)) + ") "
                "that the signed consent did not cover.",
            )
        )
    if signed_at < timezone.now() - timedelta(days=settings.CONSENT_VALID_DAYS):
        reasons.append(
            Reason(
                "expired",
                _("You signed your consent more than %(days)d days ago.") % {"days": settings.CONSENT_VALID_DAYS},
                f"Signed on {signed_at:%Y-%m-%d}, more than {settings.CONSENT_VALID_DAYS} days ago.",
            )
        )
    return reasons


@transaction.atomic
def carry_consent(*, visit: Visit, record: ConsentRecord, request: HttpRequest | None = None) -> None:
    """The follow-up needs no new signature: the patient is told the course's consent still applies."""
    if visit.consent_carried_at is None:
        visit.mark("consent_carried_at")
        audit.record(
            "consent.carried", request=request, obj=visit, patient=visit.patient, details={"record": str(record.pk)}
        )
