"""The real queue: django-tasks-db's DatabaseBackend and its `db_worker` command against the test
database (SQLite locally, PostgreSQL in CI's second run)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from messaging.models import Message, Status
from messaging.services import queue_message
from tests.messaging.servers import SmtpServer, closed_port

SMTP = "django.core.mail.backends.smtp.EmailBackend"
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
pytestmark = pytest.mark.django_db(transaction=True)


def _work() -> None:
    call_command("db_worker", "--batch", "--interval", "0", "--no-startup-delay", verbosity=0)


def _queue(**extra):
    with transaction.atomic():
        return queue_message(channel="email", to="jo@example.com", template="testmsg", context={"name": "Jo"}, **extra)


@override_settings(TASKS=DATABASE_QUEUE)
def test_a_message_waits_in_the_database_until_the_worker_sends_it():
    message = _queue()
    [task] = DBTaskResult.objects.all()
    assert task.args_kwargs == {"args": [str(message.pk)], "kwargs": {}}  # only the id is queued
    assert mail.outbox == [] and Message.objects.get().status == Status.QUEUED

    _work()
    assert Message.objects.get().status == Status.SENT and len(mail.outbox) == 1
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    _work()  # nothing left: the worker exits and sends nothing twice
    assert len(mail.outbox) == 1


@override_settings(TASKS=DATABASE_QUEUE)
def test_the_worker_holds_a_failed_send_until_its_retry_time_then_sends_it():
    port = closed_port()
    with (
        time_machine.travel(T0, tick=False) as clock,
        override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1", EMAIL_PORT=port
        ),
    ):
        message = _queue()
        _work()
        message.refresh_from_db()
        assert message.status == Status.FAILED and message.attempts == 1
        retry = DBTaskResult.objects.filter(status="READY").get()
        assert retry.run_after == T0 + timedelta(minutes=1)
        _work()  # not due: the worker leaves it
        assert DBTaskResult.objects.filter(status="READY").count() == 1

        with SmtpServer(port) as smtp:
            clock.move_to(T0 + timedelta(minutes=1))
            _work()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.SENT, 2)
    assert len(smtp.received) == 1


@override_settings(TASKS=DATABASE_QUEUE)
def test_two_workers_given_the_same_message_send_it_once():
    from messaging.tasks import send_message

    message = _queue()
    send_message.enqueue(str(message.pk))  # a duplicate task, e.g. from the rescue schedule
    _work()
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 2
    assert len(mail.outbox) == 1


@pytest.fixture
def roles():
    """Transactional tests empty the tables between tests, the role groups included."""
    from django.contrib.auth.models import Group

    from portal.roles import Role, sync_role_permissions

    for role in Role:
        Group.objects.get_or_create(name=role.value)
    sync_role_permissions()


@override_settings(TASKS=DATABASE_QUEUE)
def test_with_the_mail_server_down_the_request_answers_and_the_worker_retries_later(roles, reception):
    """Reception emails a link while the mail server is down: the page answers (the request only
    queues), the worker's try fails and is scheduled again, and the link itself is untouched."""
    from django.test import Client

    from intake.links.tokens import new_token
    from intake.models import AccessLink
    from tests.factories import AccessLinkFactory, PatientFactory, VisitFactory

    token = new_token()
    visit = VisitFactory(patient=PatientFactory(email="zoe@example.com", phone=""))
    AccessLinkFactory(visit=visit, token=token)
    client = Client()
    client.force_login(reception)
    smtp_down = override_settings(EMAIL_BACKEND=SMTP, EMAIL_HOST="127.0.0.1", EMAIL_PORT=closed_port())
    with time_machine.travel(T0, tick=False), smtp_down:
        response = client.post(f"/staff/visits/{visit.pk}/link/email/", {"token": token})
        assert response.status_code == 302
        message = Message.objects.get()
        assert message.status == Status.QUEUED  # nothing was sent inside the request
        _work()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.FAILED, 1)
    assert message.last_error == "ConnectionRefusedError: ECONNREFUSED"
    assert AccessLink.objects.get(visit=visit).is_usable
