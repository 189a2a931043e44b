"""The access report (who saw the record, when, from where) and the patient access pack (the zip)."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.test import Client
from pypdf import PdfReader

from intake.models import Language
from portal.models import AuditEvent
from tests.factories import VisitFactory, VisitRecordFactory

pytestmark = pytest.mark.django_db


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def seen_record(signed_record, reception):
    """A signed, confirmed, treated visit whose record reception opened from a known address."""
    VisitRecordFactory(visit=signed_record.visit)
    patient = signed_record.visit.patient
    _as(reception).get(f"/staff/patients/{patient.pk}/", REMOTE_ADDR="198.51.100.23")
    return signed_record


def test_the_report_shows_who_opened_the_record_when_and_from_where(seen_record, reception, clinic_admin):
    patient = seen_record.visit.patient
    page = _as(clinic_admin).get(f"/staff/patients/{patient.pk}/access/").content.decode()
    assert "198.51.100.23" in page
    assert (reception.get_full_name() or reception.username) in page
    assert "Opened your record" in page and "patient.viewed" in page


def test_viewing_the_report_is_audited_and_shows_on_the_next_viewing(seen_record, clinic_admin):
    patient = seen_record.visit.patient
    client = _as(clinic_admin)
    assert "patient.access_report_viewed" not in client.get(f"/staff/patients/{patient.pk}/access/").content.decode()
    assert AuditEvent.objects.filter(action="patient.access_report_viewed", patient=patient).count() == 1
    assert "patient.access_report_viewed" in client.get(f"/staff/patients/{patient.pk}/access/").content.decode()


def test_the_report_shows_only_this_patients_events(seen_record, clinic_admin, reception):
    other = VisitFactory().patient
    _as(reception).get(f"/staff/patients/{other.pk}/", REMOTE_ADDR="192.0.2.99")
    page = _as(clinic_admin).get(f"/staff/patients/{seen_record.visit.patient_id}/access/").content.decode()
    assert "192.0.2.99" not in page


def test_a_bad_page_number_shows_the_first_page(seen_record, clinic_admin):
    url = f"/staff/patients/{seen_record.visit.patient_id}/access/?page=abc"
    assert _as(clinic_admin).get(url).status_code == 200


def test_the_report_page_costs_the_same_queries_for_few_or_many_events(
    seen_record, clinic_admin, reception, clinician, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    patient = seen_record.visit.patient
    client = _as(clinic_admin)
    url = f"/staff/patients/{patient.pk}/access/"
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for user in (reception, clinician, reception, clinician):
        _as(user).get(f"/staff/patients/{patient.pk}/")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)


def _pack(client, patient) -> zipfile.ZipFile:
    response = client.get(f"/staff/patients/{patient.pk}/access-pack.zip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert patient.last_name not in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"
    return zipfile.ZipFile(io.BytesIO(response.content))


def test_the_pack_holds_the_consent_the_addendum_the_fhir_bundle_the_aftercare_and_the_report(
    seen_record, clinic_admin
):
    patient = seen_record.visit.patient
    archive = _pack(_as(clinic_admin), patient)
    names = sorted(archive.namelist())
    consent = [n for n in names if n.endswith("/consent-1.pdf")]
    addendum = [n for n in names if n.endswith("/consent-1-clinician-addendum.pdf")]
    aftercare = [n for n in names if n.endswith("/aftercare.pdf")]
    assert all(n.startswith("visits/01-") for n in consent + addendum + aftercare)
    assert len(consent) == 1 and len(addendum) == 1 and len(aftercare) == 1
    assert "record.fhir.json" in names and "access-report.pdf" in names

    # The stored, sealed files byte for byte.
    with seen_record.pdf.open("rb") as stored:
        assert archive.read(consent[0]) == stored.read()
    with seen_record.confirmation_pdf.open("rb") as stored:
        assert archive.read(addendum[0]) == stored.read()

    bundle = json.loads(archive.read("record.fhir.json"))
    assert bundle["resourceType"] == "Bundle"
    assert {entry["resource"]["resourceType"] for entry in bundle["entry"]} >= {"Patient", "Consent"}

    assert archive.read(aftercare[0]).startswith(b"%PDF")
    report = _pdf_text(archive.read("access-report.pdf"))
    assert "Who has seen your record" in report and "198.51.100.23" in report and "Opened your record" in report


def test_the_pack_is_audited_with_counts_only(seen_record, clinic_admin):
    patient = seen_record.visit.patient
    _pack(_as(clinic_admin), patient)
    event = AuditEvent.objects.get(action="patient.access_pack_downloaded")
    assert event.patient == patient and event.actor == clinic_admin
    assert event.details["consents"] == 1 and event.details["addenda"] == 1 and event.details["aftercare_sheets"] == 1
    assert patient.first_name not in json.dumps(event.details)


def test_a_patient_with_nothing_signed_gets_a_pack_with_the_bundle_and_the_report(clinic_admin):
    patient = VisitFactory().patient
    names = set(_pack(_as(clinic_admin), patient).namelist())
    assert names == {"record.fhir.json", "access-report.pdf"}


def test_a_spanish_speaking_patient_gets_the_report_in_spanish(seen_record, clinic_admin):
    patient = seen_record.visit.patient
    patient.preferred_language = Language.SPANISH
    patient.save()
    report = _pdf_text(_pack(_as(clinic_admin), patient).read("access-report.pdf"))
    assert "Quién ha visto su historia" in report
    assert "Who has seen your record" not in report and "Opened your record" not in report


def test_the_pack_costs_the_same_queries_for_one_or_three_treated_visits(clinic_admin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    patient = VisitRecordFactory().visit.patient
    client = _as(clinic_admin)
    _pack(client, patient)  # so both measured packs list a staff member in the report (one prefetch)
    with CaptureQueriesContext(connection) as one:
        _pack(client, patient)
    for _ in range(2):
        VisitRecordFactory(visit=VisitFactory(patient=patient))
    with CaptureQueriesContext(connection) as three:
        archive = _pack(client, patient)
    assert len([n for n in archive.namelist() if n.endswith("/aftercare.pdf")]) == 3
    assert len(three.captured_queries) == len(one.captured_queries)
