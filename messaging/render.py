"""What a message says, made at send time from its template name and stored context.

Templates (per message name, e.g. "checkin-reminder"):
    templates/emails/<name>-subject.txt, -body-text.txt, -body-html.html   (email, as portal.emails)
    templates/sms/<name>.txt                                                (text, one SMS: 160 GSM-7)

Domain apps register a context builder per name (in AppConfig.ready): it receives the Message and
returns the extra context made fresh at send time, such as a link with a signed token. That is how a
message carries a patient link without the log ever holding one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.template import Context
from django.template.loader import get_template
from django.utils import translation

from portal.emails import make_message


class Unsendable(Exception):  # noqa: N818 - reads as the state it causes
    """Raised by a context builder when the message can never be sent (e.g. the visit's link was
    revoked): the message gives up at once instead of retrying. `code` holds no personal data."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


ContextBuilder = Callable[[Any], dict[str, Any]]
_builders: dict[str, ContextBuilder] = {}
_labels: dict[str, str] = {}


def register_context(name: str, builder: ContextBuilder | None = None, *, label: str = "") -> None:
    """Register a message name: its send-time context builder and the label staff see in the log."""
    if builder is not None:
        _builders[name] = builder
    if label:
        _labels[name] = label


def label_for(name: str) -> str:
    return _labels.get(name) or name.replace("-", " ").capitalize()


SymptomLabeller = Callable[[str, str | None], str]
_symptom_labeller: list[SymptomLabeller] = []


def register_symptom_labels(labeller: SymptomLabeller) -> None:
    """The domain's words for an alert's symptom codes: labeller(code, language) -> short label.

    Alerts store codes ("breathing") and each message names them in its recipient's language. The
    labeller returns what it does not know unchanged, so alerts stored with English labels (before
    codes) still read as they were written."""
    _symptom_labeller[:] = [labeller]


def symptom_labels(codes, language: str | None = None) -> list[str]:
    """Short labels for an alert's stored symptoms, in `language` (else the active language)."""
    labeller = _symptom_labeller[0] if _symptom_labeller else None
    return [labeller(code, language) if labeller else code for code in codes or ()]


def clinic_context() -> dict[str, str]:
    return {
        "name": settings.CLINIC_NAME,
        "address": settings.CLINIC_ADDRESS,
        "phone": settings.CLINIC_PHONE,
        "emergency_number": settings.CLINIC_EMERGENCY_NUMBER,
    }


@dataclass
class Rendered:
    subject: str
    text: str
    html: str = ""
    attachments: list[tuple[str, bytes, str]] = field(default_factory=list)


def full_context(message) -> dict[str, Any]:
    context: dict[str, Any] = {"clinic": clinic_context(), **(message.context or {})}
    builder = _builders.get(message.template)
    if builder is not None:
        context.update(builder(message))
    return context


def render_sms(name: str, context: dict[str, Any]) -> str:
    """A text's body: plain (no HTML escaping, "D'Arcy & Sons"), whitespace folded to one line."""
    plain = get_template(f"sms/{name}.txt").template.render(Context(context, autoescape=False))  # type: ignore[attr-defined]
    return " ".join(plain.split())


def render(message) -> Rendered:
    # The context builders run in the message's language too (words they make, such as an alert's
    # symptoms, are in the recipient's language like the template's own).
    with translation.override(message.language):
        context = full_context(message)
        attachments = context.pop("attachments", [])
        if message.channel == "sms":
            return Rendered(subject="", text=render_sms(message.template, context))
    email = make_message(message.template, message.recipient, context, language=message.language)
    html = next((body for body, kind in email.alternatives if kind == "text/html"), "")
    return Rendered(subject=str(email.subject), text=str(email.body), html=str(html), attachments=attachments)
