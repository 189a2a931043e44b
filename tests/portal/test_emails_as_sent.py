"""Each email the portal sends, built by its real sender through make_message, with a clinic named
"Smith & Jones Physio" and a patient called D'Arcy: subject and text plain, HTML escaped, and a
bidi control in the name changes nothing around it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import TestCase, override_settings
from django.utils import timezone

from intake.models import Patient
from tests.factories import AccessLinkFactory, PatientFactory, VisitFactory, VisitRecordFactory

pytestmark = pytest.mark.django_db

CLINIC = "Smith & Jones Physio"
NAME = "D'Arcy"


def _html(message) -> str:
    return next(body for body, kind in message.alternatives if kind == "text/html")


def _check(message, *, name_in_body: bool = True) -> None:
    assert CLINIC in message.subject or CLINIC in message.body
    plain = message.subject + message.body
    assert "&amp;" not in plain and "&#x27;" not in plain and "&lt;" not in plain
    assert CLINIC in message.body
    html = _html(message)
    assert "Smith &amp; Jones Physio" in html and CLINIC not in html
    if name_in_body:
        assert NAME in message.body
        assert "D&#x27;Arcy" in html
    assert "\u202e" not in plain + html


@pytest.fixture
def patient():
    patient = PatientFactory(first_name=NAME, email="darcy@example.com")
    Patient.objects.filter(pk=patient.pk).update(first_name=f"\u202e{NAME}")  # an older row, around the model
    patient.refresh_from_db()
    return patient


@override_settings(CLINIC_NAME=CLINIC)
def test_the_link_email(patient):
    from intake.links.services import send_link_message

    visit = VisitFactory(patient=patient)
    AccessLinkFactory(visit=visit)
    with TestCase.captureOnCommitCallbacks(execute=True):
        send_link_message(visit=visit)
    (message,) = mail.outbox
    _check(message)


@override_settings(CLINIC_NAME=CLINIC)
def test_the_check_in_reminder_email(patient):
    from intake.aftercare.reminders import send_reminder

    visit = VisitFactory(patient=patient, visited_at=timezone.now() - timedelta(hours=20))
    VisitRecordFactory(visit=visit, treated_at=timezone.now() - timedelta(hours=20))
    AccessLinkFactory(visit=visit)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert send_reminder(visit=visit, window="24h")
    (message,) = mail.outbox
    _check(message, name_in_body=False)  # the reminder greets no one by name


@override_settings(CLINIC_NAME=CLINIC)
def test_the_signed_copy_email(patient, clinician):
    from consent.demo import demo_signature_png, seed_versions
    from consent.services import queue_signed_copy, sign_consent
    from tests.consent.conftest import full_acknowledgements

    version = seed_versions()
    visit = VisitFactory(patient=patient, clinician=clinician, ready_to_sign=True)
    record = sign_consent(
        visit=visit,
        version=version,
        signer_name=patient.full_name,
        signature_png=demo_signature_png(),
        acknowledgements=full_acknowledgements(version),
        time_zone="UTC",
        send_email=False,
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert queue_signed_copy(record=record)
    (message,) = mail.outbox
    _check(message)
