"""The API's request and reply shapes. Requests forbid unknown fields, so a typo is an error, not ignored."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils import timezone
from ninja import Schema
from pydantic import AwareDatetime, ConfigDict, Field, field_validator

from intake.visits.appointments import appointment_time_problem
from messaging.phones import normalise_phone


class Strict(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PatientIn(Strict):
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    date_of_birth: date
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=40)
    language: Literal["en", "es"] = "en"

    @field_validator("date_of_birth")
    @classmethod
    def _born(cls, value: date) -> date:
        if value > timezone.localdate():
            raise ValueError("The date of birth is in the future.")
        if value.year < 1900:
            raise ValueError("The date of birth is before 1900. Check the year.")
        return value

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if value:
            try:
                validate_email(value)
            except DjangoValidationError:
                raise ValueError("This is not an email address.") from None
        return value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        """Stored as the patient forms store it (E.164), or refused with their words: a text to "call me
        maybe" would only fail later, in the message queue."""
        try:
            return normalise_phone(value)
        except DjangoValidationError as error:
            raise ValueError(error.messages[0]) from None


class VisitIn(Strict):
    external_id: str = Field(min_length=1, max_length=200, description="Your system's id for this appointment")
    patient: PatientIn
    scheduled_at: AwareDatetime = Field(description="ISO 8601 with a time zone, e.g. 2026-12-08T09:30:00+01:00")
    clinician: str | None = Field(None, max_length=150, description="The treating clinician's portal username")
    send_link: bool = Field(False, description="Email the patient a fresh link (needs patient.email)")

    @field_validator("scheduled_at")
    @classmethod
    def _when(cls, value: datetime) -> datetime:
        problem = appointment_time_problem(value)
        if problem:
            raise ValueError(problem)
        return value


class ExternalIdOut(Schema):
    source: str
    id: str


class FlagOut(Schema):
    code: str
    level: Literal["none", "plan", "review", "stop"]
    title: str | None = Field(None, description="Only with the answers:read scope")
    rule: str | None = Field(None, description="Only with the answers:read scope")
    answer: str | None = Field(None, description="Only with the answers:read scope")


class ConsentOut(Schema):
    state: Literal["none", "signed", "confirmed", "withdrawn"]
    id: str | None = None
    signed_at: datetime | None = None
    withdrawn_at: datetime | None = None
    pdf_url: str | None = Field(None, description="Download with the consents:read scope")


class PatientOut(Schema):
    id: str
    first_name: str
    last_name: str
    date_of_birth: date
    email: str
    phone: str
    language: str


class StepsOut(Schema):
    opened_at: datetime | None
    explanation_read_at: datetime | None
    screening_done_at: datetime | None
    understanding_done_at: datetime | None
    signed_at: datetime | None
    confirmed_at: datetime | None
    visited_at: datetime | None
    checked_in_at: datetime | None


class VisitOut(Schema):
    id: str
    patient_id: str
    external_ids: list[ExternalIdOut]
    scheduled_at: datetime
    language: str
    clinician: str | None
    progress: str
    steps: StepsOut
    flag_level: Literal["none", "plan", "review", "stop"]
    flags: list[FlagOut]
    urgent: bool
    consent: ConsentOut
    updated_at: datetime
    link_sent: bool | None = Field(None, description="On create/update: whether a link was emailed")
    patient: PatientOut | None = Field(None, description="Only with the patients:read scope")


class VisitPage(Schema):
    items: list[VisitOut]
    next_cursor: str | None = Field(None, description="Pass as ?cursor= for the next page; null at the end")


class FieldProblem(Schema):
    pointer: str | None = None
    parameter: str | None = None
    detail: str


class ProblemOut(Schema):
    type: str = "about:blank"
    title: str
    status: int
    code: str
    detail: str | None = None
    errors: list[FieldProblem] | None = None
