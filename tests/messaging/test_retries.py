"""The mail server down, then up: each try, its backoff, giving up, and the retry that gets through.

Real SMTP: a closed port on 127.0.0.1 (refused at once), then a tiny SMTP server on 127.0.0.1.
The clock is frozen and moved by hand; the schedule (run_schedules) enqueues each due retry, as
cron does every minute (the immediate test backend cannot hold a task until later).
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.test import override_settings

from messaging.models import Message, Status
from messaging.services import queue_message
from tests.factories import VisitFactory
from tests.messaging.servers import SmtpServer, closed_port

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SMTP = "django.core.mail.backends.smtp.EmailBackend"


def _state(message: Message) -> tuple:
    message.refresh_from_db()
    return (message.status, message.attempts, message.last_error)


def _run_schedules() -> None:
    call_command("run_schedules", stdout=open("/dev/null", "w"))  # noqa: SIM115, PTH123


@pytest.fixture
def visit(db):
    return VisitFactory()


def test_mail_server_down_ten_minutes_then_up_the_retry_gets_through(visit, django_capture_on_commit_callbacks):
    port = closed_port()
    seen = []
    with (
        time_machine.travel(T0, tick=False) as clock,
        override_settings(EMAIL_BACKEND=SMTP, EMAIL_HOST="127.0.0.1", EMAIL_PORT=port),
    ):
        with django_capture_on_commit_callbacks(execute=True):
            message = queue_message(
                channel="email", to="jo@example.com", template="testmsg", context={"name": "Jo"}, visit=visit
            )
        seen.append(("0 min", *_state(message)))
        assert message.next_attempt_at == T0 + timedelta(minutes=1)

        clock.shift(timedelta(seconds=30))
        _run_schedules()  # not due yet: nothing happens
        assert _state(message)[1] == 1

        for minute in (1, 6):  # 1 min, then 5 more
            clock.move_to(T0 + timedelta(minutes=minute))
            _run_schedules()
            seen.append((f"{minute} min", *_state(message)))

        with SmtpServer(port) as smtp:  # the server is back at 10 min; the next try is at 16 min
            clock.move_to(T0 + timedelta(minutes=10))
            _run_schedules()
            seen.append(("10 min", *_state(message)))
            clock.move_to(T0 + timedelta(minutes=16))
            _run_schedules()
            seen.append(("16 min", *_state(message)))
            _run_schedules()  # a later run sends nothing more

    refused = "ConnectionRefusedError: ECONNREFUSED"
    assert seen == [
        ("0 min", Status.FAILED, 1, refused),
        ("1 min", Status.FAILED, 2, refused),
        ("6 min", Status.FAILED, 3, refused),
        ("10 min", Status.FAILED, 3, refused),
        ("16 min", Status.SENT, 4, ""),
    ]
    assert len(smtp.received) == 1 and smtp.received[0].rcpt_to == ["jo@example.com"]
    assert b"Hello Jo" in smtp.received[0].data
    message.refresh_from_db()
    assert message.sent_at == T0 + timedelta(minutes=16) and message.next_attempt_at is None
    visit.refresh_from_db()  # nothing else was touched


def test_six_failed_tries_over_about_an_hour_then_it_gives_up(visit, django_capture_on_commit_callbacks):
    with (
        time_machine.travel(T0, tick=False) as clock,
        override_settings(EMAIL_BACKEND=SMTP, EMAIL_HOST="127.0.0.1", EMAIL_PORT=closed_port()),
    ):
        with django_capture_on_commit_callbacks(execute=True):
            message = queue_message(channel="email", to="jo@example.com", template="testmsg", context={"name": "Jo"})
        tries = [T0]
        while True:
            message.refresh_from_db()
            if message.status == Status.GAVE_UP:
                break
            assert message.status == Status.FAILED
            clock.move_to(message.next_attempt_at)
            tries.append(message.next_attempt_at)
            _run_schedules()
        clock.shift(timedelta(days=1))
        _run_schedules()

    message.refresh_from_db()
    assert [int((t - T0).total_seconds() // 60) for t in tries] == [0, 1, 6, 16, 36, 66]
    assert message.attempts == 6 and message.next_attempt_at is None
    assert message.last_error == "ConnectionRefusedError: ECONNREFUSED"
    assert list(Message.objects.gave_up()) == [message]


def test_the_error_recorded_never_holds_the_address(visit, django_capture_on_commit_callbacks):
    """A server that refuses the recipient names them in its exception: only the class is kept."""
    import smtplib

    from messaging.services import error_code

    refused = smtplib.SMTPRecipientsRefused({"jo@example.com": (550, b"no such user jo@example.com")})
    assert error_code(refused) == "SMTPRecipientsRefused: recipients_refused"
    assert "jo@" not in error_code(smtplib.SMTPDataError(554, b"rejected for jo@example.com"))


def test_a_send_claimed_by_a_worker_that_died_is_retried_after_ten_minutes_not_before(
    visit, django_capture_on_commit_callbacks
):
    from django.core import mail

    with time_machine.travel(T0, tick=False) as clock:
        message = Message.objects.create(
            channel="email",
            recipient="jo@example.com",
            template="testmsg",
            context={"name": "Jo"},
            idempotency_key="killed",
            status=Status.SENDING,
            attempts=1,
            claimed_at=T0,
        )
        from messaging.services import deliver

        assert deliver(message_id=message.pk) == Status.SENDING  # the task re-run leaves it alone
        clock.shift(timedelta(minutes=9))
        _run_schedules()
        assert _state(message)[0] == Status.SENDING and mail.outbox == []
        clock.shift(timedelta(minutes=1))
        _run_schedules()
    assert _state(message) == (Status.SENT, 2, "")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Message-ID"] == f"<{message.pk}@testserver>"


def test_a_message_that_can_never_be_sent_gives_up_at_once(db, django_capture_on_commit_callbacks):
    from messaging.render import Unsendable, register_context

    def builder(message):
        raise Unsendable("link_gone")

    register_context("testmsg", builder)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            message = queue_message(channel="email", to="jo@example.com", template="testmsg")
    finally:
        from messaging.render import _builders

        _builders.pop("testmsg")
    assert _state(message) == (Status.GAVE_UP, 1, "Unsendable: link_gone")
