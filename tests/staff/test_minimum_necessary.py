"""Minimum necessary access: reception runs the day with progress, contact details and the flag level;
health answers, scores, session notes, check-in details and consent PDFs are for clinicians (and the
clinic admin), unless the clinic sets RECEPTION_SEES_CLINICAL."""

import pytest
from django.core.files.base import ContentFile
from django.test import override_settings

from intake.models import CheckIn, ScreeningResponse
from intake.visits.services import attach_paper_consent
from portal.models import AuditEvent
from tests.factories import VisitRecordFactory

pytestmark = pytest.mark.django_db

# What only clinical staff may read on the record: a flag's answer, a score, a pregnancy answer, free
# text, the session notes and regions, a check-in's soreness and red flags.
CLINICAL_TEXT = [
    "warfarin",
    "GAD-7",
    "Are you pregnant",
    "ZQX private worry",
    "Fainted at 10:05",
    "Lower back",
    "soreness 8/10",
    "Signs of infection",
]


@pytest.fixture
def record(screened_visit, clinician, sign):
    screening = ScreeningResponse.objects.get(visit=screened_visit)
    screening.answers = {**screening.answers, "pregnant": "yes", "other_health": "ZQX private worry"}
    screening.save()
    VisitRecordFactory(visit=screened_visit, regions=["lower_back"], notes="Fainted at 10:05", recorded_by=clinician)
    CheckIn.objects.create(
        visit=screened_visit, window="24h", soreness=8, trend="worse", red_flags=["infection"], urgent=True
    )
    consent = sign(screened_visit)
    attach_paper_consent(visit=screened_visit, scan=ContentFile(b"%PDF-1.4\n%%EOF\n"), by=clinician)
    return screened_visit, consent


def _record_page(client, visit) -> str:
    response = client.get(f"/staff/patients/{visit.patient_id}/")
    assert response.status_code == 200
    return response.content.decode()


def test_reception_sees_progress_contact_and_flag_level_but_no_health_answers(reception, as_user, record):
    visit, consent = record
    page = _record_page(as_user(reception), visit)
    visit.refresh_from_db()
    assert visit.patient.last_name in page and visit.get_progress_display() in page
    assert "flag-badge" in page and "The answers are for clinicians" in page
    for text in CLINICAL_TEXT:
        assert text not in page, text
    assert f"/staff/consent/{consent.pk}/pdf/" not in page
    assert f"/staff/visits/{visit.pk}/paper-consent/" not in page


def test_a_clinician_sees_the_clinical_detail(clinician, as_user, record):
    visit, consent = record
    page = _record_page(as_user(clinician), visit)
    for text in CLINICAL_TEXT:
        assert text in page, text
    assert f"/staff/visits/{visit.pk}/paper-consent/" in page


def test_the_clinic_admin_sees_the_clinical_detail(clinic_admin, as_user, record):
    page = _record_page(as_user(clinic_admin), record[0])
    assert all(text in page for text in CLINICAL_TEXT)


@override_settings(RECEPTION_SEES_CLINICAL=True)
def test_a_small_clinic_can_let_reception_see_the_clinical_detail(reception, as_user, record):
    visit, consent = record
    client = as_user(reception)
    page = _record_page(client, visit)
    assert all(text in page for text in CLINICAL_TEXT)
    assert client.get(f"/staff/consent/{consent.pk}/pdf/").status_code == 200
    assert client.get(f"/staff/visits/{visit.pk}/paper-consent/").status_code == 200


def test_reception_may_not_open_or_download_the_consent_pdf_or_the_paper_scan(reception, as_user, record):
    visit, consent = record
    client = as_user(reception)
    for url in (
        f"/staff/consent/{consent.pk}/pdf/",
        f"/staff/consent/{consent.pk}/pdf/?download=1",
        f"/staff/visits/{visit.pk}/paper-consent/",
    ):
        assert client.get(url).status_code == 403, url
    assert not AuditEvent.objects.filter(action__in=["consent.pdf_viewed", "consent.pdf_downloaded"]).exists()


def test_reception_sees_the_consent_status_page_without_the_pdf(reception, clinician, as_user, record):
    _visit, consent = record
    page = as_user(reception).get(f"/staff/consent/{consent.pk}/").content.decode()
    assert "Signed PDF" in page and "only clinicians open it" in page
    assert f"/staff/consent/{consent.pk}/pdf/" not in page
    clinician_page = as_user(clinician).get(f"/staff/consent/{consent.pk}/").content.decode()
    assert f"/staff/consent/{consent.pk}/pdf/" in clinician_page


def test_a_clinician_downloads_the_consent_pdf(clinician, as_user, record):
    _visit, consent = record
    response = as_user(clinician).get(f"/staff/consent/{consent.pk}/pdf/?download=1")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_reception_cannot_reach_the_review_pages(reception, as_user, record):
    visit, _consent = record
    client = as_user(reception)
    assert client.get(f"/staff/visits/{visit.pk}/review/").status_code == 403
    assert client.get("/staff/review/").status_code == 403
