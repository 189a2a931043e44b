"""Records leave on schedule and not before: dry run first, legal hold respected, minors kept to the age rule."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from consent.models import ArchiveVersion, ConsentRecord, ImmutableConsentError
from intake.models import AccessLink, Patient, Visit, VisitRecord
from intake.records.retention import ADULT_RULE, MINOR_RULE, due_for_destruction, keep_until
from intake.records.services import LegalHoldError, apply_retention, destroy_patient_record, set_legal_hold
from portal import audit
from portal.models import AuditEvent, ImmutableRowError
from tests.factories import AccessLinkFactory, PatientFactory, VisitFactory, VisitRecordFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def years_later(years: int, days: int = 0) -> datetime.date:
    today = timezone.localdate()
    return today.replace(year=today.year + years) + datetime.timedelta(days=days)


@pytest.fixture
def full_record(signed_record, reception):
    """One patient with a visit, a link, a visit record, a signed and confirmed consent, and audit events."""
    visit = signed_record.visit
    AccessLinkFactory(visit=visit)
    VisitRecordFactory(visit=visit)
    audit.record("patient.viewed", actor=reception, obj=visit.patient, patient=visit.patient, details={"visits": 1})
    return signed_record


# The rule itself.


@override_settings(RETENTION_ADULT_YEARS=8, RETENTION_MINOR_UNTIL_AGE=25)
def test_an_adult_is_kept_eight_years_after_the_last_visit():
    assert keep_until(date_of_birth=D(1980, 5, 1), last_visit=D(2020, 3, 10)) == (D(2028, 3, 10), ADULT_RULE)


@override_settings(RETENTION_ADULT_YEARS=8, RETENTION_MINOR_UNTIL_AGE=25)
def test_a_child_is_kept_until_twenty_five():
    assert keep_until(date_of_birth=D(2010, 6, 1), last_visit=D(2020, 3, 10)) == (D(2035, 6, 1), MINOR_RULE)


@override_settings(RETENTION_ADULT_YEARS=8, RETENTION_MINOR_UNTIL_AGE=25)
def test_a_minor_seen_at_seventeen_keeps_whichever_period_ends_later():
    # 17 at the visit: the 25th birthday comes before 8 years after the visit.
    assert keep_until(date_of_birth=D(2003, 1, 1), last_visit=D(2020, 12, 31)) == (D(2028, 12, 31), ADULT_RULE)


@override_settings(RETENTION_ADULT_YEARS=7)
def test_a_leap_day_visit_rolls_to_the_28th():
    assert keep_until(date_of_birth=D(1970, 1, 1), last_visit=D(2024, 2, 29)) == (D(2031, 2, 28), ADULT_RULE)


@override_settings(RETENTION_ADULT_YEARS=3)
def test_the_schedule_comes_from_settings():
    assert keep_until(date_of_birth=D(1970, 1, 1), last_visit=D(2020, 1, 1))[0] == D(2023, 1, 1)


# What is due.


def test_a_recent_record_is_not_due(full_record):
    assert due_for_destruction(today=years_later(7)) == []


def test_a_record_is_due_the_day_after_its_period_ends(full_record):
    last_visit = timezone.localdate(full_record.visit.scheduled_at)
    end = last_visit.replace(year=last_visit.year + 8)
    assert due_for_destruction(today=end) == []
    [due] = due_for_destruction(today=end + datetime.timedelta(days=1))
    assert due.patient == full_record.visit.patient and due.rule == ADULT_RULE


def test_the_latest_visit_restarts_the_clock(full_record):
    patient = full_record.visit.patient
    VisitFactory(patient=patient, scheduled_at=timezone.now() + datetime.timedelta(days=3 * 365))
    assert due_for_destruction(today=years_later(9)) == []


def test_a_minor_is_kept_until_the_age_rule(db):
    # Seen at 10: eight years later they are 18, still kept; at 25 and a day, due.
    today = timezone.localdate()
    child = PatientFactory(date_of_birth=today.replace(year=today.year - 10))
    VisitFactory(patient=child, scheduled_at=timezone.now())
    assert due_for_destruction(today=years_later(9)) == []
    assert due_for_destruction(today=years_later(15)) == []
    [due] = due_for_destruction(today=years_later(15, days=1))
    assert due.rule == MINOR_RULE


def test_legal_hold_keeps_a_due_record(full_record, clinic_admin):
    patient = full_record.visit.patient
    set_legal_hold(patient=patient, reason="Claim ref 2031-17", by=clinic_admin)
    assert due_for_destruction(today=years_later(30)) == []
    apply_retention(dry_run=False, today=years_later(30))
    assert Patient.objects.filter(pk=patient.pk).exists()
    assert ConsentRecord.objects.filter(pk=full_record.pk).exists()


def test_a_hold_placed_after_listing_still_stops_destruction(full_record, clinic_admin):
    [due] = due_for_destruction(today=years_later(9))
    set_legal_hold(patient=due.patient, reason="Regulator's request", by=clinic_admin)
    with pytest.raises(LegalHoldError):
        destroy_patient_record(due=due)
    assert Patient.objects.filter(pk=due.patient.pk).exists()


# Dry run, then destruction.


def test_dry_run_lists_and_destroys_nothing(full_record):
    files = [full_record.pdf.name, full_record.confirmation_pdf.name]
    events_before = AuditEvent.objects.count()
    out = StringIO()
    with time_machine.travel(timezone.now() + datetime.timedelta(days=9 * 366)):
        call_command("apply_retention", "--dry-run", stdout=out)
    text = out.getvalue()
    patient = full_record.visit.patient
    assert str(patient.pk) in text and "due (dry run, nothing destroyed) 1" in text
    assert patient.first_name not in text and patient.date_of_birth.isoformat() not in text
    assert Patient.objects.filter(pk=patient.pk).exists()
    assert ConsentRecord.objects.filter(pk=full_record.pk).exists()
    assert all(default_storage.exists(name) for name in files)
    assert AuditEvent.objects.count() == events_before


def _destroy(full_record) -> str:
    out = StringIO()
    with time_machine.travel(timezone.now() + datetime.timedelta(days=9 * 366)):
        call_command("apply_retention", stdout=out)
    return out.getvalue()


def test_destruction_removes_rows_and_files_and_keeps_a_tombstone(full_record, django_capture_on_commit_callbacks):
    patient, visit = full_record.visit.patient, full_record.visit
    other = VisitFactory(scheduled_at=timezone.now() + datetime.timedelta(days=3 * 365))  # not due yet
    archived = list(ArchiveVersion.objects.filter(record=full_record).values_list("pdf", flat=True))
    assert archived  # the seal keeps its own append-only copies (the archive work)
    files = sorted({full_record.pdf.name, full_record.confirmation_pdf.name, *archived})
    assert all(default_storage.exists(name) for name in files)
    with django_capture_on_commit_callbacks(execute=True):
        text = _destroy(full_record)
    assert "destroyed 1" in text
    assert not Patient.objects.filter(pk=patient.pk).exists()
    assert not Visit.objects.filter(pk=visit.pk).exists()
    assert not AccessLink.objects.filter(visit_id=visit.pk).exists()
    assert not VisitRecord.objects.filter(visit_id=visit.pk).exists()
    assert not ConsentRecord.objects.filter(pk=full_record.pk).exists()
    assert not ArchiveVersion.objects.filter(pdf__in=archived).exists()
    assert not any(default_storage.exists(name) for name in files)
    assert Visit.objects.filter(pk=other.pk).exists()

    tombstone = AuditEvent.objects.get(action="retention.record_destroyed")
    assert tombstone.details["kind"] == "patient_record" and tombstone.details["rule"] == ADULT_RULE
    assert tombstone.details["files"] == len(files)
    assert tombstone.details["rows"]["consent.consentrecord"] == 1 and tombstone.details["rows"]["intake.visit"] == 1
    written = str(tombstone.details) + tombstone.object_id + tombstone.object_type
    for personal in (patient.first_name, patient.last_name, patient.date_of_birth.isoformat(), str(patient.pk)):
        assert personal not in written


def test_audit_events_about_the_patient_stay_but_lose_the_link(full_record, reception):
    patient = full_record.visit.patient
    about = set(AuditEvent.objects.filter(patient=patient).values_list("pk", flat=True))
    assert about
    _destroy(full_record)
    kept = AuditEvent.objects.filter(pk__in=about)
    assert kept.count() == len(about)
    for event in kept:
        assert event.patient_id is None and event.access_link_id is None and event.object_id == ""
        assert event.details == {"erased_by_retention": True} and event.ip is None
    viewed = kept.get(action="patient.viewed")
    assert viewed.actor == reception  # who looked, and when, survives


def test_outside_retention_the_guards_still_refuse(full_record):
    with pytest.raises(ImmutableConsentError):
        ArchiveVersion.objects.filter(record=full_record).delete()
    with pytest.raises(ImmutableConsentError):
        ConsentRecord.objects.filter(pk=full_record.pk).delete()
    with pytest.raises(ImmutableRowError):
        AuditEvent.objects.all().update(patient=None)


# PostgreSQL: the triggers are on, and only the retention transaction gets through.

postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")


@postgres
@pytest.mark.postgres
def test_on_postgres_destruction_passes_the_triggers(full_record):
    patient = full_record.visit.patient
    _destroy(full_record)
    assert not Patient.objects.filter(pk=patient.pk).exists()
    assert not ConsentRecord.objects.filter(pk=full_record.pk).exists()
    assert AuditEvent.objects.filter(action="retention.record_destroyed").count() == 1


@postgres
@pytest.mark.postgres
def test_on_postgres_the_triggers_still_refuse_raw_sql_outside_retention(full_record):
    from django.db import transaction
    from django.db.utils import DatabaseError

    for sql in (
        "DELETE FROM consent_consentrecord WHERE id = %s",
        "UPDATE portal_auditevent SET patient_id = NULL WHERE patient_id = (SELECT patient_id FROM intake_visit v "
        "JOIN consent_consentrecord c ON c.visit_id = v.id WHERE c.id = %s)",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [full_record.pk])
    assert ConsentRecord.objects.filter(pk=full_record.pk).exists()


@postgres
@pytest.mark.postgres
def test_on_postgres_even_retention_cannot_delete_an_audit_event_or_rewrite_its_action(full_record):
    from django.db import transaction
    from django.db.utils import DatabaseError

    from portal.erasure import retention_erasure

    for sql in ("DELETE FROM portal_auditevent", "UPDATE portal_auditevent SET action = 'x', patient_id = NULL"):
        with pytest.raises(DatabaseError), transaction.atomic(), retention_erasure(), connection.cursor() as cursor:
            cursor.execute(sql)


@postgres
@pytest.mark.postgres
def test_on_postgres_archival_copies_refuse_raw_update_and_delete_outside_retention(full_record):
    from django.db import transaction
    from django.db.utils import DatabaseError

    version = ArchiveVersion.objects.filter(record=full_record).first()
    assert version is not None
    for sql in (
        "UPDATE consent_archiveversion SET level = 'B-LTA' WHERE id = %s",
        "UPDATE consent_archiveversion SET pdf = 'consents/other.pdf' WHERE id = %s",
        "DELETE FROM consent_archiveversion WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="archive version"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [version.pk])
    stored = ArchiveVersion.objects.get(pk=version.pk)
    assert (stored.level, stored.pdf.name) == (version.level, version.pdf.name)


@postgres
@pytest.mark.postgres
def test_on_postgres_even_retention_cannot_update_an_archival_copy(full_record):
    from django.db import transaction
    from django.db.utils import DatabaseError

    from portal.erasure import retention_erasure

    with (
        pytest.raises(DatabaseError, match="never changed"),
        transaction.atomic(),
        retention_erasure(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE consent_archiveversion SET level = 'B-LTA' WHERE record_id = %s", [full_record.pk])


@postgres
@pytest.mark.postgres
def test_on_postgres_retention_destroys_archival_copies_and_their_files(
    full_record, django_capture_on_commit_callbacks
):
    archived = list(ArchiveVersion.objects.filter(record=full_record).values_list("pdf", flat=True))
    assert archived and all(default_storage.exists(name) for name in archived)
    with django_capture_on_commit_callbacks(execute=True):
        _destroy(full_record)
    assert not ArchiveVersion.objects.filter(record_id=full_record.pk).exists()
    assert not any(default_storage.exists(name) for name in archived)
    with connection.cursor() as cursor:  # the trigger is really there (not a skipped migration)
        cursor.execute("SELECT 1 FROM pg_trigger WHERE tgname = 'consent_archive_version_guard'")
        assert cursor.fetchone() is not None
