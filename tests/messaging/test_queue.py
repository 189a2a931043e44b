"""queue_message: the row is written in the caller's transaction and the send waits for the commit."""

import pytest
from django.core import mail
from django.db import transaction

from messaging import sms
from messaging.models import Message, Status
from messaging.services import queue_message
from tests.factories import PatientFactory


def _queue(**overrides):
    values = {"channel": "email", "to": "jo@example.com", "template": "testmsg", "context": {"name": "Jo"}}
    return queue_message(**{**values, **overrides})


def test_the_message_is_sent_only_after_the_transaction_commits(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = _queue()
        assert mail.outbox == [] and Message.objects.get().status == Status.QUEUED
    assert len(callbacks) == 1
    callbacks[0]()
    message.refresh_from_db()
    assert message.status == Status.SENT and message.attempts == 1 and message.sent_at is not None
    assert [m.to for m in mail.outbox] == [["jo@example.com"]]
    assert mail.outbox[0].subject == "Hello Jo"
    assert "Riverside Physiotherapy" in mail.outbox[0].body


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_write_sends_nothing_and_logs_nothing():
    with pytest.raises(RuntimeError), transaction.atomic():
        _queue()
        raise RuntimeError("the surrounding write failed")
    assert mail.outbox == [] and not Message.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_committed_write_sends_once():
    with transaction.atomic():
        _queue()
    assert len(mail.outbox) == 1 and Message.objects.get().status == Status.SENT


def test_the_same_idempotency_key_queues_and_sends_once(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = _queue(idempotency_key="reminder:1")
        second = _queue(idempotency_key="reminder:1")
    assert first.pk == second.pk and Message.objects.count() == 1 and len(mail.outbox) == 1


def test_a_text_goes_to_the_normalised_number(db, django_capture_on_commit_callbacks):
    patient = PatientFactory()
    with django_capture_on_commit_callbacks(execute=True):
        message = _queue(channel="sms", to="(201) 555-0123", patient=patient)
    assert message.recipient == "+12015550123"
    assert sms.outbox == [sms.Sms(to="+12015550123", body="Hello Jo, from Riverside Physiotherapy.")]
    assert list(Message.objects.for_patient(patient)) == [message]


@pytest.mark.parametrize("bad", ["", "555-0199", "not a number", "+1 999"])
def test_a_number_that_cannot_be_texted_is_refused_before_anything_is_stored(db, bad):
    with pytest.raises(ValueError, match="texted"):
        _queue(channel="sms", to=bad)
    assert not Message.objects.exists()


def test_the_log_stores_no_body_and_the_sent_row_passes_its_constraints(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = _queue()
    message.refresh_from_db()
    stored = " ".join(str(getattr(message, f.attname)) for f in Message._meta.concrete_fields)
    assert "Riverside" not in stored and "Hello" not in stored


def test_a_second_delivery_of_a_sent_message_sends_nothing(db, django_capture_on_commit_callbacks):
    from messaging.services import deliver

    with django_capture_on_commit_callbacks(execute=True):
        message = _queue()
    assert deliver(message_id=message.pk) == Status.SENT
    assert len(mail.outbox) == 1
