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
import unicodedata

BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
FIRST_STRONG_ISOLATE, POP_DIRECTIONAL_ISOLATE = "\u2068", "\u2069"


def strip_bidi_controls(text: str) -> str:
    return BIDI_CONTROLS.sub("", text or "")


def isolate_plain(text: str) -> str:
    """Plain text (an email body) with its own direction, unable to reorder the text around it."""
    text = strip_bidi_controls(str(text))
    return f"{FIRST_STRONG_ISOLATE}{text}{POP_DIRECTIONAL_ISOLATE}" if text else ""


def has_right_to_left(text: str) -> bool:
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text or "")


def isolate_if_right_to_left(text: str) -> str:
    """Plain text isolated only when it holds right-to-left letters: for a text message (SMS), where
    the two isolate marks are not GSM-7 and would cut a left-to-right text from 160 characters to 70.
    A left-to-right name beside left-to-right words cannot reorder them, so it needs no isolate."""
    text = strip_bidi_controls(str(text or ""))
    return isolate_plain(text) if has_right_to_left(text) else text
