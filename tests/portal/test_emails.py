"""Every email is built by portal.emails.make_message: plain text unescaped, HTML escaped."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.template import TemplateDoesNotExist

from portal.emails import make_message

HOSTILE = "D'Arcy & Sons <b>"
ESCAPED = "D&#x27;Arcy &amp; Sons &lt;b&gt;"
EMAILS = sorted(
    path.name.removesuffix("-subject.txt")
    for path in (Path(settings.BASE_DIR) / "templates" / "emails").glob("*-subject.txt")
)


def _context() -> dict:
    return {
        "patient": SimpleNamespace(display_name=HOSTILE),
        "visit": SimpleNamespace(scheduled_at=datetime(2030, 5, 6, 9, 30, tzinfo=UTC), language="en"),
        "record": SimpleNamespace(language="en"),
        "url": "http://testserver/p/abc/",
        "window": "24h",
        "short_name": HOSTILE,  # staff alerts name the patient briefly
        "symptoms": "Breathing or chest symptoms",
        "clinic": {"name": HOSTILE, "address": HOSTILE, "phone": "555 0100", "emergency_number": "911"},
        "endpoint": SimpleNamespace(name=HOSTILE, url="https://hooks.example.com/", disabled_reason="answered 500"),
        "site_url": "http://testserver",
    }


def test_every_email_of_the_portal_is_found():
    assert EMAILS == [
        "alert",
        "alert-escalation",
        "checkin-reminder",
        "consent-signed",
        "link",
        "pre-visit-reminder",
        "webhook-disabled",
    ]


@pytest.mark.parametrize("name", EMAILS)
def test_a_name_stays_plain_in_subject_and_text_and_is_escaped_in_html(name):
    message = make_message(name, "patient@example.com", _context())
    html = next(body for body, kind in message.alternatives if kind == "text/html")
    assert HOSTILE in message.subject
    assert HOSTILE in message.body
    assert "&amp;" not in message.subject + message.body and "&#x27;" not in message.subject + message.body
    assert ESCAPED in html
    assert HOSTILE not in html
    assert message.to == ["patient@example.com"]


@pytest.mark.parametrize("name", EMAILS)
def test_the_subject_is_one_line(name):
    context = _context()
    context["clinic"]["name"] = "Line one\r\nBcc: someone@example.com"
    message = make_message(name, ["a@example.com"], context)
    assert "\n" not in message.subject and "\r" not in message.subject


def test_the_language_is_the_one_asked_for():
    english = make_message("link", "a@example.com", _context(), language="en")
    spanish = make_message("link", "a@example.com", _context(), language="es")
    assert english.subject != spanish.subject


def test_an_unknown_email_name_fails_loudly():
    with pytest.raises(TemplateDoesNotExist):
        make_message("no-such-email", "a@example.com", _context())
