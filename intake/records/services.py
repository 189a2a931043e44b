"""Writes on a patient's whole record: the legal hold, and destruction when retention is due (docs/records.md)."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from intake.models import Patient
from intake.records.copies import keepers
from intake.records.retention import Due, due_for_destruction
from portal import audit
from portal.erasure import retention_erasure
from portal.models import AuditEvent, User


class LegalHoldError(Exception):
    """The hold cannot change that way (already on hold, or not on hold)."""


@transaction.atomic
def set_legal_hold(*, patient: Patient, reason: str, by: User, request: HttpRequest | None = None) -> None:
    locked = Patient.objects.select_for_update().get(pk=patient.pk)
    if locked.on_legal_hold:
        raise LegalHoldError("This record is already on legal hold.")
    locked.legal_hold_since = timezone.now()
    locked.legal_hold_reason = reason
    locked.legal_hold_by = by
    locked.save(update_fields=["legal_hold_since", "legal_hold_reason", "legal_hold_by"])
    audit.record(
        "patient.legal_hold_set",
        request=request,
        actor=by,
        obj=locked,
        patient=locked,
        details={"fields": ["legal_hold_reason"]},
    )
    patient.refresh_from_db()


@transaction.atomic
def release_legal_hold(*, patient: Patient, by: User, request: HttpRequest | None = None) -> None:
    locked = Patient.objects.select_for_update().get(pk=patient.pk)
    if not locked.on_legal_hold:
        raise LegalHoldError("This record is not on legal hold.")
    locked.legal_hold_since = None
    locked.legal_hold_reason = ""
    locked.legal_hold_by = None
    locked.save(update_fields=["legal_hold_since", "legal_hold_reason", "legal_hold_by"])
    audit.record("patient.legal_hold_released", request=request, actor=by, obj=locked, patient=locked)
    patient.refresh_from_db()


@dataclass
class Destroyed:
    """What one erasure removed, by kind: counts only, no personal data."""

    rows: Counter = field(default_factory=Counter)
    files: list[str] = field(default_factory=list)
    scrubbed_events: int = 0


def _scrub(events: models.QuerySet) -> int:
    """Keep who did what and when; lose the patient, the link, the object id, the address and the details."""
    return AuditEvent.objects.filter(pk__in=list(events.values_list("pk", flat=True))).update(
        patient=None,
        access_link=None,
        object_id="",
        ip=None,
        user_agent="",
        details={"erased_by_retention": True},
    )


def _erase(queryset: models.QuerySet, tally: Destroyed) -> None:
    """Remove these rows and everything that points at them, children first, and note their files.

    Walks the reverse foreign keys generically, so a model added later that points at a visit or a
    patient is destroyed with it (intake does not import consent or api, yet their rows go too).
    Audit events are not removed: they lose the patient, the link, the object id, the address and
    their details, and keep who did what and when.
    """
    model = queryset.model
    # Hidden reverse relations too (related_name="+"): a message log row still points at the visit.
    reverse = [f for f in model._meta.get_fields(include_hidden=True) if f.auto_created and not f.concrete]
    for relation in reverse:
        if relation.many_to_many:
            continue
        related = relation.related_model
        # The default manager, so each model's own delete guard is asked (and lets retention through).
        children = related._default_manager.filter(**{f"{relation.field.name}__in": queryset})
        if related is AuditEvent:
            tally.scrubbed_events += _scrub(children)
            continue
        _erase(children, tally)
    # Events that name one of these rows by id without the patient link (a visit's language change
    # through the link) would tie the id back to the destroyed record: scrubbed the same way.
    ids = [str(pk) for pk in queryset.values_list("pk", flat=True)]
    if ids:
        tally.scrubbed_events += _scrub(
            AuditEvent.objects.filter(object_type=model._meta.model_name or "", object_id__in=ids)
        )
    file_fields = [f.attname for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
    if file_fields:
        for names in queryset.values_list(*file_fields):
            tally.files.extend(name for name in names if name)
    _count, by_model = queryset.delete()
    tally.rows.update({label.lower(): n for label, n in by_model.items() if n})


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)  # a file already gone is not an error


@transaction.atomic
def destroy_patient_record(*, due: Due) -> AuditEvent:
    """Destroy one patient's whole record under retention and leave a tombstone (an audit event).

    The tombstone says what kind of record went, when, under which rule and how much: never the name,
    the date of birth or the patient's id (the id is in backups and exports, so it could be linked back).
    Files leave storage once the rows are gone for good (after commit): a rollback loses no file.
    """
    patient = Patient.objects.select_for_update().get(pk=due.patient.pk)
    if patient.on_legal_hold:
        raise LegalHoldError("This record is on legal hold.")
    tally = Destroyed()
    # Copies other apps keep without a foreign key (import rows, API replies) go first, while the
    # visits that identify them still exist (intake/records/copies.py).
    copies: Counter = Counter()
    visit_ids = list(patient.visits.values_list("pk", flat=True))
    for keeper in keepers():
        copies.update(keeper.forget(patient, visit_ids))
    with retention_erasure():
        _erase(Patient.objects.filter(pk=patient.pk), tally)
    files = sorted(set(tally.files))  # an archived copy may share its file with the record
    transaction.on_commit(lambda: _delete_files(files))
    return audit.record(
        "retention.record_destroyed",
        details={
            "kind": "patient_record",
            "rule": due.rule,
            "adult_years": settings.RETENTION_ADULT_YEARS,
            "minor_until_age": settings.RETENTION_MINOR_UNTIL_AGE,
            "rows": dict(sorted(tally.rows.items())),
            "files": len(files),
            "audit_events_scrubbed": tally.scrubbed_events,
            "copies_cleared": {kind: n for kind, n in sorted(copies.items()) if n},
        },
    )


@dataclass
class RetentionRun:
    """What one run found: the records due, and the copies past their own keeping time (counts by kind)."""

    due: list[Due]
    expired_copies: dict[str, int]


def apply_retention(
    *, dry_run: bool, today: datetime.date | None = None, now: datetime.datetime | None = None
) -> RetentionRun:
    """Clear the copies past their keeping time, then destroy every record past its retention date (one
    transaction each). The dry run lists both and changes nothing."""
    now = now or timezone.now()
    expired: Counter = Counter()
    for keeper in keepers():
        if dry_run:
            expired.update(keeper.expired(now))
        else:
            with transaction.atomic():
                expired.update(keeper.clear_expired(now))
    due = due_for_destruction(today=today)
    if not dry_run:
        for item in due:
            destroy_patient_record(due=item)
    return RetentionRun(due=due, expired_copies=dict(sorted(expired.items())))
