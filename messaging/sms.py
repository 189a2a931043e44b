"""Text messages through a pluggable backend named by SMS_BACKEND (a dotted path, like EMAIL_BACKEND).

A backend has one method, `send(to, body) -> str` (the provider's reference), and raises SmsError (or
any exception) when the text did not go: the sending task retries it like an email.
"""

from __future__ import annotations

import logging
import sys
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SmsError(Exception):
    """The provider refused or did not answer. `code` is short and holds no personal data."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Sms:
    to: str
    body: str


class BaseBackend:
    def send(self, to: str, body: str) -> str:
        raise NotImplementedError


class ConsoleBackend(BaseBackend):
    """The laptop default: prints the text, like Django's console email backend."""

    def send(self, to: str, body: str) -> str:
        sys.stdout.write(f"SMS to {to}\n{body}\n{'-' * 40}\n")
        sys.stdout.flush()
        return "console"


# The locmem backend's sent texts, like django.core.mail.outbox (tests empty it).
outbox: list[Sms] = []


class LocmemBackend(BaseBackend):
    def send(self, to: str, body: str) -> str:
        outbox.append(Sms(to=to, body=body))
        return f"locmem-{len(outbox)}"


class TwilioBackend(BaseBackend):
    """Twilio through its official library. Credentials come from the environment (settings)."""

    def __init__(self) -> None:
        from twilio.http.http_client import TwilioHttpClient  # type: ignore[import-untyped]
        from twilio.rest import Client  # type: ignore[import-untyped]

        if not (settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN):
            raise SmsError("twilio_not_configured")
        self.client = Client(
            settings.TWILIO_ACCOUNT_SID,
            settings.TWILIO_AUTH_TOKEN,
            http_client=TwilioHttpClient(timeout=settings.MESSAGE_SEND_TIMEOUT),
        )
        if settings.TWILIO_API_BASE_URL:
            self.client.api.base_url = settings.TWILIO_API_BASE_URL

    def send(self, to: str, body: str) -> str:
        from requests import RequestException
        from twilio.base.exceptions import TwilioException, TwilioRestException  # type: ignore[import-untyped]

        sender = (
            {"messaging_service_sid": settings.TWILIO_MESSAGING_SERVICE_SID}
            if settings.TWILIO_MESSAGING_SERVICE_SID
            else {"from_": settings.TWILIO_FROM_NUMBER}
        )
        try:
            message = self.client.messages.create(to=to, body=body, **sender)
        except TwilioRestException as exc:
            # Twilio's own error code (e.g. 21211 invalid number) or the HTTP status: never the text.
            raise SmsError(f"twilio_{exc.code or exc.status}") from None
        except RequestException as exc:
            raise SmsError(f"twilio_{type(exc).__name__}") from None
        except TwilioException:
            raise SmsError("twilio_error") from None
        return str(message.sid or "")


def is_configured() -> bool:
    """Whether texts can go out at all: Twilio needs its credentials. Without them no text is queued
    (rather than six failed tries each), and the patient gets email only."""
    if settings.SMS_BACKEND.endswith("TwilioBackend"):
        return bool(settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN)
    return True


def get_backend() -> BaseBackend:
    return import_string(settings.SMS_BACKEND)()


def send_sms(*, to: str, body: str) -> str:
    return get_backend().send(to, body)


# GSM 03.38 basic set: a text in these characters fits 160 per message; anything else (emoji, most
# accents outside Western Europe) switches the whole text to UCS-2, 70 per message.
GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€")  # each counts as two


def sms_length(body: str) -> tuple[int, int]:
    """(units used, units allowed in one message): GSM-7 septets of 160, or UCS-2 characters of 70."""
    if all(ch in GSM7 or ch in GSM7_EXTENDED for ch in body):
        return sum(2 if ch in GSM7_EXTENDED else 1 for ch in body), 160
    return len(body), 70


def fits_one_sms(body: str) -> bool:
    used, allowed = sms_length(body)
    return used <= allowed


def gsm7_fold(text: str) -> str:
    """Letters outside GSM-7 as their plain letter where that is in GSM-7 ("Síntomas" -> "Sintomas"),
    so a word in the clinic's own wording does not turn a one-part text into a three-part Unicode one.
    Letters with no plain form (Arabic, Greek, ...) are kept."""

    def fold(ch: str) -> str:
        if ch in GSM7 or ch in GSM7_EXTENDED:
            return ch
        base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
        return base if base and all(c in GSM7 for c in base) else ch

    return "".join(fold(ch) for ch in text)
