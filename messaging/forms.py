from django import forms

from messaging.models import Outcome


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
