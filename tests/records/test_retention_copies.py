"""Retention reaches the copies of a patient's data that other apps keep without a foreign key.

Import previews (names, dates of birth, phones), stored API replies and webhook payloads (api), and the
message log (messaging). These run on SQLite and, with DATABASE_URL set, on PostgreSQL with every
append-only trigger on (docs/records.md).
"""

from __future__ import annotations

import datetime
import importlib
import json
from io import StringIO

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from api.models import ExternalVisitId, IdempotentReply, ImportBatch, WebhookDelivery, WebhookEndpoint
from api.services import create_token
from intake.models import Patient
from intake.records.services import apply_retention
from messaging.models import Message
from portal.models import AuditEvent
from tests.factories import PatientFactory, VisitFactory

pytestmark = pytest.mark.django_db

LATER = datetime.timedelta(days=9 * 366)  # past the 8-year rule


def _row(line: int, first: str, last: str, dob: str, external_id: str = "") -> dict:
    return {
        "line": line,
        "external_id": external_id or f"A-{line}",
        "first_name": first,
        "last_name": last,
        "date_of_birth": dob,
        "scheduled_at": "2035-01-01T09:00:00+00:00",
        "email": "",
        "phone": "+34 600 123 456",
        "language": "en",
        "clinician": "",
        "verdict": "matched patient",
        "reason": "",
    }


def _preview(by, *rows: dict, source: str = "csv") -> ImportBatch:
    return ImportBatch.objects.create(
        kind="csv",
        source=source,
        file_sha256="0" * 64,
        rows=list(rows),
        summary={"rows": len(rows), "matched patient": len(rows)},
        created_by=by,
    )


def _run(*args: str) -> str:
    out = StringIO()
    call_command("apply_retention", *args, stdout=out)
    return out.getvalue()


# Import previews past IMPORT_ROWS_KEEP_DAYS, whoever they name.


@override_settings(IMPORT_ROWS_KEEP_DAYS=1)
def test_the_dry_run_lists_stale_preview_rows_and_the_run_clears_them_keeping_who_when_and_counts(reception):
    stale = _preview(reception, _row(1, "Zoë", "Ortiz", "1980-02-03"), _row(2, "Ana", "Ruiz", "1990-05-06"))
    ImportBatch.objects.filter(pk=stale.pk).update(created_at=timezone.now() - datetime.timedelta(days=2))
    fresh = _preview(reception, _row(1, "Eva", "Lopez", "1985-01-01"))

    text = _run("--dry-run")
    assert "api.importbatch rows past their keeping time, to clear (dry run, nothing cleared): 1" in text
    assert "Zoë" not in text and "1980-02-03" not in text
    stale.refresh_from_db()
    assert len(stale.rows) == 2 and stale.rows_cleared_at is None

    assert "api.importbatch rows past their keeping time, cleared: 1" in _run()
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.rows == [] and stale.rows_cleared_at is not None
    assert stale.summary == {"rows": 2, "matched patient": 2} and stale.created_by == reception
    assert len(fresh.rows) == 1 and fresh.rows_cleared_at is None  # still waiting for reception
    assert "cleared: 0" in _run()  # nothing twice


def test_a_longer_keeping_time_comes_from_the_setting(reception, settings):
    batch = _preview(reception, _row(1, "Zoë", "Ortiz", "1980-02-03"))
    ImportBatch.objects.filter(pk=batch.pk).update(created_at=timezone.now() - datetime.timedelta(days=5))
    settings.IMPORT_ROWS_KEEP_DAYS = 30
    assert apply_retention(dry_run=False).expired_copies == {"api.importbatch rows": 0}
    settings.IMPORT_ROWS_KEEP_DAYS = 4
    assert apply_retention(dry_run=False).expired_copies == {"api.importbatch rows": 1}


@pytest.mark.parametrize("value", ["-1", "thirty"])
def test_a_bad_import_rows_keep_days_refuses_to_start(monkeypatch, value):
    import portal.settings as portal_settings

    monkeypatch.setenv("IMPORT_ROWS_KEEP_DAYS", value)
    with pytest.raises(ImproperlyConfigured, match="IMPORT_ROWS_KEEP_DAYS"):
        importlib.reload(portal_settings)
    monkeypatch.delenv("IMPORT_ROWS_KEEP_DAYS")
    importlib.reload(portal_settings)


# A destroyed patient leaves nothing of theirs in api's copies or the message log.


@pytest.fixture
def due_patient(reception, clinic_admin):
    """A patient last seen long ago, with an external id, messages, a stored API reply and a webhook."""
    visit = VisitFactory(
        patient=PatientFactory(first_name="Zoë", last_name="Ortiz", date_of_birth=datetime.date(1980, 2, 3))
    )
    ExternalVisitId.objects.create(source="cliniko", external_id="APPT-77", visit=visit)
    for channel, recipient in (("email", "zoe@example.com"), ("sms", "+34600123456")):
        Message.objects.create(
            channel=channel,
            recipient=recipient,
            template="link",
            patient=visit.patient,
            visit=visit,
            idempotency_key=f"link:{visit.pk}:{channel}",
        )
    token, _secret = create_token(name="Practice system", scopes=["visits:write"], by=clinic_admin)
    reply_body = {"id": str(visit.pk), "patient_id": str(visit.patient_id), "patient": {"first_name": "Zoë"}}
    IdempotentReply.objects.create(token=token, key="k-1", request_hash="1" * 64, status_code=201, body=reply_body)
    endpoint = WebhookEndpoint.objects.create(
        name="Practice",
        url="https://hooks.example.com/portal",
        secret="s" * 32,
        events=["visit.updated"],
        created_by=clinic_admin,
    )
    WebhookDelivery.objects.create(
        endpoint=endpoint,
        event="visit.updated",
        payload={
            "event": "visit.updated",
            "data": {"visit": {"id": str(visit.pk), "patient_id": str(visit.patient_id)}},
        },
    )
    return visit.patient, token, endpoint


def _destroy() -> str:
    with time_machine.travel(timezone.now() + LATER):
        return _run()


def test_destruction_clears_previews_holding_the_patient_by_name_and_birth_date_or_by_external_id(
    due_patient, reception
):
    patient, _token, _endpoint = due_patient
    by_name = _preview(reception, _row(1, "zoe", "ORTIZ", "1980-02-03"), _row(2, "Ana", "Ruiz", "1990-05-06"))
    by_id = _preview(reception, _row(1, "Z.", "Ortiz-Diaz", "1980-03-02", external_id="APPT-77"), source="cliniko")
    same_id_other_source = _preview(reception, _row(1, "Eva", "Lopez", "1985-01-01", external_id="APPT-77"))
    other = _preview(reception, _row(1, "Zoë", "Ortiz", "1981-02-03"))  # another birth date: someone else
    with override_settings(IMPORT_ROWS_KEEP_DAYS=10_000):  # not cleared by age: only because they are theirs
        assert "destroyed 1" in _destroy()
    assert not Patient.objects.filter(pk=patient.pk).exists()
    for batch in (by_name, by_id):
        batch.refresh_from_db()
        assert batch.rows == [] and batch.rows_cleared_at is not None and batch.summary["rows"] >= 1
    for batch in (same_id_other_source, other):
        batch.refresh_from_db()
        assert len(batch.rows) == 1 and batch.rows_cleared_at is None
    every_row = json.dumps(list(ImportBatch.objects.values_list("rows", flat=True)), ensure_ascii=False)
    assert "1980-02-03" not in every_row and "APPT-77" in every_row  # only the other source's row remains


def test_destruction_deletes_stored_replies_webhook_deliveries_and_messages_naming_the_patient(
    due_patient, clinic_admin
):
    patient, token, endpoint = due_patient
    bystander = VisitFactory(scheduled_at=timezone.now() + datetime.timedelta(days=3 * 365))  # not due: kept
    IdempotentReply.objects.create(
        token=token, key="k-2", request_hash="2" * 64, status_code=201, body={"id": str(bystander.pk)}
    )
    WebhookDelivery.objects.create(
        endpoint=endpoint, event="visit.updated", payload={"data": {"visit": {"id": str(bystander.pk)}}}
    )
    Message.objects.create(
        channel="email",
        recipient="other@example.com",
        template="link",
        patient=bystander.patient,
        visit=bystander,
        idempotency_key="link:bystander",
    )
    assert "destroyed 1" in _destroy()
    assert list(IdempotentReply.objects.values_list("key", flat=True)) == ["k-2"]
    assert WebhookDelivery.objects.get().payload["data"]["visit"]["id"] == str(bystander.pk)
    assert list(Message.objects.values_list("recipient", flat=True)) == ["other@example.com"]
    assert not Message.objects.filter(recipient__in=["zoe@example.com", "+34600123456"]).exists()

    tombstone = AuditEvent.objects.get(action="retention.record_destroyed")
    assert tombstone.details["copies_cleared"] == {"api.idempotentreply": 1, "api.webhookdelivery": 1}
    assert tombstone.details["rows"]["messaging.message"] == 2
    assert str(patient.pk) not in json.dumps(tombstone.details) and "Zoë" not in json.dumps(tombstone.details)


def test_a_patient_on_hold_keeps_every_copy(due_patient, clinic_admin, reception):
    from intake.records.services import set_legal_hold

    patient, _token, _endpoint = due_patient
    batch = _preview(reception, _row(1, "Zoë", "Ortiz", "1980-02-03"))
    set_legal_hold(patient=patient, reason="Claim ref. 42", by=clinic_admin)
    with override_settings(IMPORT_ROWS_KEEP_DAYS=10_000):
        assert "destroyed 0" in _destroy()
    batch.refresh_from_db()
    assert len(batch.rows) == 1
    assert IdempotentReply.objects.count() == 1 and WebhookDelivery.objects.count() == 1
    assert Message.objects.filter(patient=patient).count() == 2


postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")


@postgres
@pytest.mark.postgres
def test_on_postgres_with_the_triggers_on_destruction_reaches_every_copy(due_patient, reception):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgname IN "
            "('consent_record_guard', 'consent_archive_version_guard', 'portal_auditevent_append_only')"
        )
        assert cursor.fetchone()[0] == 3
    batch = _preview(reception, _row(1, "Zoë", "Ortiz", "1980-02-03"))
    with override_settings(IMPORT_ROWS_KEEP_DAYS=10_000):
        assert "destroyed 1" in _destroy()
    batch.refresh_from_db()
    assert batch.rows == []
    assert not IdempotentReply.objects.exists() and not WebhookDelivery.objects.exists()
    assert not Message.objects.exists()


def test_audit_events_naming_a_destroyed_row_without_the_patient_link_are_scrubbed_too(due_patient):
    from portal import audit

    patient, _token, _endpoint = due_patient
    visit = patient.visits.get()
    bystander = VisitFactory(scheduled_at=timezone.now() + datetime.timedelta(days=3 * 365))
    theirs = audit.record("visit.language_changed", obj=visit, details={"language": "es"})  # no patient link
    kept = audit.record("visit.language_changed", obj=bystander, details={"language": "es"})
    assert "destroyed 1" in _destroy()
    theirs.refresh_from_db()
    kept.refresh_from_db()
    assert (theirs.object_id, theirs.details, theirs.action) == (
        "",
        {"erased_by_retention": True},
        "visit.language_changed",
    )
    assert kept.object_id == str(bystander.pk) and kept.details == {"language": "es"}
