"""The consent PDF and the clinician's confirmation addendum: their content, rendered from one template.

Both documents come from templates/consent/pdf/consent.html through portal.pdf.render_pdf (the
static-only URL fetcher). The consent text itself comes from the same partial the signing page
uses, so the PDF shows the text exactly as the signer saw it.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zoneinfo
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from consent.models import ConsentRecord
from intake import questionnaires
from intake.journey.milestones import MILESTONES, SIGNED
from intake.models import FlagLevel, Visit
from intake.screening.rules import describe_flag, flag_facts
from portal.pdf import json_attachment, render_pdf

PDF_TEMPLATE = "consent/pdf/consent.html"
EVIDENCE_NAME = "consent-evidence.json"

# The audit trail's lines: the journey's milestones up to signing, labels translated when the PDF renders.
JOURNEY_EVENTS = [(m.stamp, label) for m in MILESTONES if (label := m.consent_event) is not None]


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def verification_url(record: ConsentRecord) -> str:
    return settings.SITE_URL + reverse("consent_staff:verify-record", args=[record.pk])


def qr_png_data_url(text: str) -> str:
    import qrcode

    image = qrcode.make(text, box_size=4, border=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def png_data_url(png: bytes | memoryview | None) -> str:
    if not png:
        return ""
    return "data:image/png;base64," + base64.b64encode(bytes(png)).decode("ascii")


def zone_for(name: str):
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_default_timezone()


def format_time(moment: datetime | None, signer_zone: str = "") -> str:
    """One rule for every time on consent documents and pages: clinic time, with the signer's zone beside.

    "2026-03-02 10:15:00 CET (UTC+0100) clinic time · 04:15 America/New_York for the signer". The
    signer's part is left out when their zone is the clinic's (or unknown).
    """
    if moment is None:
        return ""
    clinic_zone = timezone.get_default_timezone()
    local = moment.astimezone(clinic_zone)
    text = f"{local:%Y-%m-%d %H:%M:%S} {local.tzname()} (UTC{local:%z}) " + gettext("clinic time")
    if signer_zone and signer_zone != settings.TIME_ZONE:
        theirs = moment.astimezone(zone_for(signer_zone))
        day = f"{theirs:%Y-%m-%d} " if theirs.date() != local.date() else ""
        text += " · " + gettext("%(time)s %(zone)s for the signer") % {
            "time": f"{day}{theirs:%H:%M}",
            "zone": signer_zone,
        }
    return text


def _flag_texts(screening, language: str | None):
    """A function (stored flag -> its title, answer and rule in `language`), or None to keep stored texts.

    The texts are re-described from the screening's own questionnaire version, answers and scores;
    the stored code and level stay the truth.
    """
    if not language or not screening.questionnaire_version:
        return None
    try:
        definition = questionnaires.load("screening", screening.questionnaire_version)
    except FileNotFoundError:
        return None
    visit = screening.visit
    facts = flag_facts(visit, visit.patient)
    answers, scores = screening.answers or {}, screening.scores or {}

    def describe(flag: dict) -> dict | None:
        try:
            return describe_flag(definition, str(flag.get("code", "")), answers, scores, facts, language)
        except (KeyError, TypeError, ValueError):
            return None  # a code this version does not know, or an answer it cannot read: keep the stored texts

    return describe


def screening_flags(visit: Visit, language: str | None = None) -> list[dict]:
    """The screening's flags, highest level first, with the level's label; [] when there is no screening.

    With a language, each flag's title, answer and rule are given in that language (the stored texts
    are in the clinic's language); without one, the stored texts are shown.
    """
    try:
        screening = visit.screening
    except Visit.screening.RelatedObjectDoesNotExist:
        return []
    describe = _flag_texts(screening, language)
    flags: list[dict[str, Any]] = []
    for flag in screening.flags or []:
        try:
            level = FlagLevel(int(flag.get("level", 0)))
        except (TypeError, ValueError):
            level = FlagLevel.NONE
        texts = (describe(flag) if describe else None) or flag
        flags.append(
            {
                "level": int(level),
                "level_label": str(level.label),
                "title": str(texts.get("title", "")),
                "answer": str(texts.get("answer", "")),
                "rule": str(texts.get("rule", "")),
            }
        )
    flags.sort(key=lambda flag: -flag["level"])
    return flags


def understanding_summary(visit: Visit) -> dict | None:
    try:
        result = visit.understanding
    except Visit.understanding.RelatedObjectDoesNotExist:
        return None
    return {"attempts": result.attempts, "first_try_wrong": len(result.first_try_wrong), "passed": result.passed_at}


def consent_context(record: ConsentRecord) -> dict:
    visit = record.visit
    patient = visit.patient
    version = record.consent_version
    zone_name = record.signed_time_zone
    # The PDF is this record's: its own signing time, even if the visit was signed again later.
    moments = [
        (at, label)
        for stamp, label in JOURNEY_EVENTS
        if (at := record.signed_at if stamp == SIGNED else getattr(visit, stamp))
    ]
    moments.sort(key=lambda moment: moment[0])
    events = [{"label": label, "at": format_time(at, zone_name)} for at, label in moments]
    url = verification_url(record)
    return {
        "addendum": False,
        "record": record,
        "version": version,
        "patient": patient,
        "visit": visit,
        "clinician_name": _clinician_name(visit),
        "visit_time": format_time(visit.scheduled_at, zone_name),
        "signed_time": format_time(record.signed_at, zone_name),
        "flags": screening_flags(visit, record.language),
        "understanding": understanding_summary(visit),
        "signature_data_url": png_data_url(record.signature_png),
        "signature_sha256": sha256_hex(bytes(record.signature_png)) if record.signature_png else "",
        "acknowledged_risks": list(record.acknowledgements.get("risks", [])),
        "events": events,
        "verification_url": url,
        "qr_data_url": qr_png_data_url(url),
    }


def _clinician_name(visit: Visit) -> str:
    # Once the session is recorded, the clinician who treated; before that, the one booked.
    record = getattr(visit, "record", None)
    clinician = (record.treated_by if record is not None else None) or visit.clinician
    return str(clinician) if clinician is not None else ""


def _utc(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment else None


def evidence_json(record: ConsentRecord, *, kind: str) -> bytes:
    """The audit evidence behind a document, machine-readable, embedded in the PDF (PDF/A-3 allows it).

    Events, hashes and versions only: no name, date of birth, answers, IP or device (the printed page shows
    what a person needs; this file must not add personal data to it).
    """
    import weasyprint
    from pyhanko.version import __version__ as pyhanko_version

    visit, version = record.visit, record.consent_version
    evidence = {
        "format": "consent-evidence/1",
        "document": kind,
        "consent_record": str(record.pk),
        "consent_version": {
            "id": str(version.pk),
            "key": version.key,
            "version": version.version,
            "language": version.language,
        },
        "consent_text_sha256": record.text_sha256,
        "signature_method": record.signature_method,
        "signature_image_sha256": sha256_hex(bytes(record.signature_png)) if record.signature_png else None,
        "signer_role": record.signer_role,
        "signed_at": _utc(record.signed_at),
        "signer_time_zone": record.signed_time_zone,
        "clinic_time_zone": settings.TIME_ZONE,
        "events": [
            {"step": stamp, "at": _utc(getattr(visit, stamp))}
            for stamp, _label in JOURNEY_EVENTS
            if stamp != SIGNED and getattr(visit, stamp)
        ]
        + [{"step": "signed_at", "at": _utc(record.signed_at)}],
        "software": {"weasyprint": weasyprint.__version__, "pyhanko": pyhanko_version},
    }
    if kind == "confirmation":
        evidence["signed_pdf_sha256"] = record.pdf_sha256
        evidence["confirmed_at"] = _utc(record.confirmed_at)
    return json.dumps(evidence, indent=2, sort_keys=True).encode("utf-8")


def _evidence_attachment(record: ConsentRecord, *, kind: str):
    return json_attachment(EVIDENCE_NAME, evidence_json(record, kind=kind), "Consent audit evidence (JSON)")


def render_consent_pdf(record: ConsentRecord) -> bytes:
    # The whole document in the language the patient signed in, whoever or whatever renders it.
    with translation.override(record.language):
        return render_pdf(
            PDF_TEMPLATE, consent_context(record), attachments=[_evidence_attachment(record, kind="consent")]
        )


def render_confirmation_pdf(record: ConsentRecord) -> bytes:
    # In the signer's language, like the consent it belongs to (its /Lang comes from the same version).
    with translation.override(record.language):
        zone_name = record.signed_time_zone
        url = verification_url(record)
        context = {
            "addendum": True,
            "record": record,
            "version": record.consent_version,
            "patient": record.visit.patient,
            "visit": record.visit,
            "clinician_name": str(record.confirmed_by) if record.confirmed_by else "",
            "confirmed_time": format_time(record.confirmed_at, zone_name),
            "signed_time": format_time(record.signed_at, zone_name),
            "verification_url": url,
            "qr_data_url": qr_png_data_url(url),
        }
        return render_pdf(PDF_TEMPLATE, context, attachments=[_evidence_attachment(record, kind="confirmation")])
