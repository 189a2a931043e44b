"""Writes for consent: signing, the clinician's confirmation, withdrawal. Keyword-only, atomic, audited.

Signing and confirming write a PDF file next to the database row. The row and the file succeed or fail
together: the file is written last inside the transaction, and removed again if anything fails before
the transaction commits, so a failure leaves neither a record nor an orphan file.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from consent import sealing
from consent.documents import render_confirmation_pdf, render_consent_pdf, sha256_hex
from consent.models import ArchiveVersion, ConsentRecord, ConsentVersion
from consent.sealing import Level, SealingError, archive_facts, seal_pdf
from intake.models import AccessLink, Visit
from messaging.models import Channel
from messaging.render import register_context
from messaging.services import queue_message
from portal import audit
from portal.models import User
from portal.pdf import download_name

logger = logging.getLogger(__name__)

CONSENT_KEY = "dry-needling"
SIGNED_COPY_TEMPLATE = "consent-signed"


class SigningError(Exception):
    """A reason the consent cannot be signed or changed, with a message fit for the person."""

    def __init__(self, message: str = ""):
        super().__init__(message or self.default_message())

    def default_message(self) -> str:
        return _("The consent could not be signed.")

    @property
    def message(self) -> str:
        return str(self)


class NotReadyToSign(SigningError):
    def default_message(self) -> str:
        return _("Please finish the understanding check before you sign.")


class VersionNotActive(SigningError):
    def default_message(self) -> str:
        return _("The consent text has just been updated. Please read the new version and sign it.")


class AlreadySigned(SigningError):
    def __init__(self, record: ConsentRecord):
        self.record = record
        super().__init__(_("You have already signed this consent."))


class AlreadyConfirmed(SigningError):
    def default_message(self) -> str:
        return _("This consent has already been confirmed.")


class AlreadyWithdrawn(SigningError):
    def default_message(self) -> str:
        return _("This consent has already been withdrawn.")


class DocumentFailed(SigningError):
    """Rendering, sealing or storing the PDF failed; nothing was saved and the person can try again."""

    def default_message(self) -> str:
        return _("Something went wrong while making your consent document. Nothing was saved. Please try again.")


# ---------------------------------------------------------------------------------------------- reads


def active_version_for(language: str, key: str = CONSENT_KEY) -> ConsentVersion | None:
    """The active consent text in the language, falling back to English."""
    versions = ConsentVersion.objects.filter(key=key, is_active=True)
    return versions.filter(language=language).first() or versions.filter(language="en").first()


def current_record(visit: Visit) -> ConsentRecord | None:
    return ConsentRecord.objects.active().filter(visit=visit).select_related("consent_version").first()


def is_stale(record: ConsentRecord, visit: Visit) -> bool:
    """A newer active version makes a signed consent stale for a visit that has not happened yet."""
    if record.withdrawn_at is not None or visit.visited_at is not None:
        return False
    return record.consent_version.newer_active() is not None


def version_to_sign(visit: Visit) -> ConsentVersion | None:
    return active_version_for(visit.language)


# --------------------------------------------------------------------------------------------- writes


@contextmanager
def _stored_files() -> Iterator[list[str]]:
    """Collect names of files written inside a transaction; delete them if the block fails."""
    written: list[str] = []
    try:
        yield written
    except BaseException:
        for name in written:
            try:
                default_storage.delete(name)
            except Exception:  # cleanup must not hide the original error
                logger.exception("could not remove a consent file after a failed transaction")
        raise


def _store(name: str, content: bytes, written: list[str]) -> None:
    saved = default_storage.save(name, ContentFile(content))
    written.append(saved)
    if saved != name:
        raise DocumentFailed()


def sign_consent(
    *,
    visit: Visit,
    version: ConsentVersion,
    signer_name: str,
    signer_role: str = ConsentRecord.SignerRole.PATIENT,
    guardian_relationship: str = "",
    signature_png: bytes | None,
    acknowledgements: dict,
    time_zone: str,
    ip: str | None = None,
    user_agent: str = "",
    request: HttpRequest | None = None,
    access_link: AccessLink | None = None,
    when: datetime | None = None,
    send_email: bool = True,
) -> ConsentRecord:
    """Create the immutable consent record and its sealed PDF in one transaction.

    Two concurrent calls for one visit produce one record: the visit row is locked first, and the
    partial unique constraint (one non-withdrawn record per visit) is the backstop. Calls for different
    visits do not wait for each other: the shared version row is locked only after the render.
    """
    with _stored_files() as written:
        try:
            with transaction.atomic():
                record = _sign_locked(
                    visit=visit,
                    version=version,
                    signer_name=signer_name,
                    signer_role=signer_role,
                    guardian_relationship=guardian_relationship,
                    signature_png=signature_png,
                    acknowledgements=acknowledgements,
                    time_zone=time_zone,
                    ip=ip,
                    user_agent=user_agent,
                    request=request,
                    access_link=access_link,
                    when=when,
                    written=written,
                )
                if send_email:
                    queue_signed_copy(record=record)
        except IntegrityError as exc:
            existing = current_record(visit)
            if existing is not None:
                raise AlreadySigned(existing) from exc
            raise
    return record


def _sign_locked(*, visit: Visit, version: ConsentVersion, written: list[str], when, request, access_link, **fields):
    locked_visit = Visit.objects.select_for_update().get(pk=visit.pk)
    if not locked_visit.ready_to_sign:
        raise NotReadyToSign()
    # Read, not locked: every patient signs the same text, and a lock held through the half-second render
    # made all signings of the clinic wait in one line. It is locked and checked again once the document
    # exists (_lock_unchanged_version), which still keeps an edit of the text out until this commits.
    version = ConsentVersion.objects.get(pk=version.pk)
    if not version.is_active:
        raise VersionNotActive()
    now = when or timezone.now()

    previous = current_record(locked_visit)
    if previous is not None:
        if previous.consent_version_id == version.pk or not is_stale(previous, locked_visit):
            raise AlreadySigned(previous)
        # Re-consent: the new signature replaces the one given on an older text.
        previous.withdrawn_at = now
        previous.withdrawn_reason = f"Replaced by a new signature on consent version {version.version}."
        previous.save(update_fields=["withdrawn_at", "withdrawn_reason"])
        audit.record(
            "consent.superseded",
            request=request,
            access_link=access_link,
            obj=previous,
            patient=locked_visit.patient,
            details={"new_version": version.version},
        )

    record = ConsentRecord(
        visit=locked_visit,
        consent_version=version,
        language=version.language,
        text_sha256=version.text_sha256(),
        signer_name=fields["signer_name"].strip(),
        signer_role=fields["signer_role"],
        guardian_relationship=fields["guardian_relationship"].strip(),
        signature_method=(
            ConsentRecord.SignatureMethod.DRAWN if fields["signature_png"] else ConsentRecord.SignatureMethod.TYPED
        ),
        signature_png=fields["signature_png"] or None,
        acknowledgements=fields["acknowledgements"],
        signed_at=now,
        signed_time_zone=fields["time_zone"] or settings.TIME_ZONE,
        ip=fields["ip"],
        user_agent=(fields["user_agent"] or "")[:300],
    )
    try:
        pdf = seal_pdf(render_consent_pdf(record), reason="Consent signed by the patient")
    except Exception as exc:
        logger.exception("consent PDF could not be rendered or sealed")
        raise DocumentFailed() from exc
    locked_version = _lock_unchanged_version(version)
    name = f"consents/{record.visit_id}/{record.pk}.pdf"
    record.pdf.name = name
    record.pdf_sha256 = sha256_hex(pdf)
    record.save(force_insert=True)
    _archive_sealed(record, ArchiveVersion.Document.CONSENT, name, pdf, now)
    if locked_version.first_signed_at is None:
        ConsentVersion.objects.filter(pk=locked_version.pk, first_signed_at__isnull=True).update(first_signed_at=now)

    if previous is not None:
        locked_visit.signed_at = now
        locked_visit.confirmed_at = None
        locked_visit.save(update_fields=["signed_at", "confirmed_at"])
    else:
        locked_visit.mark("signed_at", now)
    audit.record(
        "consent.signed",
        request=request,
        access_link=access_link,
        obj=record,
        patient=locked_visit.patient,
        details={
            "version": locked_version.version,
            "signer_role": record.signer_role,
            "method": record.signature_method,
            "reconsent": previous is not None,
        },
    )
    try:
        _store(name, pdf, written)
    except Exception as exc:
        logger.exception("consent PDF could not be stored")
        raise DocumentFailed() from exc
    return record


def _lock_unchanged_version(version: ConsentVersion) -> ConsentVersion:
    """Lock the version just signed, refusing it if it was switched off or its content edited meanwhile."""
    locked = ConsentVersion.objects.select_for_update().get(pk=version.pk)
    if not locked.is_active or locked.changed_content(version):
        raise VersionNotActive()
    return locked


def confirm_consent(
    *, record: ConsentRecord, clinician: User, request: HttpRequest | None = None, when: datetime | None = None
) -> ConsentRecord:
    """The clinician confirms they discussed the consent; a sealed addendum records it.

    The patient-signed PDF is never touched: the addendum is a separate sealed file with its own hash.
    """
    with _stored_files() as written, transaction.atomic():
        locked = ConsentRecord.objects.select_for_update().select_related("visit__patient").get(pk=record.pk)
        if locked.withdrawn_at is not None:
            raise AlreadyWithdrawn()
        if locked.confirmed_at is not None:
            raise AlreadyConfirmed()
        locked.confirmed_at = when or timezone.now()
        locked.confirmed_by = clinician
        try:
            pdf = seal_pdf(render_confirmation_pdf(locked), reason="Consent discussion confirmed by the clinician")
        except Exception as exc:
            logger.exception("confirmation addendum could not be rendered or sealed")
            raise DocumentFailed() from exc
        name = f"consents/{locked.visit_id}/{locked.pk}-confirmation.pdf"
        locked.confirmation_pdf.name = name
        locked.confirmation_sha256 = sha256_hex(pdf)
        locked.save(update_fields=["confirmed_at", "confirmed_by", "confirmation_pdf", "confirmation_sha256"])
        _archive_sealed(locked, ArchiveVersion.Document.CONFIRMATION, name, pdf, locked.confirmed_at)
        locked.visit.mark("confirmed_at", locked.confirmed_at)
        audit.record("consent.confirmed", request=request, actor=clinician, obj=locked, patient=locked.visit.patient)
        try:
            _store(name, pdf, written)
        except Exception as exc:
            logger.exception("confirmation addendum could not be stored")
            raise DocumentFailed() from exc
    return locked


@transaction.atomic
def withdraw_consent(
    *,
    record: ConsentRecord,
    reason: str,
    by: User | None = None,
    request: HttpRequest | None = None,
    access_link: AccessLink | None = None,
) -> ConsentRecord:
    """Mark the consent withdrawn (by the patient, or staff on their behalf). The record stays."""
    locked = ConsentRecord.objects.select_for_update().select_related("visit__patient").get(pk=record.pk)
    if locked.withdrawn_at is not None:
        raise AlreadyWithdrawn()
    locked.withdrawn_at = timezone.now()
    locked.withdrawn_by = by
    locked.withdrawn_reason = (reason or "").strip()[:1000]
    locked.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason"])
    # The visit no longer has a signed consent: its progress steps back so the board shows it, and
    # the patient may sign again later if they change their mind.
    visit = Visit.objects.select_for_update().get(pk=locked.visit_id)
    if visit.signed_at or visit.confirmed_at:
        visit.signed_at = None
        visit.confirmed_at = None
        visit.save(update_fields=["signed_at", "confirmed_at"])
    audit.record(
        "consent.withdrawn",
        request=request,
        actor=by,
        access_link=access_link,
        obj=locked,
        patient=locked.visit.patient,
        details={"by": "staff" if by is not None else "patient", "reason_given": bool(locked.withdrawn_reason)},
    )
    return locked


# ------------------------------------------------------------------------------------ long-term seals


def _archive_sealed(record: ConsentRecord, document: str, name: str, pdf: bytes, when: datetime) -> None:
    """Record the file as sealed (its level and timestamp); queue a timestamp when the TSA was down."""
    facts = archive_facts(pdf)
    ArchiveVersion.objects.create(
        record=record,
        document=document,
        step=ArchiveVersion.Step.SEALED,
        pdf=name,
        pdf_sha256=sha256_hex(pdf),
        level=facts.level,
        timestamp_at=facts.timestamp_at,
        tsa_valid_until=facts.tsa_valid_until,
        made_at=when,
    )
    if facts.level == Level.B_B and sealing.tsa_configured():
        from consent.tasks import timestamp_consent

        transaction.on_commit(lambda: timestamp_consent.enqueue(str(record.pk)), robust=True)


def newest_versions(record: ConsentRecord) -> dict[str, ArchiveVersion]:
    """The newest stored copy of each of the record's documents ("consent", "confirmation")."""
    return record.archive_versions.newest_by_document()


def archive_status(record: ConsentRecord) -> list[dict]:
    """For the staff page: each document's PAdES level, newest timestamp, and whether one is pending."""
    configured = sealing.tsa_configured()
    labels = dict(ArchiveVersion.Document.choices)
    return [
        {
            "label": labels[document],
            "level": version.level,
            "timestamp_at": version.timestamp_at,
            "pending": version.level == Level.B_B and configured,
            "step": version.get_step_display(),
        }
        for document, version in newest_versions(record).items()
    ]


def _add_timestamp(*, record_id, document: str, step: str, needs) -> ArchiveVersion | None:
    """Lock the record, and when its newest copy of `document` still `needs(version)`, store a copy with
    one more document timestamp (an incremental update of the newest copy). None when nothing was due."""
    with _stored_files() as written, transaction.atomic():
        record = ConsentRecord.objects.select_for_update().select_related("visit__patient").get(pk=record_id)
        version = newest_versions(record).get(document)
        if version is None or not needs(version):
            return None
        with version.pdf.open("rb") as handle:
            previous = handle.read()
        if sha256_hex(previous) != version.pdf_sha256:
            raise SealingError("the stored copy does not match its SHA-256; run check_integrity")
        pdf = sealing.add_document_timestamp(previous)
        facts = archive_facts(pdf)
        count = record.archive_versions.filter(document=document).count()
        suffix = "" if document == ArchiveVersion.Document.CONSENT else "-confirmation"
        name = f"consents/{record.visit_id}/{record.pk}{suffix}-v{count + 1}.pdf"
        new = ArchiveVersion.objects.create(
            record=record,
            document=document,
            step=step,
            pdf=name,
            pdf_sha256=sha256_hex(pdf),
            level=facts.level,
            timestamp_at=facts.timestamp_at,
            tsa_valid_until=facts.tsa_valid_until,
            made_at=timezone.now(),
        )
        audit.record(
            "consent.timestamped" if step == ArchiveVersion.Step.TIMESTAMPED else "consent.timestamp_renewed",
            obj=record,
            patient=record.visit.patient,
            details={"document": document, "level": facts.level, "previous_level": version.level},
        )
        _store(name, pdf, written)
    return new


def timestamp_pending(*, record_ids: Iterable | None = None) -> int:
    """Add the missing timestamp to seals made while the TSA was unreachable (B-B, pending).

    Safe to run again and again (a schedule, or the task queued at signing): records already
    timestamped are skipped; a TSA still down leaves them pending. Returns how many files were done.
    """
    if not sealing.tsa_configured():
        return 0
    pending = ArchiveVersion.objects.filter(level=Level.B_B)
    if record_ids is not None:
        pending = pending.filter(record_id__in=list(record_ids))
    done = 0
    for record_id, document in sorted(set(pending.values_list("record_id", "document"))):
        try:
            added = _add_timestamp(
                record_id=record_id,
                document=document,
                step=ArchiveVersion.Step.TIMESTAMPED,
                needs=lambda version: version.level == Level.B_B,
            )
        except SealingError as exc:
            logger.warning("a consent timestamp is still pending (%s)", exc)
            continue
        done += added is not None
    return done


@dataclass
class RenewalReport:
    due: int = 0
    renewed: int = 0
    failed: int = 0
    skipped_reason: str = ""
    levels: list[str] = field(default_factory=list)


def renew_archive_timestamps(*, days: int | None = None, now: datetime | None = None) -> RenewalReport:
    """Add a document timestamp (B-LTA) to every newest copy whose newest timestamp's TSA certificate
    expires within `days` (CONSENT_TIMESTAMP_RENEW_DAYS). Idempotent: a renewed copy's timestamp comes
    from a TSA certificate that lives longer, so it is not due again; and when the TSA's current
    certificate would itself expire within the window, nothing is renewed (it would not help)."""
    days = settings.CONSENT_TIMESTAMP_RENEW_DAYS if days is None else days
    horizon = (now or timezone.now()) + timedelta(days=days)
    report = RenewalReport()
    due = [
        version
        for record in ConsentRecord.objects.filter(archive_versions__tsa_valid_until__lt=horizon)
        .distinct()
        .prefetch_related("archive_versions")
        for version in newest_versions(record).values()
        if version.tsa_valid_until is not None and version.tsa_valid_until < horizon
    ]
    report.due = len(due)
    if not due:
        return report
    if not sealing.tsa_configured():
        report.skipped_reason = "no timestamp authority is configured (CONSENT_TSA_URL)"
        return report
    current_until = sealing.tsa_certificate_valid_until()
    if current_until is None:
        report.skipped_reason = "the timestamp authority could not be reached"
        return report
    if current_until < horizon:
        report.skipped_reason = (
            f"the timestamp authority's own certificate expires {current_until:%Y-%m-%d}, inside the window"
        )
        return report
    for version in due:
        try:
            added = _add_timestamp(
                record_id=version.record_id,
                document=version.document,
                step=ArchiveVersion.Step.RENEWED,
                needs=lambda newest: newest.tsa_valid_until is not None and newest.tsa_valid_until < horizon,
            )
        except SealingError as exc:
            logger.warning("an archive timestamp could not be renewed (%s)", exc)
            report.failed += 1
            continue
        if added is not None:
            report.renewed += 1
            report.levels.append(added.level)
    return report


# ---------------------------------------------------------------------------------------------- email


def queue_signed_copy(*, record: ConsentRecord) -> bool:
    """Queue the patient's signed PDF by email, when an address is on file. The message is sent by the
    task worker after the signing commits, so signing never waits for the mail server."""
    patient = record.visit.patient
    if not patient.email:
        return False
    queue_message(
        channel=Channel.EMAIL,
        to=patient.email,
        template=SIGNED_COPY_TEMPLATE,
        context={"record": str(record.pk)},
        language=record.visit.language,
        patient=patient,
        visit=record.visit,
        idempotency_key=f"consent-signed:{record.pk}",
    )
    audit.record("consent.copy_queued", obj=record, patient=patient)
    return True


def _signed_copy_context(message) -> dict:
    record = ConsentRecord.objects.select_related("visit__patient", "consent_version").get(pk=message.context["record"])
    with record.pdf.open("rb") as handle:
        pdf = handle.read()
    name = download_name("consent", timezone.localdate(record.signed_at))
    return {"patient": record.visit.patient, "record": record, "attachments": [(name, pdf, "application/pdf")]}


register_context(SIGNED_COPY_TEMPLATE, _signed_copy_context, label="Signed consent copy")
