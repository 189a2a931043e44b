"""Forms of the integration pages: tokens, webhook endpoints, appointment import."""

from __future__ import annotations

from datetime import datetime, time

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

    def clean(self):
        data = super().clean()
        if data.get("url"):
            reason = check_url(data["url"], allow_private_network=bool(data.get("allow_private_network")))
            if reason:
                self.add_error("url", reason)
        return data
