"""Script and HTML typed by anyone appear as plain text everywhere: pages, emails, CSV and PDFs."""

from __future__ import annotations

import csv
import io

import pytest
from django.core import mail
from django.test import Client
from pypdf import PdfReader

from tests.helpers import open_patient_session
from tests.security.world import build_journey

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script>'
IMG = '"><img src=x onerror=alert(1)>'


@pytest.fixture
def hostile(clinician):
    journey = build_journey(first_name=SCRIPT, last_name=IMG, clinician=clinician)
    journey.patient.email = "hostile@example.com"
    journey.patient.preferred_name = "<b>Bo</b>"
    journey.patient.save()
    return journey


def assert_escaped(html: str, where: str) -> None:
    for raw in (SCRIPT, IMG, "<b>Bo</b>", "<img src=x"):
        assert raw not in html, f"{where} shows raw {raw!r}"


def test_names_are_escaped_on_every_staff_page_that_shows_them(hostile, clinic_admin):
    client = Client()
    client.force_login(clinic_admin)
    pages = {
        "board": "/staff/",
        "search": "/staff/?q=script",
        "record": f"/staff/patients/{hostile.patient.pk}/",
        "edit": f"/staff/patients/{hostile.patient.pk}/edit/",
        "review": "/staff/review/",
        "visit review": f"/staff/visits/{hostile.visit.pk}/review/",
        "link": f"/staff/visits/{hostile.visit.pk}/link/",
        "audit": "/staff/audit/",
    }
    if "record_id" in hostile.ids:
        pages["consent"] = f"/staff/consent/{hostile.ids['record_id']}/"
    shown = 0
    for where, url in pages.items():
        response = client.get(url)
        if response.status_code != 200:
            continue
        html = response.content.decode()
        assert_escaped(html, where)
        shown += "&lt;script&gt;" in html
    assert shown >= 3, "the hostile name should appear (escaped) on several pages"


def test_names_are_escaped_on_the_patients_own_pages(hostile):
    client = Client()
    open_patient_session(client, hostile.token, hostile.link)
    for url in ("/patient/", "/patient/consent/signed/", "/patient/aftercare/", "/patient/before-your-visit/"):
        response = client.get(url)
        if response.status_code == 200:
            assert_escaped(response.content.decode(), url)


def test_the_link_email_escapes_the_name_in_html_and_keeps_headers_clean(hostile, django_capture_on_commit_callbacks):
    from intake.links.services import send_link_message

    with django_capture_on_commit_callbacks(execute=True):
        send_link_message(visit=hostile.visit)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    html = next(body for body, kind in message.alternatives if kind == "text/html")
    assert_escaped(html, "link email (HTML)")
    assert "\n" not in message.subject and "\r" not in message.subject


def test_a_name_with_a_line_break_cannot_add_email_headers(clinician, django_capture_on_commit_callbacks):
    from intake.links.services import send_link_message

    journey = build_journey(first_name="Eve\r\nBcc: victim@example.com", clinician=clinician)
    journey.patient.email = "eve@example.com"
    journey.patient.save()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            send_link_message(visit=journey.visit)
    except Exception as error:  # noqa: BLE001 - refusing to send is an acceptable outcome too
        assert "header" in str(error).lower()
    for message in mail.outbox:
        assert message.recipients() == ["eve@example.com"]
        assert "victim@example.com" not in message.message()["Bcc"] if message.message()["Bcc"] else True


def test_the_csv_export_neutralises_formulas(clinician, clinic_admin):
    from tests.factories import PatientFactory, VisitFactory

    patient = PatientFactory(first_name='=HYPERLINK("http://evil.example","x")', last_name="+cmd|' /C calc'!A0")
    VisitFactory(patient=patient, clinician=clinician)
    client = Client()
    client.force_login(clinic_admin)
    response = client.get("/staff/export.csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()
    rows = list(csv.reader(io.StringIO(text)))
    cells = [cell for row in rows for cell in row if "HYPERLINK" in cell or "calc" in cell]
    assert cells, "the hostile names should be in the export"
    for cell in cells:
        assert cell[0] not in "=+-@\t\r", f"formula not neutralised: {cell!r}"


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def test_the_consent_pdf_prints_a_hostile_name_as_plain_text(hostile):
    from consent.models import ConsentRecord

    record = ConsentRecord.objects.filter(visit=hostile.visit).first()
    assert record is not None and record.pdf
    with record.pdf.open("rb") as handle:
        text = _pdf_text(handle.read())
    flat = " ".join(text.split())
    assert 'alert("x")' in flat or "alert(“x”)" in flat, "the typed text is shown as text, not dropped or run"
    assert "<script>" in flat


def test_the_patients_pdf_download_is_private_and_not_cached(hostile):
    client = Client()
    open_patient_session(client, hostile.token, hostile.link)
    response = client.get("/patient/consent/copy.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"] or "inline" in response["Content-Disposition"]
    assert "no-store" in response.get("Cache-Control", "") or "private" in response.get("Cache-Control", "")
    assert Client().get("/patient/consent/copy.pdf").status_code == 404
