"""Forms of the integration pages: tokens, webhook endpoints, appointment import."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django import forms
from django.utils import timezone

from api.models import Event, Scope
from api.tokens import parse_networks
from api.webhooks import check_url


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="Which system uses it, e.g. 'Cliniko sync'.")
    source = forms.SlugField(
        max_length=40,
        initial="api",
        help_text="External ids are unique per source. Give a second practice system its own source.",
    )
    scopes = forms.MultipleChoiceField(choices=Scope.choices, widget=forms.CheckboxSelectMultiple)
    allowed_networks = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Allowed addresses",
        help_text="Optional: IP addresses or networks (CIDR), one per line. Empty allows any address.",
    )
    expires_on = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Optional: the token stops working after this day.",
    )

    def clean_allowed_networks(self) -> list[str]:
        try:
            return parse_networks(self.cleaned_data["allowed_networks"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        if day is not None and day < timezone.localdate():
            raise forms.ValidationError("That day has passed.")
        return day

    def expires_at(self) -> datetime | None:
        day = self.cleaned_data["expires_on"]
        return timezone.make_aware(datetime.combine(day, time.max)) if day else None


class WebhookForm(forms.Form):
    name = forms.CharField(max_length=100)
    url = forms.URLField(max_length=500, label="Address (URL)", assume_scheme="https")
    events = forms.MultipleChoiceField(choices=Event.choices, widget=forms.CheckboxSelectMultiple)
    allow_private_network = forms.BooleanField(
        required=False,
        label="Allow a private network address",
        help_text="Only for a server inside the clinic's own network. Leave unticked for anything on the internet.",
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("url"):
            reason = check_url(data["url"], allow_private_network=bool(data.get("allow_private_network")))
            if reason:
                self.add_error("url", reason)
        return data


class ImportForm(forms.Form):
    """The file and how to read it; the fields start from the clinic's last import (ImportMapping)."""

    file = forms.FileField(help_text="A .csv file, or an .ics calendar export.")
    source = forms.SlugField(
        max_length=40,
        help_text="A short name for the system the file comes from. Appointment ids are unique per source.",
    )
    date_format = forms.ChoiceField(
        choices=[("iso", "YYYY-MM-DD"), ("dmy", "DD/MM/YYYY"), ("mdy", "MM/DD/YYYY")], label="Dates are written as"
    )
    # CSV: which column holds each field.
    col_external_id = forms.CharField(max_length=100, label="Appointment id column")
    col_first_name = forms.CharField(max_length=100, label="First name column")
    col_last_name = forms.CharField(max_length=100, label="Last name column")
    col_date_of_birth = forms.CharField(max_length=100, label="Date of birth column")
    col_scheduled_at = forms.CharField(max_length=100, label="Appointment date and time column")
    col_email = forms.CharField(max_length=100, required=False, label="Email column")
    col_phone = forms.CharField(max_length=100, required=False, label="Phone column")
    col_language = forms.CharField(max_length=100, required=False, label="Language column (en or es)")
    col_clinician = forms.CharField(max_length=100, required=False, label="Clinician column (portal username)")
    # iCalendar: where the patient is found in each event.
    name_from = forms.ChoiceField(
        choices=[
            ("attendee", "The attendee's name"),
            ("summary", "The event title"),
            ("description", "A line in the description"),
        ],
        label="Patient's name (calendar)",
    )
    name_label = forms.CharField(
        max_length=40, label="Name line label", help_text="e.g. “Patient” for a line “Patient: Ana Ruiz”"
    )
    dob_label = forms.CharField(max_length=40, label="Date of birth line label")
    email_from = forms.ChoiceField(
        choices=[("attendee", "The attendee's address"), ("description", "A line in the description")],
        label="Patient's email (calendar)",
    )
    email_label = forms.CharField(max_length=40, label="Email line label")
    phone_label = forms.CharField(max_length=40, label="Phone line label")

    COLUMN_FIELDS = (
        "external_id",
        "first_name",
        "last_name",
        "date_of_birth",
        "scheduled_at",
        "email",
        "phone",
        "language",
        "clinician",
    )
    ICS_FIELDS = ("name_from", "name_label", "dob_label", "email_from", "email_label", "phone_label")

    @classmethod
    def initial_from(cls, csv_mapping: dict, ics_mapping: dict) -> dict:
        initial = {f"col_{name}": csv_mapping["columns"].get(name, "") for name in cls.COLUMN_FIELDS}
        initial.update({name: ics_mapping[name] for name in cls.ICS_FIELDS})
        initial.update(date_format=csv_mapping["date_format"], source=csv_mapping["source"])
        return initial

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith((".csv", ".ics", ".txt")):
            raise forms.ValidationError("Upload a .csv file or an .ics calendar file.")
        return upload

    @property
    def kind(self) -> str:
        return "ics" if self.cleaned_data["file"].name.lower().endswith(".ics") else "csv"

    def mapping(self) -> dict:
        data = self.cleaned_data
        common = {"date_format": data["date_format"], "source": data["source"]}
        if self.kind == "ics":
            return {**common, **{name: data[name] for name in self.ICS_FIELDS}}
        return {**common, "columns": {name: data[f"col_{name}"] for name in self.COLUMN_FIELDS}}
