"""Checking what a signer hands us: the drawn signature image and the typed name.

Drawn signatures arrive as a PNG data URL from signature_pad. The server trusts none of it: the
image must decode as a real PNG, stay within the size limits, and carry enough ink to be a mark.

Typed-name rule (documented for staff in docs/consent.md):
  - Names are compared after folding: Unicode NFKD, accents dropped, case folded, and anything that is
    not a letter or digit treated as a space ("O'Brien" = "o brien", "ZOË" = "zoe").
  - A patient must type every word of their first name and every word of their last name, each as a
    whole word, in any order; extra words (a middle name) are fine. For scripts written without spaces
    (Chinese, Japanese), the typed name with spaces removed must contain the first and last name
    written together in either order ("陈美" or "美陈" for first name 美, last name 陈).
  - A parent or guardian types their OWN full name: at least two words (given and family name), or for
    scripts without spaces at least two characters. It is not compared with the child's name.
"""

from __future__ import annotations

import base64
import binascii
import io
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

PNG_PREFIX = "data:image/png;base64,"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_PNG_BYTES = 300 * 1024
MAX_DATA_URL_CHARS = len(PNG_PREFIX) + (MAX_PNG_BYTES * 4) // 3 + 8
MAX_WIDTH, MAX_HEIGHT = 3000, 1500
MIN_WIDTH, MIN_HEIGHT = 100, 40
MIN_INK_PIXELS = 60
MIN_INK_SPAN = 20  # pixels across, so a single dot is not a signature


@dataclass(frozen=True)
class SignatureImage:
    png: bytes
    width: int
    height: int


def parse_signature_data_url(data_url: str) -> SignatureImage:
    """Decode and check a drawn signature. Raises ValidationError with a message for the signer."""
    data_url = (data_url or "").strip()
    if not data_url:
        raise ValidationError(_("Draw your signature in the box, or choose to sign with your typed name."))
    if len(data_url) > MAX_DATA_URL_CHARS:
        raise ValidationError(_("The signature image is too large. Please clear it and sign again."))
    if not data_url.startswith(PNG_PREFIX):
        raise ValidationError(_("The signature could not be read. Please clear it and sign again."))
    try:
        png = base64.b64decode(data_url[len(PNG_PREFIX) :], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValidationError(_("The signature could not be read. Please clear it and sign again.")) from exc
    if len(png) > MAX_PNG_BYTES:
        raise ValidationError(_("The signature image is too large. Please clear it and sign again."))
    if not png.startswith(PNG_MAGIC):
        raise ValidationError(_("The signature could not be read. Please clear it and sign again."))

    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(png)) as probe:
            probe.verify()
        with Image.open(io.BytesIO(png)) as image:
            if image.format != "PNG":
                raise ValidationError(_("The signature could not be read. Please clear it and sign again."))
            width, height = image.size
            if width > MAX_WIDTH or height > MAX_HEIGHT:
                raise ValidationError(_("The signature image is too large. Please clear it and sign again."))
            if width < MIN_WIDTH or height < MIN_HEIGHT:
                raise ValidationError(_("The signature box was too small. Please sign again."))
            image.load()
            ink, span = _ink(image)
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(_("The signature could not be read. Please clear it and sign again.")) from exc
    if ink < MIN_INK_PIXELS or span < MIN_INK_SPAN:
        raise ValidationError(_("The signature box looks empty. Please draw your signature."))
    return SignatureImage(png=png, width=width, height=height)


def _ink(image) -> tuple[int, int]:
    """How many pixels are dark enough to be ink, and how wide the inked area is."""
    from PIL import Image

    rgba = image.convert("RGBA")
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    grey = Image.alpha_composite(white, rgba).convert("L")
    mask = grey.point(lambda value: 255 if value < 160 else 0)
    ink = mask.histogram()[255]
    box = mask.getbbox()
    span = (box[2] - box[0]) if box else 0
    return ink, span


def fold_name(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text or "")
    kept = []
    for char in decomposed:
        if unicodedata.combining(char):
            continue
        kept.append(char if char.isalnum() else " ")
    return " ".join("".join(kept).casefold().split())


def _words(text: str) -> list[str]:
    return fold_name(text).split()


def typed_name_matches(typed: str, *, first_name: str, last_name: str) -> bool:
    """The patient's typed name follows the rule in this module's docstring."""
    typed_words = set(_words(typed))
    wanted = _words(first_name) + _words(last_name)
    if not wanted:
        return False
    if all(word in typed_words for word in wanted):
        return True
    compact = fold_name(typed).replace(" ", "")
    first, last = fold_name(first_name).replace(" ", ""), fold_name(last_name).replace(" ", "")
    return bool(first and last) and (first + last in compact or last + first in compact)


def guardian_name_is_full(typed: str) -> bool:
    words = _words(typed)
    if len(words) >= 2:
        return True
    # Scripts written without spaces: two or more characters make a full name.
    return len(words) == 1 and len(words[0]) >= 2 and not words[0].isascii()
