"""No session is recorded without consent: signed online before the session, or on paper with its scan."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from intake.exports.fhir import patient_bundle
from intake.models import Visit, VisitRecord
from portal.models import AuditEvent
from tests.factories import VisitFactory

pytestmark = pytest.mark.django_db

SCAN = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _post(client, visit, *, when=None, **extra):
    when = when or timezone.localtime() - timedelta(minutes=20)
    data = {"treated_at": when.strftime("%Y-%m-%dT%H:%M"), "regions": ["knee"], **extra}
    return client.post(f"/staff/visits/{visit.pk}/record/", data)


def _scan(content: bytes = SCAN, name: str = "scan.pdf"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_a_fresh_invite_cannot_have_its_session_recorded(clinician, as_user):
    visit = VisitFactory(clinician=clinician)
    response = _post(as_user(clinician), visit)
    assert response.status_code == 200
    assert "No consent was signed before this session time" in response.content.decode()
    assert not VisitRecord.objects.exists()
    visit.refresh_from_db()
    assert visit.visited_at is None
    assert AuditEvent.objects.filter(
        action="visit.record_refused", details__reason="no_consent_before_session"
    ).exists()


def test_a_consent_signed_after_the_session_time_does_not_count(clinician, as_user, screened_visit, sign):
    sign(screened_visit)  # signed now
    response = _post(as_user(clinician), screened_visit, when=timezone.localtime() - timedelta(hours=3))
    assert "No consent was signed before this session time" in response.content.decode()
    assert not VisitRecord.objects.exists()


def test_a_withdrawn_consent_does_not_count(clinician, as_user, consented_visit):
    from consent.services import withdraw_consent

    withdraw_consent(record=consented_visit.consents.get(), reason="Changed my mind", by=clinician)
    assert _post(as_user(clinician), consented_visit).status_code == 200
    assert not VisitRecord.objects.exists()


def test_a_consent_signed_before_the_session_lets_it_be_recorded(clinician, as_user, consented_visit):
    assert _post(as_user(clinician), consented_visit).status_code == 302
    record = VisitRecord.objects.get(visit=consented_visit)
    assert AuditEvent.objects.get(action="visit.recorded", object_id=str(record.pk)).details["consent"] == "signed"


def test_paper_consent_with_its_scan_is_recorded_audited_and_shown_everywhere(
    clinician, clinic_admin, reception, as_user
):
    visit = VisitFactory(clinician=clinician, scheduled_at=timezone.now() + timedelta(hours=1))
    response = _post(as_user(clinician), visit, paper_consent="on", paper_consent_scan=_scan())
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.consent_on_paper and visit.paper_consent_by == clinician
    assert visit.paper_consent_scan.name.startswith("paper-consents/")
    event = AuditEvent.objects.get(action="visit.paper_consent_attached")
    assert event.actor == clinician and event.details["bytes"] == len(SCAN)
    assert AuditEvent.objects.get(action="visit.recorded").details["consent"] == "paper"

    record_page = as_user(clinician).get(f"/staff/patients/{visit.patient_id}/").content.decode()
    assert "Consent on paper" in record_page and f"/staff/visits/{visit.pk}/paper-consent/" in record_page
    board = as_user(reception).get("/staff/", {"q": visit.patient.last_name}).content.decode()
    assert "Consent on paper" in board
    csv_text = b"".join(as_user(clinic_admin).get("/staff/export.csv", {"q": visit.patient.last_name})).decode()
    header, row = csv_text.splitlines()[:2]
    assert header.endswith(",consent_on_paper") and row.split(",")[-1] != ""
    consents = [
        e["resource"] for e in patient_bundle(visit.patient)["entry"] if e["resource"]["resourceType"] == "Consent"
    ]
    assert [c["policyRule"]["text"] for c in consents] == ["Consent on paper, scanned copy attached"]
    assert consents[0]["sourceAttachment"]["size"] == len(SCAN)


def test_the_scan_is_for_clinicians_only_and_its_download_is_audited(clinician, reception, as_user, client):
    visit = VisitFactory(clinician=clinician)
    url = f"/staff/visits/{visit.pk}/paper-consent/"
    assert as_user(clinician).get(url).status_code == 404  # no scan yet
    _post(as_user(clinician), visit, paper_consent="on", paper_consent_scan=_scan())
    assert client.get(url).status_code == 302  # anonymous: to the login page
    assert as_user(reception).get(url).status_code == 403
    response = as_user(clinician).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == SCAN
    assert "no-store" in response["Cache-Control"]
    assert AuditEvent.objects.filter(action="visit.paper_consent_downloaded").count() == 1


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"paper_consent": "on"}, "paper_consent_scan", "Attach the scanned paper consent"),
        ({"paper_consent": "on", "paper_consent_scan": "not-a-file"}, "paper_consent_scan", "Attach the scanned"),
        ({"paper_consent_scan": "SCAN"}, "paper_consent", "Tick this box"),
        ({"paper_consent": "on", "paper_consent_scan": "PNG"}, "paper_consent_scan", "must be a PDF"),
    ],
)
def test_a_paper_consent_needs_its_box_and_a_pdf_scan(clinician, as_user, extra, field, message):
    visit = VisitFactory(clinician=clinician)
    extra = dict(extra)
    if extra.get("paper_consent_scan") == "SCAN":
        extra["paper_consent_scan"] = _scan()
    elif extra.get("paper_consent_scan") == "PNG":
        extra["paper_consent_scan"] = _scan(b"\x89PNG\r\n\x1a\n" + b"0" * 20, "scan.png")
    response = _post(as_user(clinician), visit, **extra)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not VisitRecord.objects.exists()
    assert not Visit.objects.get(pk=visit.pk).consent_on_paper


@pytest.mark.parametrize(
    "when",
    ["0001-01-01T00:00", "9999-12-31T23:59", "1900-01-01T00:00", "future", "before_booking"],
)
def test_the_session_time_is_bounded_by_the_booking_and_now(clinician, as_user, consented_visit, when):
    if when == "future":
        when = (timezone.localtime() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    elif when == "before_booking":
        when = (timezone.localtime(consented_visit.created_at) - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = as_user(clinician).post(
        f"/staff/visits/{consented_visit.pk}/record/", {"treated_at": when, "regions": ["knee"]}
    )
    assert response.status_code == 200
    assert "treated_at" in response.context["form"].errors
    assert not VisitRecord.objects.exists()


def test_the_service_itself_refuses_a_session_without_consent_or_out_of_range(clinician):
    from intake.visits import services

    visit = VisitFactory(clinician=clinician)
    with pytest.raises(services.NoConsentBeforeSession):
        services.record_visit(visit=visit, treated_at=timezone.now(), regions=["knee"], by=clinician)
    with pytest.raises(services.SessionTimeOutOfRange):
        services.record_visit(
            visit=visit, treated_at=visit.created_at - timedelta(days=3), regions=["knee"], by=clinician
        )
    assert not VisitRecord.objects.exists()
