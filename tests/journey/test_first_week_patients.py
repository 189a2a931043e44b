"""Issue 18, the clinic's first week: what a nervous patient on a phone hit, one test per item."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from intake.models import CheckIn, Progress, Visit
from portal.models import AuditEvent
from tests.consent.conftest import consent_version  # noqa: F401 - fixture
from tests.factories import AccessLinkFactory, PatientFactory, VisitFactory, VisitRecordFactory
from tests.helpers import open_patient_session

pytestmark = pytest.mark.django_db

QUESTIONNAIRE = Path(__file__).resolve().parents[2] / "intake" / "questionnaires" / "screening" / "2026.1"


def _patient(visit=None, **visit_fields):
    from intake.links.tokens import new_token

    visit = visit or VisitFactory(**visit_fields)
    token = new_token()
    link = AccessLinkFactory(visit=visit, token=token)
    client = Client()
    return client, token, link


def _wrong(link):
    return (link.visit.patient.date_of_birth - timedelta(days=1)).isoformat()


def test_tries_left_show_from_the_third_wrong_date_and_the_lock_says_what_to_do(settings):
    settings.ACCESS_LINK_MAX_DOB_FAILURES = 5
    client, token, link = _patient()
    bodies = [client.post(f"/p/{token}/", {"date_of_birth": _wrong(link)}).content.decode() for _ in range(4)]

    assert "more tries" not in bodies[0] and "more tries" not in bodies[1]
    assert "You have 2 more tries" in bodies[2]
    assert "You have 1 more try" in bodies[3]
    locked = client.post(f"/p/{token}/", {"date_of_birth": _wrong(link)})
    assert locked.status_code == 403
    assert "call the clinic" in locked.content.decode() and "ask at reception" in locked.content.decode()


def test_the_date_of_birth_page_switches_language_and_the_choice_follows_the_visit():
    client, token, link = _patient()
    page = client.get(f"/p/{token}/")
    assert 'href="?lang=es"' in page.content.decode()

    spanish = client.get(f"/p/{token}/", {"lang": "es"}).content.decode()
    assert "Confirme que es usted" in spanish or 'lang="es"' in spanish
    client.post(f"/p/{token}/?lang=es", {"date_of_birth": link.visit.patient.date_of_birth.isoformat(), "lang": "es"})

    assert Visit.objects.get(pk=link.visit_id).language == "es"
    assert client.get(f"/p/{token}/", {"lang": "xx"}).status_code in (200, 302)  # unknown: ignored


def test_the_error_summary_links_each_missing_answer_to_its_field():
    from intake.screening.services import save_section

    client, token, link = _patient(explanation_read_at=timezone.now(), opened_at=timezone.now())
    save_section(visit=link.visit, section_key="about_you", values={})
    open_patient_session(client, token, link)
    response = client.post("/patient/screening/pain/", {})
    body = response.content.decode()

    assert response.status_code == 200
    assert "There is a problem" in body
    summary = body[body.index('id="form-errors"') : body.index("</div>", body.index('id="form-errors"'))]
    anchors = [part.split('"')[0] for part in summary.split('href="#')[1:]]
    assert len(anchors) >= 3
    for anchor in anchors:
        assert f'id="{anchor}"' in body  # every link lands on a real field


def test_the_answers_page_has_a_continue_button_at_the_bottom_too(screened_patient):
    client = screened_patient
    body = client.get("/patient/screening/answers/").content.decode()
    assert body.count('href="/patient/check/"') == 2
    assert body.rindex('href="/patient/check/"') > body.rindex("answers-card")


@pytest.fixture
def screened_patient(db):
    visit = VisitFactory(ready_to_sign=True, understanding_done_at=None)
    from intake import questionnaires
    from intake.models import ScreeningResponse

    ScreeningResponse.objects.create(
        visit=visit,
        questionnaire_version="2026.1",
        answers={"pain_now": 4},
        sections_done=questionnaires.load("screening", "2026.1").section_keys,
        submitted_at=timezone.now(),
    )
    client, token, link = _patient(visit)
    open_patient_session(client, token, link)
    return client


@pytest.mark.usefixtures("consent_version")
def test_the_consent_page_shows_the_name_on_file_and_a_misspelled_name_reaches_reception(reception):
    visit = VisitFactory(patient=PatientFactory(first_name="Jon", last_name="Smyth"), ready_to_sign=True)
    client, token, link = _patient(visit)
    open_patient_session(client, token, link)

    sign_page = client.get("/patient/consent/").content.decode()
    assert "Name on file: <strong><bdi>Jon Smyth</bdi></strong>" in sign_page
    assert "My name is spelled wrong" in sign_page

    response = client.post("/patient/name-spelled-wrong/")

    assert response.status_code == 302
    visit.patient.refresh_from_db()
    assert visit.patient.name_reported_wrong_at is not None
    assert AuditEvent.objects.filter(action="patient.name_reported_wrong", patient=visit.patient).exists()
    assert client.get("/patient/name-spelled-wrong/").status_code == 405
    staff = Client()
    staff.force_login(reception)
    assert "Name spelling" in staff.get(f"/staff/patients/{visit.patient_id}/").content.decode()
    staff.post(
        f"/staff/patients/{visit.patient_id}/edit/",
        {
            "first_name": "John",
            "last_name": "Smyth",
            "date_of_birth": visit.patient.date_of_birth.isoformat(),
            "email": visit.patient.email,
            "phone": visit.patient.phone,
            "preferred_language": "en",
            "revision": visit.patient.revision,
        },
    )
    visit.patient.refresh_from_db()
    assert visit.patient.first_name == "John" and visit.patient.name_reported_wrong_at is None


def test_the_name_wrong_note_needs_the_patients_session():
    assert Client().post("/patient/name-spelled-wrong/").status_code == 404


def test_the_check_in_done_page_repeats_the_signs_reported():
    visit = VisitFactory(visited_at=timezone.now())
    VisitRecordFactory(visit=visit, treated_at=timezone.now() - timedelta(hours=30))
    CheckIn.objects.create(visit=visit, window="24h", soreness=3, trend="same", red_flags=["infection"])
    client, token, link = _patient(visit)
    open_patient_session(client, token, link)

    response = client.get("/patient/aftercare/check-in/24h/done/")
    body = response.content.decode()
    assert response.status_code == 200

    assert "Signs you told us about" in body
    from intake.aftercare.advice import red_flag_labels

    assert red_flag_labels(["infection"])[0] in body


def test_the_hand_back_screen_says_answers_are_saved_only_when_something_was_answered(reception):
    staff = Client()
    staff.force_login(reception)
    visit = VisitFactory()
    staff.post(f"/staff/visits/{visit.pk}/kiosk/")
    kiosk_page = staff.get("/patient/").content.decode()
    assert "hand the tablet back to reception" in kiosk_page and "same link" not in kiosk_page
    staff.post("/staff/kiosk/finish/")
    body = staff.get("/staff/kiosk/locked/").content.decode()
    assert "Nothing was filled in on this device" in body and "Your answers are saved" not in body

    visit2 = VisitFactory()
    staff.force_login(reception)
    staff.post(f"/staff/visits/{visit2.pk}/kiosk/")
    Visit.objects.filter(pk=visit2.pk).update(explanation_read_at=timezone.now(), progress=Progress.EXPLAINED)
    staff.post("/staff/kiosk/finish/")
    assert "Your answers are saved" in staff.get("/staff/kiosk/locked/").content.decode()


def test_patient_words_work_in_us_and_uk_english():
    client, token, link = _patient()
    open_patient_session(client, token, link)
    body = client.get("/patient/before-your-visit/").content.decode()
    assert "vest" not in body.lower() and "top without sleeves" in body


def test_blood_thinner_choices_name_the_brands_in_both_languages_and_the_anxiety_page_says_why():
    english = json.loads((QUESTIONNAIRE / "en.json").read_text())
    spanish = json.loads((QUESTIONNAIRE / "es.json").read_text())
    for texts in (english, spanish):
        choices = " ".join(texts["items"]["blood_thinner_which"]["choices"].values())
        for brand in ("Eliquis", "Xarelto", "Plavix", "Coumadin", "Pradaxa"):
            assert brand in choices
    assert "Only your physio and the clinic team see these answers" in english["sections"]["anxiety"]["intro"]
    assert "Solo su fisioterapeuta" in spanish["sections"]["anxiety"]["intro"]
