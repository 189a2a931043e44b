"""The clinic admin places and releases a legal hold from the patient record, with a reason, audited."""

from __future__ import annotations

import pytest
from django.test import Client

from intake.models import Patient
from portal.models import AuditEvent
from tests.factories import VisitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def patient(db):
    return VisitFactory().patient


def _admin(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_clinic_admin_places_a_hold_with_a_reason_and_it_is_audited(patient, clinic_admin):
    response = _admin(clinic_admin).post(f"/staff/patients/{patient.pk}/legal-hold/", {"reason": "Claim ref 17"})
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.on_legal_hold and patient.legal_hold_reason == "Claim ref 17"
    assert patient.legal_hold_by == clinic_admin
    event = AuditEvent.objects.get(action="patient.legal_hold_set")
    assert event.patient == patient and event.actor == clinic_admin
    assert "Claim" not in str(event.details)  # the reason is free text: never in the audit details


def test_the_record_page_shows_the_hold_and_the_release_button(patient, clinic_admin):
    client = _admin(clinic_admin)
    client.post(f"/staff/patients/{patient.pk}/legal-hold/", {"reason": "Regulator request"})
    page = client.get(f"/staff/patients/{patient.pk}/").content.decode()
    assert "On legal hold" in page and "Regulator request" in page and "Release the legal hold" in page


def test_reception_sees_the_hold_but_not_its_reason_or_the_form(patient, clinic_admin, reception):
    _admin(clinic_admin).post(f"/staff/patients/{patient.pk}/legal-hold/", {"reason": "Claim ref 17"})
    page = _admin(reception).get(f"/staff/patients/{patient.pk}/").content.decode()
    assert "On legal hold" in page
    assert "Claim ref 17" not in page and "Release the legal hold" not in page and "Place a legal hold" not in page


@pytest.mark.parametrize("reason", ["", "   ", "x" * 501])
def test_a_missing_or_overlong_reason_sets_no_hold_and_says_why(patient, clinic_admin, reason):
    client = _admin(clinic_admin)
    response = client.post(f"/staff/patients/{patient.pk}/legal-hold/", {"reason": reason}, follow=True)
    assert response.status_code == 200
    assert "Legal hold not set" in response.content.decode()
    assert not Patient.objects.get(pk=patient.pk).on_legal_hold
    assert not AuditEvent.objects.filter(action="patient.legal_hold_set").exists()


def test_releasing_clears_the_hold_and_is_audited(patient, clinic_admin):
    client = _admin(clinic_admin)
    client.post(f"/staff/patients/{patient.pk}/legal-hold/", {"reason": "Claim ref 17"})
    client.post(f"/staff/patients/{patient.pk}/legal-hold/", {"action": "release"})
    patient.refresh_from_db()
    assert not patient.on_legal_hold and patient.legal_hold_reason == ""
    assert AuditEvent.objects.filter(action="patient.legal_hold_released", patient=patient).count() == 1


def test_placing_a_hold_twice_keeps_the_first(patient, clinic_admin):
    client = _admin(clinic_admin)
    client.post(f"/staff/patients/{patient.pk}/legal-hold/", {"reason": "First"})
    response = client.post(f"/staff/patients/{patient.pk}/legal-hold/", {"reason": "Second"}, follow=True)
    assert "already on legal hold" in response.content.decode()
    assert Patient.objects.get(pk=patient.pk).legal_hold_reason == "First"


def test_a_get_is_not_allowed(patient, clinic_admin):
    assert _admin(clinic_admin).get(f"/staff/patients/{patient.pk}/legal-hold/").status_code == 405


def test_an_unknown_patient_is_404(clinic_admin):
    url = "/staff/patients/00000000-0000-0000-0000-000000000000/legal-hold/"
    assert _admin(clinic_admin).post(url, {"reason": "x"}).status_code == 404
