"""What the consent PDF and its addendum say: the patient's copy, headers, hashes, times, language."""

from __future__ import annotations

import datetime as dt
import io
import re

import pikepdf
import time_machine
from django.utils import timezone
from pypdf import PdfReader

from consent import services
from intake.models import ScreeningResponse
from tests.consent.conftest import pdf_text, stored
from tests.factories import AccessLinkFactory, VisitFactory
from tests.helpers import open_patient_session

CLINICIAN_ONLY = ["sensitivity 89%", "specificity 82%", "Taipei 1990", "vasovagal", "ISCP 2012"]
RIGHT = {"injected": "no", "soreness": "days", "breathless": "emergency", "optional": "yes", "acupuncture": "different"}


def flat(text: str) -> str:
    """One line, as read; a table cell that wrapped after a slash ("America/ New_York") joined again."""
    return re.sub(r"/ (?=\w)", "/", " ".join(text.split()))


def test_the_patients_copy_leaves_out_the_clinical_rules_that_the_review_page_keeps(
    ready_visit, sign, clinician, client
):
    rules = {
        "gad7_moderate": "GAD-7 total 10 or more suggests further evaluation (sensitivity 89%, specificity 82%).",
        "first_needling": "Treat lying down: fainting (vasovagal) 0.94% at a first visit (Taipei 1990).",
        "pregnant": "Relative contraindication (ISCP 2012): review before needling.",
    }
    ScreeningResponse.objects.create(
        visit=ready_visit,
        questionnaire_version="",  # stored texts as they are (no re-description)
        answers={},
        scores={},
        flags=[
            {"code": code, "level": 2, "title": f"Flag {code}", "answer": "Yes", "rule": rule}
            for code, rule in rules.items()
        ],
        flag_level=2,
    )
    record = sign(ready_visit)
    text = flat(pdf_text(stored(record.pdf.name)))
    assert "Flag gad7_moderate" in text and "Flag first_needling" in text
    for phrase in CLINICIAN_ONLY:
        assert phrase not in text

    client.force_login(clinician)
    review = client.get(f"/staff/visits/{ready_visit.pk}/review/").content.decode()
    assert "sensitivity 89%" in review and "Taipei 1990" in review and "ISCP 2012" in review


def test_every_page_names_the_patient_and_their_date_of_birth(ready_visit, sign, clinician):
    record = sign(ready_visit)
    patient = ready_visit.patient
    confirmed = services.confirm_consent(record=record, clinician=clinician)
    for name in (record.pdf.name, confirmed.confirmation_pdf.name):
        pages = PdfReader(io.BytesIO(stored(name))).pages
        for page in pages:
            text = flat(page.extract_text())
            assert patient.full_name in text and patient.date_of_birth.isoformat() in text
    assert len(PdfReader(io.BytesIO(stored(record.pdf.name))).pages) > 2


def test_every_hash_label_is_followed_by_its_value_or_the_reason_it_cannot_be(ready_visit, sign, clinician):
    record = sign(ready_visit)
    confirmed = services.confirm_consent(record=record, clinician=clinician)
    explanations = ["its own SHA-256.", "with the SHA-256 above."]  # sentences that explain, not labels
    for name in (record.pdf.name, confirmed.confirmation_pdf.name):
        text = flat(pdf_text(stored(name)))
        for sentence in explanations:
            text = text.replace(sentence, "")
        found = re.findall(r"SHA-256(?: of this file)?\s+(\S+(?: \S+)?)", text)
        assert len(found) >= 2
        for value in found:
            assert re.fullmatch(r"[0-9a-f]{64}( \S+)?", value) or value == "Not printed", (name, value)
        assert "Document SHA-256:" not in text


def _understanding_client(client, visit):
    from intake.links.tokens import new_token

    token = new_token()
    open_patient_session(client, token, AccessLinkFactory(visit=visit, token=token))
    return client


def test_the_attempt_count_counts_submissions_not_reloads(client, db, clinician, sign):
    now = timezone.now()
    visit = VisitFactory(clinician=clinician, opened_at=now, explanation_read_at=now, screening_done_at=now)
    patient = _understanding_client(client, visit)
    wrong = {**RIGHT, "injected": "yes"}
    assert 'name="shown_after" value="0"' in patient.get("/patient/check/").content.decode()
    patient.post("/patient/check/", {**wrong, "shown_after": "0"})
    patient.post("/patient/check/", {**wrong, "shown_after": "0"})  # the browser reloads: the same POST again
    patient.post("/patient/check/", {**wrong, "shown_after": "0"})
    assert visit.understanding.attempts == 1
    page = patient.post("/patient/check/", {**wrong, "shown_after": "1"}).content.decode()
    assert 'name="shown_after" value="2"' in page
    assert patient.post("/patient/check/", {**RIGHT, "shown_after": "2"}).status_code == 302
    visit.refresh_from_db()
    assert visit.understanding.attempts == 3 and visit.understanding_done_at is not None

    record = sign(visit)
    assert "completed after 3 attempts" in flat(pdf_text(stored(record.pdf.name)))


def test_a_reload_of_the_right_answers_still_passes_without_counting(client, db):
    now = timezone.now()
    visit = VisitFactory(opened_at=now, explanation_read_at=now, screening_done_at=now)
    patient = _understanding_client(client, visit)
    patient.post("/patient/check/", {**RIGHT, "injected": "yes", "shown_after": "0"})
    # A stale form (shown before attempt 1) re-posted with the right answers: graded, passes, not counted.
    assert patient.post("/patient/check/", {**RIGHT, "shown_after": "0"}).status_code == 302
    visit.refresh_from_db()
    assert visit.understanding_done_at is not None and visit.understanding.attempts == 1


def test_times_are_clinic_time_with_the_signers_zone_beside_on_the_pdfs_and_the_staff_page(
    ready_visit, sign, clinician, client, settings
):
    settings.TIME_ZONE = "Europe/London"
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 15, tzinfo=dt.UTC), tick=False):
        record = sign(ready_visit, time_zone="America/New_York")
        confirmed = services.confirm_consent(record=record, clinician=clinician)
    expected = "2026-03-02 10:15:00 GMT (UTC+0000) clinic time · 05:15 America/New_York for the signer"
    consent = flat(pdf_text(stored(record.pdf.name)))
    assert f"Signed at {expected}" in consent
    addendum = flat(pdf_text(stored(confirmed.confirmation_pdf.name)))
    assert f"Confirmed at {expected}" in addendum and f"Signed at {expected}" in addendum
    client.force_login(clinician)
    page = flat(client.get(f"/staff/consent/{record.pk}/").content.decode())
    assert expected in page


def test_a_spanish_signers_addendum_is_in_spanish_with_a_matching_lang(db, clinician, sign):
    visit = VisitFactory(language="es", clinician=clinician, ready_to_sign=True)
    record = sign(visit, version=services.version_to_sign(visit))
    confirmed = services.confirm_consent(record=record, clinician=clinician)
    data = stored(confirmed.confirmation_pdf.name)
    text = flat(pdf_text(data))
    assert "Confirmación del consentimiento informado" in text and "hora de la clínica" in text
    assert "Clinician confirmation of informed consent" not in text and "clinic time" not in text
    assert str(pikepdf.open(io.BytesIO(data)).Root.Lang) == "es"
