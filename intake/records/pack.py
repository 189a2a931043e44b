"""The patient access pack: one zip with everything the portal holds about a patient, readable.

Every consent and addendum PDF as stored (sealed, byte for byte) and, where a timestamp was added later, the
newest archival copy of each (B-LT or B-LTA: the same document with longer-lived evidence appended), the FHIR
bundle (intake/exports/fhir.py),
the aftercare sheet of every treated visit, and the access report as a PDF, in the patient's language.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field

from django.utils import timezone, translation

from intake.aftercare.sheet import sheet_pdf
from intake.exports.fhir import patient_bundle
from intake.models import Patient
from intake.records.access_report import access_rows, events_about
from portal.pdf import render_pdf


@dataclass
class Pack:
    data: bytes
    counts: dict[str, int] = field(default_factory=dict)


def _visits(patient: Patient) -> list:
    return list(
        patient.visits.select_related("record").prefetch_related("consents", "checkins").order_by("scheduled_at")
    )


def _read(fieldfile) -> bytes:
    with fieldfile.open("rb") as handle:
        return handle.read()


def build_access_pack(*, patient: Patient) -> Pack:
    """The zip's bytes and how many of each kind it holds (counts only, for the audit event)."""
    counts = {"consents": 0, "addenda": 0, "archival_copies": 0, "aftercare_sheets": 0, "access_events": 0}
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        translation.override(patient.preferred_language),
    ):
        for order, visit in enumerate(_visits(patient), start=1):
            # Numbered, as two visits may fall on one day.
            folder = f"visits/{order:02d}-{timezone.localtime(visit.scheduled_at):%Y-%m-%d}"
            for number, record in enumerate(visit.consents.all(), start=1):
                stem = f"{folder}/consent-{number}"
                archive.writestr(f"{stem}.pdf", _read(record.pdf))
                counts["consents"] += 1
                if record.confirmation_pdf:
                    archive.writestr(f"{stem}-clinician-addendum.pdf", _read(record.confirmation_pdf))
                    counts["addenda"] += 1
                # The newest archival copy, when it is not the file above (consent's ArchiveVersion rows).
                newest = record.archive_versions.newest_by_document()
                for document, given_sha256, name in (
                    ("consent", record.pdf_sha256, f"{stem}-archival.pdf"),
                    ("confirmation", record.confirmation_sha256, f"{stem}-clinician-addendum-archival.pdf"),
                ):
                    copy = newest.get(document)
                    if copy is not None and copy.pdf_sha256 != given_sha256:
                        archive.writestr(name, _read(copy.pdf))
                        counts["archival_copies"] += 1
            record = getattr(visit, "record", None)
            if record is not None:
                archive.writestr(f"{folder}/aftercare.pdf", sheet_pdf(visit=visit, record=record, patient=patient))
                counts["aftercare_sheets"] += 1
        archive.writestr("record.fhir.json", json.dumps(patient_bundle(patient), ensure_ascii=False, indent=1).encode())
        rows = access_rows(events_about(patient))
        counts["access_events"] = len(rows)
        archive.writestr(
            "access-report.pdf",
            render_pdf(
                "intake/records/access_report_pdf.html",
                {"patient": patient, "rows": rows, "made_at": timezone.localtime()},
            ),
        )
    return Pack(data=buffer.getvalue(), counts=counts)
