"""Turning off a failing webhook tells each clinic admin through the message queue: one queued
Message per admin (in the admin's language), nothing sent inside the call, nothing at all if the
transaction rolls back, and once per endpoint and disable time."""

from datetime import UTC, datetime

import pytest
from django.core import mail
from django.db import transaction

from api.models import Event
from api.services import create_endpoint, notify_admins_endpoint_disabled
from api.webhooks import _disable
from messaging.models import Message, Status
from portal.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def admins(clinic_admin):
    clinic_admin.email = "admin@clinic.example"
    clinic_admin.save()
    spanish = UserFactory(username="admin-es", role=Role.CLINIC_ADMIN, email="jefa@clinic.example")
    spanish.alert_language = "es"
    spanish.save()
    UserFactory(username="desk", role=Role.RECEPTION, email="desk@clinic.example")
    UserFactory(username="gone", role=Role.CLINIC_ADMIN, email="gone@clinic.example", is_active=False)
    UserFactory(username="no-mail", role=Role.CLINIC_ADMIN, email="")
    return clinic_admin, spanish


@pytest.fixture
def endpoint(clinic_admin):
    return create_endpoint(
        name="Practice system", url="https://hooks.example.com/in", events=Event.values, by=clinic_admin
    )


def test_disabling_queues_one_message_per_clinic_admin_and_sends_nothing_in_the_call(
    admins, endpoint, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _disable(endpoint, reason="a delivery failed for a day (HTTP 500)", at=AT)
        messages = list(Message.objects.filter(template="webhook-disabled").order_by("recipient"))
        assert [m.recipient for m in messages] == ["admin@clinic.example", "jefa@clinic.example"]
        assert all(m.status == Status.QUEUED and m.patient is None for m in messages)
        assert mail.outbox == []
    assert len(callbacks) == 2 and mail.outbox == []  # only the enqueue waits for the commit
    for callback in callbacks:
        callback()
    assert Message.objects.filter(template="webhook-disabled", status=Status.SENT).count() == 2
    english = next(m for m in mail.outbox if m.to == ["admin@clinic.example"])
    spanish = next(m for m in mail.outbox if m.to == ["jefa@clinic.example"])
    assert english.subject == 'Webhook "Practice system" was turned off'
    assert "failed for a whole day: a delivery failed for a day (HTTP 500)." in english.body
    assert spanish.subject == "Se desactivó el webhook «Practice system»"
    assert "Este correo no contiene datos de pacientes." in spanish.body


def test_a_rollback_queues_and_sends_nothing(admins, endpoint, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        _disable(endpoint, reason="failed", at=AT)
        raise RuntimeError("the delivery's transaction fails")
    assert not Message.objects.filter(template="webhook-disabled").exists()
    assert mail.outbox == []


def test_the_same_disable_is_told_once_and_a_later_one_again(admins, endpoint, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_admins_endpoint_disabled(endpoint=endpoint, disabled_at=AT) == 2
        notify_admins_endpoint_disabled(endpoint=endpoint, disabled_at=AT)
    assert Message.objects.filter(template="webhook-disabled").count() == 2 and len(mail.outbox) == 2
    key = Message.objects.filter(template="webhook-disabled").values_list("idempotency_key", flat=True).first()
    assert key.startswith(f"webhook-disabled:{endpoint.pk}:{AT.timestamp():.0f}:")
    with django_capture_on_commit_callbacks(execute=True):
        notify_admins_endpoint_disabled(endpoint=endpoint, disabled_at=AT.replace(day=5))
    assert Message.objects.filter(template="webhook-disabled").count() == 4


def test_a_deleted_endpoint_gives_up_instead_of_retrying(admins, endpoint, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify_admins_endpoint_disabled(endpoint=endpoint, disabled_at=AT)
    endpoint.delete()
    for callback in callbacks:
        callback()
    assert set(Message.objects.values_list("status", "last_error")) == {
        (Status.GAVE_UP, "Unsendable: endpoint_deleted")
    }
    assert mail.outbox == []


def test_the_message_log_names_it_for_staff(admins, endpoint):
    notify_admins_endpoint_disabled(endpoint=endpoint, disabled_at=AT)
    assert Message.objects.filter(template="webhook-disabled").first().label == "Webhook turned off"
