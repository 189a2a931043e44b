"""Pages that list things run the same number of queries however many rows they show."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from intake.models import CheckIn, ScreeningResponse
from portal import audit
from tests.factories import AccessLinkFactory, PatientFactory, VisitFactory

pytestmark = pytest.mark.django_db


def _count(client, url):
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _patient_with_visits(n, clinician):
    patient = PatientFactory()
    now = timezone.now()
    for _ in range(n):
        visit = VisitFactory(patient=patient, clinician=clinician, visited_at=now)
        AccessLinkFactory(visit=visit)
        ScreeningResponse.objects.create(visit=visit, questionnaire_version="2026.1", answers={"pain_now": 3})
        CheckIn.objects.create(visit=visit, window="24h", soreness=2, trend="better")
        audit.record("patient.viewed", patient=patient, actor=clinician)
    return patient


def test_the_patient_record_costs_the_same_with_one_or_six_visits(clinician, as_user):
    client = as_user(clinician)
    small = _count(client, f"/staff/patients/{_patient_with_visits(1, clinician).pk}/")
    large = _count(client, f"/staff/patients/{_patient_with_visits(6, clinician).pk}/")
    assert small == large


@pytest.mark.parametrize("events", [5, 50])
def test_the_audit_log_costs_the_same_for_5_and_50_events(clinic_admin, as_user, events):
    for _ in range(events):
        audit.record("link.issued", actor=clinic_admin)
    # session, user, groups, actor choices for the filter, one page of events with their actors,
    # and the audit log's own "audit.viewed" event
    assert _count(as_user(clinic_admin), "/staff/audit/") == 6
