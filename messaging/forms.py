from django import forms
from django.conf import settings

from messaging.models import Outcome
from messaging.phones import PhoneField


class AcknowledgeForm(forms.Form):
    outcome = forms.ChoiceField(
        label="What did you do?",
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what you did.", "invalid_choice": "Choose what you did."},
    )
    note = forms.CharField(
        label="Note",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What happened, e.g. what the patient said and what you advised.",
        error_messages={"required": "Add a short note of what happened."},
    )


class AlertContactForm(forms.Form):
    """A staff member's own alert phone and language (My alert contact)."""

    alert_phone = PhoneField(
        label="Mobile phone for alerts",
        required=False,
        help_text="Red-flag alerts for your patients are texted here. Leave it empty for email only.",
    )
    alert_language = forms.ChoiceField(
        label="Language of your alerts",
        choices=settings.LANGUAGES,
        error_messages={"required": "Choose a language.", "invalid_choice": "Choose English or Spanish."},
    )
