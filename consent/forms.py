"""Forms for signing, confirming, withdrawing and verifying consent. They validate and normalise."""

from __future__ import annotations

import zoneinfo
from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from consent.models import ConsentRecord, ConsentVersion
from consent.signatures import (
    MAX_DATA_URL_CHARS,
    guardian_name_is_full,
    parse_signature_data_url,
    typed_name_matches,
)
from intake.models import Patient
from portal.text import strip_bidi_controls


class SignForm(forms.Form):
    """The signing step. Fields for a guardian appear when the patient is under 18."""

    version_id = forms.UUIDField(widget=forms.HiddenInput)
    electronic_signature = forms.BooleanField(
        label=_("I agree to sign this consent electronically and to get my copy electronically."),
        error_messages={"required": _("Tick this box to sign electronically, or ask the clinic for a paper form.")},
    )
    read_and_understood = forms.BooleanField(
        label=_("I have read the information about dry needling and I know I can ask questions."),
        error_messages={"required": _("Tick this box to show you have read the information.")},
    )
    voluntary = forms.BooleanField(
        label=_("I know dry needling is my choice. I can say no, or stop at any time, even during a session."),
        error_messages={"required": _("Tick this box to show you know you can say no or stop.")},
    )
    typed_name = forms.CharField(
        label=_("Type your full name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name", "autocapitalize": "words", "spellcheck": "false"}),
        error_messages={"required": _("Type your full name.")},
    )
    cannot_draw = forms.BooleanField(
        label=_("I can't draw a signature. Use my typed name as my signature."), required=False
    )
    signature = forms.CharField(required=False, widget=forms.HiddenInput, max_length=MAX_DATA_URL_CHARS)
    time_zone = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, version: ConsentVersion, patient: Patient, minor: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.version = version
        self.patient = patient
        self.minor = minor
        self.fields["version_id"].initial = version.pk
        self.risk_fields = []
        for index, risk in enumerate(version.risks):
            name = f"risk_{index}"
            self.fields[name] = forms.BooleanField(
                label=f"{risk.get('name', '')} ({risk.get('frequency', '')})",
                error_messages={"required": _("Tick this box to show you understand this risk.")},
            )
            self.risk_fields.append(name)
        if minor:
            self.fields["typed_name"].label = _("Parent or guardian: type your own full name")
            self.fields["guardian_relationship"] = forms.CharField(
                label=_("Your relationship to the patient"),
                help_text=_("For example: mother, father, legal guardian."),
                max_length=100,
                error_messages={"required": _("Tell us how you are related to the patient.")},
            )
            self.fields["guardian_involved_minor"] = forms.BooleanField(
                label=_("I have talked about dry needling with the young person, and they took part in the decision."),
                error_messages={"required": _("Tick this box to confirm the young person took part.")},
            )

    # Fields grouped for the template.
    def risk_bound_fields(self):
        return [self[name] for name in self.risk_fields]

    def clean_version_id(self):
        value = self.cleaned_data["version_id"]
        if value != self.version.pk:
            raise ValidationError(
                _("The consent text has just been updated. Please read the new version below and sign it."),
                code="stale",
            )
        return value

    def clean_typed_name(self):
        typed = " ".join(strip_bidi_controls(self.cleaned_data["typed_name"]).split())
        if self.minor:
            if not guardian_name_is_full(typed):
                raise ValidationError(_("Type your own first and last name."))
        elif not typed_name_matches(typed, first_name=self.patient.first_name, last_name=self.patient.last_name):
            raise ValidationError(
                _("Type your full name as the clinic has it: your first name and your last name."),
                code="name_mismatch",
            )
        return typed

    def clean_time_zone(self):
        value = (self.cleaned_data.get("time_zone") or "").strip()
        try:
            if value and value in zoneinfo.available_timezones():
                return value
        except (ValueError, zoneinfo.ZoneInfoNotFoundError):
            pass
        return settings.TIME_ZONE

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("cannot_draw"):
            cleaned["signature_png"] = None
        else:
            try:
                cleaned["signature_png"] = parse_signature_data_url(cleaned.get("signature", "")).png
            except ValidationError as error:
                self.add_error("signature", error)
        if "signature" in self.errors:
            # Never echo an invalid signature back into the page (it may be megabytes): the pad starts empty.
            data = cast(QueryDict, self.data).copy()
            data["signature"] = ""
            self.data = data
        return cleaned

    def acknowledgements(self) -> dict:
        data = self.cleaned_data
        return {
            "electronic_signature": bool(data.get("electronic_signature")),
            "read_and_understood": bool(data.get("read_and_understood")),
            "voluntary": bool(data.get("voluntary")),
            "guardian_involved_minor": bool(data.get("guardian_involved_minor")),
            "risks": [risk.get("name", "") for risk in self.version.risks],
        }

    @property
    def signer_role(self) -> str:
        return ConsentRecord.SignerRole.GUARDIAN if self.minor else ConsentRecord.SignerRole.PATIENT


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you withdrawing? (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(
        label=_("I want to withdraw my consent to dry needling."),
        error_messages={"required": _("Tick this box to withdraw your consent.")},
    )


class StaffWithdrawForm(forms.Form):
    reason = forms.CharField(
        label="What did the patient ask, and how (phone, in person, email)?",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(label="The patient asked to withdraw their consent, and I am recording it for them.")


class ConfirmForm(forms.Form):
    discussed = forms.BooleanField(
        label=(
            "I discussed this consent with the patient (or their guardian), explained the risks and the "
            "alternatives, answered their questions, and they still want to go ahead."
        ),
        error_messages={"required": "Tick this box to confirm the discussion took place."},
    )


class VerifyForm(forms.Form):
    MAX_BYTES = 20 * 1024 * 1024

    file = forms.FileField(label="Consent PDF to check")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise ValidationError("That file is larger than any consent PDF (20 MB).")
        return upload
