"""Phone numbers, parsed and normalised with django-phonenumber-field in the clinic's region."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from phonenumber_field.phonenumber import PhoneNumber, to_python  # type: ignore[import-untyped]

INVALID_PHONE = _("Enter a phone number we can call, with its area code. A number from another country starts with +.")


def parse_phone(text: str) -> PhoneNumber | None:
    """The number if it is a valid one (local numbers read in CLINIC_PHONE_REGION), else None."""
    if not (text or "").strip():
        return None
    number = to_python(text.strip(), region=settings.CLINIC_PHONE_REGION)
    if not isinstance(number, PhoneNumber) or not number.is_valid():
        return None
    return number


def normalise_phone(text: str) -> str:
    """ "" for blank, the E.164 form ("+447700900123") for a valid number; ValidationError otherwise."""
    if not (text or "").strip():
        return ""
    number = parse_phone(text)
    if number is None:
        raise ValidationError(INVALID_PHONE, code="invalid_phone")
    return number.as_e164


def textable_number(text: str) -> str | None:
    """The E.164 number to text, or None when the stored text is not a valid number."""
    number = parse_phone(text)
    return number.as_e164 if number is not None else None


def e164(number: PhoneNumber | str | None) -> str:
    """A stored PhoneNumberField value as E.164 text ("" when empty): str() of one is its display form."""
    if not number:
        return ""
    return number.as_e164 if isinstance(number, PhoneNumber) else str(number)


class PhoneField(forms.CharField):
    """A form field that accepts a number as people type it and cleans it to E.164 (+12015550123).
    Local numbers are read in CLINIC_PHONE_REGION; a number that does not parse gets INVALID_PHONE."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}))
        super().__init__(*args, **kwargs)

    def clean(self, value):
        return normalise_phone(super().clean(value))
