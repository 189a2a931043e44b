"""The server checks the drawn signature image and the typed name; it trusts nothing from the browser."""

from __future__ import annotations

import base64
import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from consent.demo import demo_signature_png
from consent.signatures import guardian_name_is_full, parse_signature_data_url, typed_name_matches


def data_url(png: bytes, prefix: str = "data:image/png;base64,") -> str:
    return prefix + base64.b64encode(png).decode()


def png_of(image: Image.Image, fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def test_a_real_drawn_signature_is_accepted():
    signature = parse_signature_data_url(data_url(demo_signature_png()))
    assert signature.png.startswith(b"\x89PNG")
    assert (signature.width, signature.height) == (600, 200)


@pytest.mark.parametrize(
    "value, message",
    [
        ("", "Draw your signature"),
        ("data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=", "could not be read"),
        ("data:image/png;base64,not base64!!", "could not be read"),
        (data_url(b"GIF89a" + b"\0" * 100), "could not be read"),
        (data_url(b"\x89PNG\r\n\x1a\n" + b"garbage" * 10), "could not be read"),
        (data_url(b"x" * (400 * 1024)), "too large"),
    ],
)
def test_bad_signature_data_gets_a_clear_message(value, message):
    with pytest.raises(ValidationError, match=message):
        parse_signature_data_url(value)


def test_a_jpeg_dressed_up_as_png_is_refused():
    jpeg = png_of(Image.new("RGB", (300, 100), "white"), fmt="JPEG")
    with pytest.raises(ValidationError, match="could not be read"):
        parse_signature_data_url(data_url(jpeg))


def test_a_blank_canvas_is_refused():
    blank = png_of(Image.new("RGBA", (600, 200), (0, 0, 0, 0)))
    with pytest.raises(ValidationError, match="looks empty"):
        parse_signature_data_url(data_url(blank))


def test_a_single_dot_is_not_a_signature():
    image = Image.new("RGBA", (600, 200), (0, 0, 0, 0))
    for x in range(300, 305):
        for y in range(100, 105):
            image.putpixel((x, y), (0, 0, 0, 255))
    with pytest.raises(ValidationError, match="looks empty"):
        parse_signature_data_url(data_url(png_of(image)))


def test_a_huge_canvas_is_refused():
    with pytest.raises(ValidationError, match="too large"):
        parse_signature_data_url(data_url(png_of(Image.new("1", (5000, 200), 1))))


@pytest.mark.parametrize(
    "typed",
    ["Zoë Ölander", "zoe olander", "ZOË ÖLANDER", "Olander, Zoe", "Zoë Maria Ölander", "  zoë   ölander  "],
)
def test_the_patients_name_matches_ignoring_accents_case_order_and_middle_names(typed):
    assert typed_name_matches(typed, first_name="Zoë", last_name="Ölander")


@pytest.mark.parametrize("typed", ["Zoë", "Ölander", "Zoey Olanders", "Someone Else", ""])
def test_a_different_or_partial_name_does_not_match(typed):
    assert not typed_name_matches(typed, first_name="Zoë", last_name="Ölander")


def test_apostrophes_and_hyphens_count_as_spaces():
    assert typed_name_matches("Liam O Brien", first_name="Liam", last_name="O'Brien")
    assert typed_name_matches("ana garcia-lopez", first_name="Ana", last_name="García López")


def test_names_in_scripts_without_spaces_match_written_together():
    assert typed_name_matches("陈美", first_name="美", last_name="陈")
    assert typed_name_matches("陈 美", first_name="美", last_name="陈")
    assert not typed_name_matches("陈", first_name="美", last_name="陈")


def test_a_guardian_types_a_full_name_of_their_own():
    assert guardian_name_is_full("Anna Becker")
    assert guardian_name_is_full("山田花子")
    assert not guardian_name_is_full("Anna")
    assert not guardian_name_is_full("")
