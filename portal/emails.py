"""One way to build an email: `make_message(name, to, context)` renders three templates,

    templates/emails/<name>-subject.txt     one line (whitespace folded), plain text
    templates/emails/<name>-body-text.txt   the plain-text body
    templates/emails/<name>-body-html.html  the HTML body

Subject and text are rendered with HTML autoescaping off (a plain-text mail must say "D'Arcy & Sons",
not "D&#x27;Arcy &amp; Sons"); the HTML body is escaped as every page is. Sending is the caller's
choice (after commit, or from a task), so each message keeps one obvious "send" in its own module.
"""

from __future__ import annotations

from contextlib import nullcontext

from django.core.mail import EmailMultiAlternatives
from django.template import Context, Engine
from django.template.loader import render_to_string
from django.utils import translation


def _render_plain(template_name: str, context: dict) -> str:
    return Engine.get_default().get_template(template_name).render(Context(context, autoescape=False))


def make_message(
    name: str, to: str | list[str], context: dict, *, language: str | None = None
) -> EmailMultiAlternatives:
    """The email `name` for `to`, in `language` when given (else the active language)."""
    with translation.override(language) if language else nullcontext():
        subject = " ".join(_render_plain(f"emails/{name}-subject.txt", context).split())
        text = _render_plain(f"emails/{name}-body-text.txt", context)
        html = render_to_string(f"emails/{name}-body-html.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to] if isinstance(to, str) else list(to))
    message.attach_alternative(html, "text/html")
    return message
