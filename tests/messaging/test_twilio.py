"""The Twilio backend through the official library, against a stand-in on 127.0.0.1 (no outside network)."""

from base64 import b64decode
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import override_settings

from messaging.models import Status
from messaging.services import deliver, queue_message
from tests.messaging.servers import TwilioStandIn

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _twilio(stand_in, **extra):
    values = {
        "SMS_BACKEND": "messaging.sms.TwilioBackend",
        "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
        "TWILIO_AUTH_TOKEN": "test-auth-token",
        "TWILIO_FROM_NUMBER": "+12015550100",
        "TWILIO_MESSAGING_SERVICE_SID": "",
        "TWILIO_API_BASE_URL": stand_in.url,
    }
    return override_settings(**{**values, **extra})


def _queue_text(capture):
    with capture(execute=True):
        return queue_message(channel="sms", to="+447400123456", template="testmsg", context={"name": "Jo"})


def test_a_text_is_posted_to_twilios_messages_api_with_the_account_credentials(db, django_capture_on_commit_callbacks):
    with TwilioStandIn() as stand_in, _twilio(stand_in):
        message = _queue_text(django_capture_on_commit_callbacks)
    message.refresh_from_db()
    assert message.status == Status.SENT and message.provider_ref == "SM" + "0" * 32
    [request] = stand_in.requests
    assert request["path"] == f"/2010-04-01/Accounts/AC{'1' * 32}/Messages.json"
    assert request["form"] == {
        "To": ["+447400123456"],
        "From": ["+12015550100"],
        "Body": ["Hello Jo, from Riverside Physiotherapy."],
    }
    assert b64decode(request["auth"].split()[1]).decode() == f"AC{'1' * 32}:test-auth-token"


def test_a_messaging_service_is_used_instead_of_a_from_number_when_set(db, django_capture_on_commit_callbacks):
    with TwilioStandIn() as stand_in, _twilio(stand_in, TWILIO_MESSAGING_SERVICE_SID="MG" + "2" * 32):
        _queue_text(django_capture_on_commit_callbacks)
    assert stand_in.requests[0]["form"]["MessagingServiceSid"] == ["MG" + "2" * 32]
    assert "From" not in stand_in.requests[0]["form"]


@pytest.mark.parametrize(
    ("mode", "code"), [("error500", "SmsError: twilio_20500"), ("slow", "SmsError: twilio_ReadTimeout")]
)
def test_a_provider_error_or_timeout_is_retried_like_an_email(db, django_capture_on_commit_callbacks, mode, code):
    with (
        time_machine.travel(T0, tick=False) as clock,
        TwilioStandIn(mode=mode) as stand_in,
        _twilio(stand_in, MESSAGE_SEND_TIMEOUT=1),
    ):
        message = _queue_text(django_capture_on_commit_callbacks)
        message.refresh_from_db()
        assert (message.status, message.attempts, message.last_error) == (Status.FAILED, 1, code)
        assert message.next_attempt_at == T0 + timedelta(minutes=1)
        assert "+44" not in message.last_error and "Hello" not in message.last_error

        stand_in.mode = "ok"
        clock.shift(timedelta(minutes=1))
        assert deliver(message_id=message.pk) == Status.SENT
    assert len(stand_in.requests) == 2


def test_missing_credentials_are_a_failed_try_not_a_crash(db, django_capture_on_commit_callbacks):
    with override_settings(SMS_BACKEND="messaging.sms.TwilioBackend", TWILIO_ACCOUNT_SID="", TWILIO_AUTH_TOKEN=""):
        message = _queue_text(django_capture_on_commit_callbacks)
    message.refresh_from_db()
    assert message.status == Status.FAILED and message.last_error == "SmsError: twilio_not_configured"
