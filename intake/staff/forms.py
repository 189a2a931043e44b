"""Forms of the staff workspace: board filters, invite, demographics, review, visit record, audit filters."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any, cast

from django import forms
from django.utils import timezone

from intake.models import AdverseEvent, FlagLevel, Language, Patient, Progress, ReviewOutcome, Visit
from intake.patients.services import PATIENT_EDITABLE_FIELDS
from intake.regions import BODY_REGIONS, REGION_KEYS
from intake.visits.appointments import appointment_time_problem
from intake.visits.services import session_time_bounds
from messaging.phones import PhoneField
from portal.bounds import BoundedDateField, BoundedDateTimeField, BoundedIntegerField
from portal.dates import date_hint, date_pattern, format_clinic_date, parse_clinic_date
from portal.models import User
from portal.roles import Role


def clinicians():
    return User.objects.filter(groups__name=Role.CLINICIAN.value, is_active=True).order_by("last_name", "first_name")


class ClinicDateInput(forms.TextInput):
    """A text box in the clinic's order: a browser date picker would show the browser's order instead."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "numeric", "autocomplete": "off", **(attrs or {})})

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].setdefault("placeholder", date_pattern())
        return context

    def format_value(self, value):
        return format_clinic_date(value) if isinstance(value, date) else super().format_value(value)


class ClinicDateField(BoundedDateField):
    """A date typed in the clinic's order or ISO (portal/dates.py); never read in the other order, never
    outside the bounds of portal/bounds.py (1900-2100)."""

    widget = ClinicDateInput

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", date_hint())
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, date):
            return value
        parsed = parse_clinic_date(str(value))
        if parsed is None:
            raise forms.ValidationError(f"Enter the date as {date_hint()}.", code="invalid")
        return parsed


FlexibleDateField = ClinicDateField  # the older name, kept for callers outside this module


class DateOfBirthField(ClinicDateField):
    """A date of birth: in the clinic's order, not in the future, not before 1900 (a typo, not a person)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("error_messages", {}).setdefault("out_of_range", "Check the year of birth.")
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)  # the 1900 floor is portal/bounds.py's
        if value and value > timezone.localdate():
            raise forms.ValidationError("The date of birth cannot be in the future.")


class ClinicianChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class BoardFilterForm(forms.Form):
    """GET filters of the board; every field optional. An invalid value is left out of the filter and
    named above the list (board.html), so reception never reads an unfiltered list as a filtered one."""

    q = forms.CharField(required=False, max_length=100, label="Search")
    date_from = ClinicDateField(required=False, label="From")
    date_to = ClinicDateField(required=False, label="To")
    clinician = ClinicianChoiceField(queryset=User.objects.none(), required=False, empty_label="Any clinician")
    progress = forms.ChoiceField(required=False, choices=[("", "Any progress"), *Progress.choices])
    flag = forms.ChoiceField(
        required=False,
        label="Flag",
        choices=[("", "Any flag level"), ("any", "Any flag")]
        + [(str(v), str(label)) for v, label in FlagLevel.choices],
    )
    urgent = forms.BooleanField(required=False, label="Urgent only")
    # One-click ranges: they win over typed dates, so "Tomorrow" from any board view means tomorrow.
    WHEN = [("today", "Today"), ("tomorrow", "Tomorrow"), ("week", "This week")]
    when = forms.ChoiceField(required=False, choices=[("", "Any day"), *WHEN])
    not_ready = forms.BooleanField(required=False, label="Not ready (consent not signed yet)")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["clinician"]).queryset = clinicians()
        for name in ("clinician", "progress", "flag"):
            self.fields[name].widget.attrs["class"] = "form-select"

    def filter(self, queryset, *, today):
        """Apply the valid filters. Without a search or dates the board starts today."""
        self.is_valid()
        data = self.cleaned_data  # fields with errors are left out, so a bad value is ignored
        q = data.get("q") or ""
        date_from, date_to = data.get("date_from"), data.get("date_to")
        when = data.get("when")
        if when == "today":
            date_from = date_to = today
        elif when == "tomorrow":
            date_from = date_to = today + timedelta(days=1)
        elif when == "week":
            date_from, date_to = today, today + timedelta(days=6 - today.weekday())  # to Sunday
        if date_from is None and not q and not data.get("urgent"):
            date_from = today
        if date_from:
            queryset = queryset.filter(scheduled_at__gte=_start_of(date_from))
        if date_to:
            queryset = queryset.filter(scheduled_at__lt=_start_of(date_to + timedelta(days=1)))
        if data.get("clinician"):
            queryset = queryset.filter(clinician=data["clinician"])
        if data.get("progress"):
            queryset = queryset.filter(progress=data["progress"])
        flag = data.get("flag")
        if flag == "any":
            queryset = queryset.filter(flag_level__gte=FlagLevel.PLAN)
        elif flag:
            queryset = queryset.filter(flag_level=int(flag))
        if data.get("urgent"):
            queryset = queryset.filter(urgent_since__isnull=False)
        if data.get("not_ready"):
            queryset = queryset.not_ready()
        if q:
            queryset = queryset.search(q)
        return queryset, date_from


def _start_of(day):
    return timezone.make_aware(datetime.combine(day, time.min))


class InviteForm(forms.Form):
    first_name = forms.CharField(max_length=100)
    last_name = forms.CharField(max_length=100)
    date_of_birth = DateOfBirthField()
    email = forms.EmailField(required=False, help_text="Needed to send the link by email.")
    phone = PhoneField(required=False, help_text="Needed to send the link by text.")
    clinician = ClinicianChoiceField(queryset=User.objects.none(), required=False, empty_label="Not decided yet")
    scheduled_at = forms.DateTimeField(  # bounded by appointment_time_problem
        label="Appointment",
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    language = forms.ChoiceField(choices=Language.choices, initial=Language.ENGLISH)
    same_person_confirmed = forms.BooleanField(
        required=False, label="Yes, this is the same person: add the visit to their record"
    )
    new_course = forms.BooleanField(
        required=False,
        label="Start a new course of care (a new complaint: the patient answers the full screening)",
        help_text="Leave unticked to add the visit to the patient's current course as a follow-up session.",
    )
    complaint = forms.CharField(
        required=False, max_length=200, label="Main complaint of the course", help_text="Optional, e.g. 'neck'."
    )
    same_time_confirmed = forms.BooleanField(
        required=False, label="Yes, book another visit at the same time for this patient"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["clinician"]).queryset = clinicians()
        self.duplicates = []
        self.same_time = []

    def clean_scheduled_at(self):
        when = self.cleaned_data["scheduled_at"]
        problem = appointment_time_problem(when)
        if problem:
            raise forms.ValidationError(problem)
        return when

    def clean(self):
        from intake.patients.services import find_matching_patients

        super().clean()
        data = self.cleaned_data
        if data.get("first_name") and data.get("last_name") and data.get("date_of_birth"):
            self.duplicates = list(
                find_matching_patients(
                    first_name=data["first_name"], last_name=data["last_name"], date_of_birth=data["date_of_birth"]
                )[:5]
            )
            if self.duplicates and not data.get("same_person_confirmed"):
                raise forms.ValidationError(
                    "A patient with this name and date of birth already exists. Tick the box to confirm it is "
                    "the same person, or check the details."
                )
        if self.duplicates and data.get("scheduled_at"):
            from intake.patients.services import visits_at_the_same_time

            self.same_time = list(
                visits_at_the_same_time(patient=self.duplicates[0], scheduled_at=data["scheduled_at"])
            )
            if self.same_time and not data.get("same_time_confirmed"):
                raise forms.ValidationError(
                    "This patient already has a visit at that time. Tick the box to book another one anyway, "
                    "or change the time."
                )
        return data


class PatientForm(forms.ModelForm):
    """Demographics. `revision` is the version the editor started from, to catch concurrent edits."""

    revision = BoundedIntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Patient
        fields = list(PATIENT_EDITABLE_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date_of_birth"] = DateOfBirthField(label="Date of birth")
        self.fields["phone"] = PhoneField(label="Phone", required=False)
        self.fields["emergency_contact_phone"] = PhoneField(label="Emergency contact phone", required=False)
        self.fields["sms_opt_out"].label = "No text messages (the patient asked)"
        if not self.is_bound:
            self.initial["revision"] = self.instance.revision


class ScreeningReviewForm(forms.Form):
    outcome = forms.ChoiceField(choices=ReviewOutcome.choices, widget=forms.RadioSelect)
    note = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("outcome") == ReviewOutcome.NEEDS_DISCUSSION and not (data.get("note") or "").strip():
            self.add_error("note", "Say what needs discussing.")
        return data


class VisitRecordForm(forms.Form):
    """The session record. `visit` bounds the session time; a paper consent needs its scanned PDF."""

    PAPER_SCAN_MAX_BYTES = 10 * 1024 * 1024

    treated_at = BoundedDateTimeField(
        label="Session time",
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    # Not required: a post without it (an older form, a script) records the recorder as the treating clinician.
    treated_by = ClinicianChoiceField(
        queryset=User.objects.none(), label="Treating clinician", empty_label=None, required=False
    )
    regions = forms.MultipleChoiceField(
        label="Regions treated", choices=BODY_REGIONS, widget=forms.CheckboxSelectMultiple
    )
    adverse_events = forms.MultipleChoiceField(
        label="During the session",
        required=False,
        choices=AdverseEvent.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave empty if nothing happened.",
    )
    notes = forms.CharField(
        required=False,
        max_length=4000,
        label="Notes",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    paper_consent = forms.BooleanField(
        required=False,
        label="Consent on paper, scanned copy attached",
        help_text="Only when the patient signed the clinic's paper consent form instead of the online one.",
    )
    paper_consent_scan = forms.FileField(
        required=False,
        label="Scanned paper consent (PDF)",
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )

    def __init__(self, *args, visit: Visit, **kwargs):
        super().__init__(*args, **kwargs)
        self.visit = visit
        cast(forms.ModelChoiceField, self.fields["treated_by"]).queryset = clinicians()
        self.fields["treated_by"].widget.attrs["class"] = "form-select"

    def clean_paper_consent_scan(self):
        scan = self.cleaned_data.get("paper_consent_scan")
        if scan is None:
            return None
        if scan.size > self.PAPER_SCAN_MAX_BYTES:
            raise forms.ValidationError("The scan is larger than 10 MB. Scan it again at a lower resolution.")
        head = scan.read(5)
        scan.seek(0)
        if head != b"%PDF-":
            raise forms.ValidationError("The scan must be a PDF file.")
        return scan

    def clean_regions(self):
        regions = [key for key in self.cleaned_data["regions"] if key in REGION_KEYS]
        if not regions:
            raise forms.ValidationError("Choose at least one region.")
        return regions

    def clean_treated_at(self):
        when = self.cleaned_data["treated_at"]
        earliest, latest = session_time_bounds(self.visit)
        if when > latest:
            raise forms.ValidationError("The session time cannot be in the future.")
        if when < earliest:
            raise forms.ValidationError("The session time is before this visit was booked. Check the date.")
        return when

    def clean(self):
        data = super().clean() or {}
        if AdverseEvent.OTHER in (data.get("adverse_events") or []) and not (data.get("notes") or "").strip():
            self.add_error("notes", "Say in the notes what else happened.")
        if data.get("paper_consent") and not data.get("paper_consent_scan") and not self.visit.consent_on_paper:
            self.add_error("paper_consent_scan", "Attach the scanned paper consent form (a PDF).")
        if data.get("paper_consent_scan") and not data.get("paper_consent"):
            self.add_error("paper_consent", "Tick this box to record that consent was taken on paper.")
        return data


class AuditFilterForm(forms.Form):
    action = forms.CharField(required=False, max_length=64)
    actor = forms.ModelChoiceField(queryset=User.objects.none(), required=False, empty_label="Anyone")
    date_from = ClinicDateField(required=False, label="From")
    date_to = ClinicDateField(required=False, label="To")
    patient = forms.UUIDField(required=False, label="Patient id")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["actor"]).queryset = User.objects.order_by("username")
        self.fields["actor"].widget.attrs["class"] = "form-select"

    def filter(self, queryset):
        if not self.is_valid():
            return queryset.none()
        data = self.cleaned_data
        if data["action"]:
            queryset = queryset.filter(action__startswith=data["action"].strip())
        if data["actor"]:
            queryset = queryset.filter(actor=data["actor"])
        if data["date_from"]:
            queryset = queryset.filter(at__gte=_start_of(data["date_from"]))
        if data["date_to"]:
            queryset = queryset.filter(at__lt=_start_of(data["date_to"] + timedelta(days=1)))
        if data["patient"]:
            queryset = queryset.filter(patient_id=data["patient"])
        return queryset


class LegalHoldForm(forms.Form):
    """The clinic admin's reason for keeping a record past its retention date (no health details)."""

    reason = forms.CharField(
        max_length=500,
        strip=True,
        label="Reason for the legal hold",
        help_text="For example a claim or a regulator's request, with its reference. No health details.",
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )


class DischargeForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        label="Reason for discharge",
        help_text="For example: goals met, referred on, patient chose to stop.",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Give the reason for the discharge."},
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Give the reason for the discharge.")
        return reason
