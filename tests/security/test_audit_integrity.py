"""Audit events cannot be changed or removed: by the model everywhere, and by PostgreSQL itself."""

import pytest
from django.db import DatabaseError, connection, transaction

from portal import audit
from portal.models import AuditEvent, ImmutableRowError

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(visit):
    return audit.record("test.viewed", patient=visit.patient, details={"fields": ["x"]})


def test_an_audit_event_cannot_be_saved_again(event):
    event.action = "test.changed"
    with pytest.raises(ImmutableRowError):
        event.save()


def test_an_audit_event_cannot_be_deleted(event):
    with pytest.raises(ImmutableRowError):
        event.delete()


def test_audit_events_cannot_be_updated_or_deleted_in_bulk(event):
    with pytest.raises(ImmutableRowError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(ImmutableRowError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "test.viewed"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_postgresql_refuses_a_raw_sql_update_and_delete_of_an_audit_event(event):
    for sql in (
        "UPDATE portal_auditevent SET action = 'tampered' WHERE id = %s",
        "DELETE FROM portal_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "test.viewed"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_postgresql_still_accepts_new_audit_events(event):
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname = 'portal_auditevent_append_only'")
        assert cursor.fetchone() is not None
    audit.record("test.second")
    assert AuditEvent.objects.count() == 2
