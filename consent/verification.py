"""Is this file one of our consent PDFs, unchanged? Used by verify_consent, the staff page and check_integrity."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.db.models import Q

from consent.documents import sha256_hex
from consent.models import ArchiveVersion, ConsentRecord
from consent.sealing import Level, SealCheck, check_seal


@dataclass(frozen=True)
class Verification:
    valid: bool
    reason: str
    sha256: str
    record: ConsentRecord | None = None
    kind: str = ""  # "consent" (the patient-signed PDF) or "confirmation" (the clinician's addendum)
    seal: SealCheck | None = None
    newest: ArchiveVersion | None = None  # the newest stored copy of this document, when newer than this file

    @property
    def long_term(self) -> str:
        """The PAdES level reached, the proven time and the chain's validity then, in one phrase."""
        seal = self.seal
        if seal is None:
            return ""
        if seal.level == Level.B_B or seal.timestamp_at is None:
            text = f"PAdES {seal.level}, no timestamp (the seal's own time only)"
        else:
            then = "valid" if seal.chain_valid_then else "not shown valid by the data in the file"
            text = f"PAdES {seal.level}, timestamp {seal.timestamp_at:%Y-%m-%d %H:%M:%S} UTC, chain {then} then"
        if self.newest is not None:
            text += f"; a newer archival copy is stored ({self.newest.level})"
        return text

    def summary(self) -> str:
        if not self.valid:
            return f"invalid: {self.reason}"
        record, seal = self.record, self.seal
        if record is None or seal is None:  # a valid result always names its record and seal
            raise ValueError("A valid verification needs its record and seal.")
        what = "signed consent" if self.kind == "consent" else "clinician confirmation addendum"
        state = record.status
        return (
            f"valid {what} for consent record {record.pk} (version {record.consent_version.version}, "
            f"signed {record.signed_at:%Y-%m-%d %H:%M} UTC, {state}); sha256 {self.sha256}; "
            f"seal intact, by {seal.signer}; {self.long_term}"
        )


def verify_pdf_bytes(data: bytes) -> Verification:
    """Byte-identical to a stored consent or addendum PDF, and its clinic seal verifies."""
    digest = sha256_hex(data)
    records = ConsentRecord.objects.select_related("consent_version", "visit__patient", "confirmed_by")
    copy = ArchiveVersion.objects.filter(pdf_sha256=digest).first()
    if copy is not None:
        record = records.filter(pk=copy.record_id).first()
    else:
        record = records.filter(Q(pdf_sha256=digest) | Q(confirmation_sha256=digest)).first()
    if record is None:
        return Verification(
            valid=False,
            sha256=digest,
            reason="no stored consent PDF has this SHA-256 (the file was changed, or is not from this portal)",
        )
    kind = copy.document if copy is not None else ("consent" if record.pdf_sha256 == digest else "confirmation")
    newest = record.archive_versions.filter(document=kind).order_by("-made_at", "-pk").first()
    if newest is not None and newest.pdf_sha256 == digest:
        newest = None
    seal = check_seal(data)
    if not seal.ok:
        return Verification(
            valid=False,
            sha256=digest,
            record=record,
            kind=kind,
            seal=seal,
            reason=f"the file matches a stored record but its seal does not verify: {seal.reason}",
        )
    return Verification(valid=True, sha256=digest, record=record, kind=kind, seal=seal, reason="", newest=newest)


@dataclass(frozen=True)
class IntegrityProblem:
    record_id: str
    file_name: str
    problem: str


def stored_files(record: ConsentRecord) -> list[tuple[str, str]]:
    """Every file of the record with its expected SHA-256: the originals and each later archival copy."""
    files = [(record.pdf.name or "", record.pdf_sha256)]
    if record.confirmation_pdf.name:
        files.append((record.confirmation_pdf.name, record.confirmation_sha256))
    known = {name for name, _digest in files}
    files += [
        (name, digest) for name, digest in record.archive_versions.values_list("pdf", "pdf_sha256") if name not in known
    ]
    return files


def integrity_problems(records=None) -> Iterator[tuple[ConsentRecord, IntegrityProblem | None]]:
    """Re-hash every stored consent PDF against its record. Yields (record, problem or None) per file."""
    records = records if records is not None else ConsentRecord.objects.order_by("signed_at", "pk")
    for record in records.iterator(chunk_size=200):
        for name, expected in stored_files(record):
            try:
                with default_storage.open(name, "rb") as handle:
                    actual = sha256_hex(handle.read())
            except (FileNotFoundError, OSError):
                yield record, IntegrityProblem(str(record.pk), name, "file is missing")
                continue
            if actual != expected:
                yield record, IntegrityProblem(str(record.pk), name, "SHA-256 does not match the record")
            else:
                yield record, None


def _walk(folder: str) -> Iterator[str]:
    try:
        folders, files = default_storage.listdir(folder)
    except (FileNotFoundError, NotImplementedError, OSError):
        return
    for name in files:
        yield f"{folder}/{name}"
    for sub in folders:
        yield from _walk(f"{folder}/{sub}")


def orphan_files() -> list[str]:
    """Stored consent files that no record points to (left by a crash between storing and committing)."""
    known = set(ConsentRecord.objects.values_list("pdf", flat=True))
    known |= set(ConsentRecord.objects.exclude(confirmation_pdf="").values_list("confirmation_pdf", flat=True))
    known |= set(ArchiveVersion.objects.values_list("pdf", flat=True))
    return sorted(name for name in _walk("consents") if name not in known)
