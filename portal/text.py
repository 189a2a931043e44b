"""Text a person typed, made safe to show next to other text.

Bidirectional controls (the embeddings and overrides U+202A-U+202E, the isolates U+2066-U+2069 and the
marks U+200E, U+200F, U+061C) typed into a name or phone number reorder whatever follows them: a
right-to-left override before an emergency contact's phone shows its digits reversed. They have no
place in names or phone numbers, so `strip_bidi_controls` removes them where those are saved
(`Patient.save`, the signer's typed name). Everything a person typed is also isolated where it is
shown (the `bdi` and `bdi_text` template filters in portal/templatetags/text.py), so right-to-left
names (Arabic, Hebrew) display correctly without disturbing the text around them.
"""

from __future__ import annotations

import re

BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
FIRST_STRONG_ISOLATE, POP_DIRECTIONAL_ISOLATE = "\u2068", "\u2069"


def strip_bidi_controls(text: str) -> str:
    return BIDI_CONTROLS.sub("", text or "")


def isolate_plain(text: str) -> str:
    """Plain text (an email body) with its own direction, unable to reorder the text around it."""
    text = strip_bidi_controls(str(text))
    return f"{FIRST_STRONG_ISOLATE}{text}{POP_DIRECTIONAL_ISOLATE}" if text else ""
