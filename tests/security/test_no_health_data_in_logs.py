"""No health data in log lines: a patient goes through the whole journey, answering every form the
pages show, while every log record at every level is captured; then the logs are searched for the
patient's name, date of birth, email, link token and the answers typed.

The walk follows the journey's own step list (intake.journey.STEPS) and the forms each page shows, so
steps and questions added later are walked too.
"""

from __future__ import annotations

import io
import logging
from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.urls import NoReverseMatch, reverse

from intake.journey.steps import STEPS
from tests.helpers import open_patient_session
from tests.security.htmlforms import forms_on, path_of
from tests.security.logcapture import captured_logs
from tests.security.world import build_journey

pytestmark = pytest.mark.django_db

ANSWER = "Quillfeather ankle twinge"


def _known_answers() -> dict:
    """Right answers where a step checks them (the understanding check), so the walk gets past it."""
    try:
        from intake.journey.understanding import QUESTIONS
    except ImportError:
        return {}
    return {question.key: [question.correct] for question in QUESTIONS}


def _fill(form, patient, pick: int) -> dict:
    data = form.fill(text=ANSWER, pick=pick, dob=patient.date_of_birth)
    names = {field.name for field in form.fields}
    data.update({key: value for key, value in _known_answers().items() if key in names})
    for field in form.fields:
        if "name" in field.name and field.kind in ("text", ""):
            data[field.name] = [patient.full_name]
    return data


def _answer_page(client: Client, url: str, patient, trail: list[str]) -> None:
    """Post every form on the page (trying another choice when the answer is refused) until it moves on."""
    for _round in range(12):
        response = client.get(url, follow=True)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            return
        here = response.redirect_chain[-1][0] if response.redirect_chain else url
        forms = [
            f
            for f in forms_on(response.content.decode(), here)
            if f.method == "post" and "/language/" not in f.action and "/logout/" not in f.action
        ]
        if not forms or "withdraw" in forms[0].action:
            return
        moved = False
        for pick in range(4):
            posted = client.post(path_of(forms[0].action), _fill(forms[0], patient, pick))
            trail.append(f"{path_of(forms[0].action)} -> {posted.status_code}")
            if posted.status_code in (301, 302, 303):
                moved = True
                url = posted["Location"]
                break
        if not moved:
            return


def test_a_whole_journey_writes_no_health_data_to_the_logs(clinician, clinic_admin):
    journey = build_journey(first_name="Persephone", last_name="Quackenbush", clinician=clinician, upto="opened")
    patient = journey.patient
    patient.email = "persephone.q@example.org"
    patient.save()
    trail: list[str] = []

    with captured_logs() as lines:
        client = Client()
        client.get(f"/p/{journey.token}/")
        client.post(f"/p/{journey.token}/", {"date_of_birth": (patient.date_of_birth - timedelta(days=1)).isoformat()})
        open_patient_session(client, journey.token, journey.link)
        for step in STEPS:
            try:
                url = reverse(step.url_name)
            except NoReverseMatch:
                continue
            _answer_page(client, url, patient, trail)
        for url in ("/patient/", "/patient/consent/copy.pdf", "/patient/screening/answers/"):
            client.get(url)
        # The clinician's side: record, review, PDFs, export.
        staff = Client()
        staff.force_login(clinic_admin)
        for url in (
            "/staff/",
            f"/staff/?q={patient.last_name}",
            f"/staff/patients/{patient.pk}/",
            f"/staff/visits/{journey.visit.pk}/review/",
            "/staff/export.csv",
            f"/staff/patients/{patient.pk}/fhir/",
        ):
            staff.get(url)
        # Errors are logged too: a crash while this patient's data is in play must not log it.
        staff.get("/staff/patients/not-a-uuid/")

        logging.getLogger("intake").warning("capture-check")
    assert any("capture-check" in line for line in lines), "the log capture must see records"

    journey.visit.refresh_from_db()
    assert journey.visit.signed_at is not None, f"the walk should get through to signing: {trail}"
    text = "\n".join(lines)
    secrets = {
        "first name": patient.first_name,
        "last name": patient.last_name,
        "email": patient.email,
        "date of birth": patient.date_of_birth.isoformat(),
        "date of birth (d/m/y)": patient.date_of_birth.strftime("%d/%m/%Y"),
        "token": journey.token,
        "typed answer": ANSWER,
    }
    for what, value in secrets.items():
        assert value not in text, f"the logs contain the patient's {what}"


@override_settings(DEBUG=False, ROOT_URLCONF="tests.security.urls_boom")
def test_a_crash_on_a_patient_link_logs_the_error_but_not_the_token(patient_link):
    _link, token = patient_link
    handler = next(h for h in logging.getLogger("django.request").handlers if h.filters)
    buffer = io.StringIO()
    old = handler.setStream(buffer)
    try:
        response = Client(raise_request_exception=False).get(f"/p/{token}/boom/")
    finally:
        handler.setStream(old)
    assert response.status_code == 500
    logged = buffer.getvalue()
    assert "Internal Server Error" in logged
    assert token not in logged
    assert "/p/[redacted]" in logged
