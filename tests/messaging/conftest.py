import pytest

from tests.factories import PatientFactory, VisitFactory


@pytest.fixture
def alert_visit(clinician):
    clinician.email = "doc@example.com"
    clinician.save(update_fields=["email"])
    patient = PatientFactory(
        first_name="Ana",
        last_name="García",
        phone="+12015550123",
        emergency_contact_name="Luis García",
        emergency_contact_phone="+12015550124",
        emergency_contact_relationship="brother",
    )
    return VisitFactory(patient=patient, clinician=clinician)


@pytest.fixture
def alert_settings(settings):
    settings.CLINIC_ALERT_EMAILS = ["oncall@example.com"]
    settings.CLINIC_ALERT_PHONES = ["+12015550150"]
    settings.CLINIC_ESCALATION_EMAILS = ["manager@example.com"]
    settings.CLINIC_ESCALATION_PHONES = ["+12015550160"]
    settings.ALERT_ESCALATE_MINUTES = 30
    settings.SITE_URL = "https://portal.example-clinic.com"
    return settings


@pytest.fixture
def as_user():
    from django.test import Client

    def login(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return login
