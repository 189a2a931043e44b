import io

import pytest
from django.test import override_settings
from pypdf import PdfReader

from intake.aftercare import advice as aftercare
from intake.regions import BODY_REGIONS, CHEST_RISK_REGIONS
from portal.models import AuditEvent
from tests.aftercare.conftest import record_visit
from tests.readability import english_grade, strings

BREATHING_TITLE = "Watch your breathing"


def test_before_the_visit_is_recorded_the_page_says_calmly_what_will_come(patient_client):
    response = patient_client.get("/patient/aftercare/")
    assert response.status_code == 200
    assert "After your visit, this page will show" in response.content.decode()
    assert BREATHING_TITLE not in response.content.decode()


def test_without_a_patient_session_the_page_shows_the_calm_link_page(client, db):
    response = client.get("/patient/aftercare/")
    assert response.status_code == 404
    assert "This link is not valid" in response.content.decode()


@pytest.mark.parametrize("region", [key for key, _label in BODY_REGIONS])
def test_the_breathing_warning_appears_exactly_when_a_chest_risk_region_was_treated(patient_client, visit, region):
    record_visit(visit, regions=[region])
    page = patient_client.get("/patient/aftercare/").content.decode()
    if region in CHEST_RISK_REGIONS:
        assert BREATHING_TITLE in page
        # First on the page: before the visit details, the check-ins and all the other advice.
        assert page.index(BREATHING_TITLE) < page.index("Your visit:") < page.index("What is normal")
    else:
        assert BREATHING_TITLE not in page
        assert "When to call 911" in page  # the emergency signs are still listed, in their usual place


def test_the_clinicians_chest_risk_tick_alone_also_brings_the_warning(patient_client, visit):
    record_visit(visit, regions=["lower_back"], chest_risk_area=True)
    assert BREATHING_TITLE in patient_client.get("/patient/aftercare/").content.decode()


def test_the_page_covers_what_is_normal_self_care_and_when_to_call(patient_client, visit):
    record_visit(visit, regions=["calf_shin", "knee"])
    page = patient_client.get("/patient/aftercare/").content.decode()
    for heading in ("What is normal", "How to look after yourself", "When to call the clinic", "When to call 911"):
        assert heading in page
    assert "Calf or shin, Knee" in page
    assert "Go easy for the first 24 hours" in page  # the default exercise advice
    assert "Warmth can ease the ache" in page  # the default heat advice
    assert AuditEvent.objects.filter(action="aftercare.viewed", patient=visit.patient).exists()


@override_settings(
    AFTERCARE_EXERCISE="no_restriction",
    AFTERCARE_HEAT_OR_ICE="ice",
    CLINIC_PHONE="01 234 5678",
    CLINIC_EMERGENCY_NUMBER="112",
)
def test_clinic_settings_choose_the_advice_and_the_numbers(patient_client, visit):
    record_visit(visit, regions=["neck"])
    page = patient_client.get("/patient/aftercare/").content.decode()
    assert "You do not need to stop your usual exercise" in page
    assert "Go easy for the first 24 hours" not in page
    assert "A cold pack can ease the ache" in page
    assert "Call us on 01 234 5678" in page
    assert 'href="tel:112"' in page
    assert "911" not in page


def test_the_advice_is_written_at_a_grade_8_reading_level_or_below(settings):
    for exercise in aftercare.EXERCISE_CHOICES:
        for heat in aftercare.HEAT_OR_ICE_CHOICES:
            settings.AFTERCARE_EXERCISE, settings.AFTERCARE_HEAT_OR_ICE = exercise, heat
            for section, content in aftercare.advice("en").items():
                grade = english_grade(" ".join(strings(content)))
                assert grade <= 8, (exercise, heat, section, grade)


def test_a_language_without_its_own_advice_falls_back_to_english():
    assert aftercare.language_for("fr") == "en"
    assert aftercare.advice("fr")["normal"]["title"] == aftercare.advice("en")["normal"]["title"]


def test_every_language_has_the_same_advice_keys_as_english():
    def shape(value):
        if isinstance(value, dict):
            return {key: shape(item) for key, item in value.items()}
        return type(value).__name__

    for language, words in aftercare.ADVICE.items():
        assert shape(words) == shape(aftercare.ADVICE["en"]), language


def _pdf_text(pdf: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return len(reader.pages), "".join(page.extract_text() for page in reader.pages)


def test_the_pdf_is_one_page_with_the_breathing_warning_first(patient_client, visit):
    visit.patient.first_name = "Zoë"
    visit.patient.save()
    record_visit(visit, regions=["upper_back", "shoulder", "neck"])
    response = patient_client.get("/patient/aftercare/aftercare.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pages, text = _pdf_text(response.content)
    assert pages == 1
    assert "Zoë" in text
    assert text.index(BREATHING_TITLE) < text.index("What is normal")
    assert "When to call the clinic" in text and "555-0100" in text
    assert AuditEvent.objects.filter(action="aftercare.pdf_downloaded", patient=visit.patient).exists()


def test_the_pdf_without_a_chest_risk_region_has_no_breathing_box(patient_client, visit):
    record_visit(visit, regions=["knee"])
    pages, text = _pdf_text(patient_client.get("/patient/aftercare/aftercare.pdf").content)
    assert pages == 1
    assert BREATHING_TITLE not in text
    assert "When to call 911" in text


def test_the_pdf_before_the_visit_is_recorded_is_the_calm_page(patient_client):
    response = patient_client.get("/patient/aftercare/aftercare.pdf")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


def test_a_spanish_speaking_patient_gets_the_advice_and_a_one_page_pdf_in_spanish(client, db):
    from intake.links.tokens import new_token
    from tests.factories import AccessLinkFactory, VisitFactory
    from tests.helpers import open_patient_session

    visit = VisitFactory(language="es")
    token = new_token()
    open_patient_session(client, token, AccessLinkFactory(visit=visit, token=token))
    record_visit(visit, regions=["chest_wall", "upper_back", "neck", "shoulder"])
    spanish = aftercare.ADVICE["es"]
    page = client.get("/patient/aftercare/").content.decode()
    assert spanish["breathing_warning"]["title"] in page
    assert spanish["normal"]["title"] in page
    assert "What is normal" not in page
    pages, text = _pdf_text(client.get("/patient/aftercare/aftercare.pdf").content)
    assert pages == 1
    assert spanish["normal"]["title"] in text
