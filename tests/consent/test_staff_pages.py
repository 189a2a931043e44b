"""Staff consent pages: every view walks the ladder, then does its job."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from consent.models import ConsentRecord
from portal.models import AuditEvent
from tests.consent.conftest import stored
from tests.helpers import open_patient_session


def _get_urls(record):
    return [
        f"/staff/consent/{record.pk}/",
        f"/staff/consent/{record.pk}/pdf/",
        f"/staff/consent/{record.pk}/withdraw/",
        f"/staff/consent/visit/{record.visit_id}/",
        "/staff/consent/verify/",
        f"/staff/consent/verify/{record.pk}/",
    ]


def test_anonymous_visitors_are_sent_to_the_login_page(client, record):
    for url in [*_get_urls(record), f"/staff/consent/{record.pk}/confirm/"]:
        response = client.post(url) if url.endswith("/confirm/") else client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url


def test_a_patient_session_gets_404_from_staff_consent_pages(client, record, patient_link):
    link, token = patient_link
    open_patient_session(client, token, link)
    for url in _get_urls(record):
        assert client.get(url).status_code == 404, url


def test_an_account_without_a_role_is_refused(client, record, outsider):
    client.force_login(outsider)
    for url in _get_urls(record):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/staff/consent/{record.pk}/confirm/", {"discussed": "on"}).status_code == 403


@pytest.mark.parametrize("persona", ["reception", "clinician", "clinic_admin"])
def test_staff_see_the_record_and_its_pdf(client, record, persona, request):
    client.force_login(request.getfixturevalue(persona))
    for url in _get_urls(record):
        response = client.get(url)
        if persona == "reception" and "pdf" in url:
            assert response.status_code == 403, url  # the PDF summarises health answers
        else:
            assert response.status_code in (200, 302), url
    detail = client.get(f"/staff/consent/{record.pk}/")
    assert record.visit.patient.full_name in detail.content.decode()
    assert AuditEvent.objects.filter(action="consent.viewed", object_id=str(record.pk)).exists()


def test_unknown_and_malformed_ids_are_404(client, clinician, db):
    client.force_login(clinician)
    assert client.get("/staff/consent/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.get("/staff/consent/not-a-uuid/").status_code == 404
    assert client.get("/staff/consent/visit/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_the_pdf_is_served_inline_same_origin_and_audited(client, record, clinician):
    client.force_login(clinician)  # reception may not: tests/staff/test_minimum_necessary.py
    response = client.get(f"/staff/consent/{record.pk}/pdf/")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert b"".join(response.streaming_content) == stored(record.pdf.name)
    assert AuditEvent.objects.filter(action="consent.pdf_viewed", actor=clinician).exists()
    download = client.get(f"/staff/consent/{record.pk}/pdf/?download=1")
    assert download["Content-Disposition"].startswith("attachment")
    assert AuditEvent.objects.filter(action="consent.pdf_downloaded", actor=clinician).exists()


def test_reception_cannot_confirm_a_consent(client, record, reception):
    client.force_login(reception)
    assert client.post(f"/staff/consent/{record.pk}/confirm/", {"discussed": "on"}).status_code == 403
    record.refresh_from_db()
    assert record.confirmed_at is None
    assert "Confirm the consent discussion" not in client.get(f"/staff/consent/{record.pk}/").content.decode()


def test_a_clinician_confirms_and_the_signed_pdf_stays_byte_identical(client, record, clinician):
    before = stored(record.pdf.name)
    client.force_login(clinician)
    assert "Confirm the consent discussion" in client.get(f"/staff/consent/{record.pk}/").content.decode()

    response = client.post(f"/staff/consent/{record.pk}/confirm/", {"discussed": "on"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.confirmed_by == clinician
    assert record.confirmed_at is not None
    assert stored(record.pdf.name) == before
    record.visit.refresh_from_db()
    assert record.visit.progress == "confirmed"
    addendum = client.get(f"/staff/consent/{record.pk}/confirmation.pdf")
    assert b"".join(addendum.streaming_content) == stored(record.confirmation_pdf.name)
    assert ConsentRecord.objects.awaiting_review().count() == 0


def test_confirming_needs_the_box_ticked_and_happens_once(client, record, clinician):
    client.force_login(clinician)
    client.post(f"/staff/consent/{record.pk}/confirm/", {})
    record.refresh_from_db()
    assert record.confirmed_at is None
    client.post(f"/staff/consent/{record.pk}/confirm/", {"discussed": "on"})
    record.refresh_from_db()
    first = record.confirmed_at
    response = client.post(f"/staff/consent/{record.pk}/confirm/", {"discussed": "on"}, follow=True)
    assert "already been confirmed" in response.content.decode()
    record.refresh_from_db()
    assert record.confirmed_at == first


def test_confirm_only_accepts_post(client, record, clinician):
    client.force_login(clinician)
    assert client.get(f"/staff/consent/{record.pk}/confirm/").status_code == 405


def test_reception_withdraws_on_the_patients_behalf(client, record, reception):
    client.force_login(reception)
    response = client.post(
        f"/staff/consent/{record.pk}/withdraw/", {"reason": "Patient phoned to cancel", "confirm": "on"}
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.withdrawn_by == reception
    assert record.withdrawn_reason == "Patient phoned to cancel"
    assert ConsentRecord.objects.filter(pk=record.pk).exists()
    event = AuditEvent.objects.get(action="consent.withdrawn")
    assert event.details == {"by": "staff", "reason_given": True}
    assert "Patient phoned" not in str(event.details)


def test_staff_withdrawal_needs_a_reason(client, record, reception):
    client.force_login(reception)
    response = client.post(f"/staff/consent/{record.pk}/withdraw/", {"reason": "", "confirm": "on"})
    assert response.status_code == 200
    record.refresh_from_db()
    assert record.withdrawn_at is None


def test_the_verify_page_accepts_the_stored_file(client, record, reception):
    client.force_login(reception)
    upload = SimpleUploadedFile("consent.pdf", stored(record.pdf.name), content_type="application/pdf")
    response = client.post(f"/staff/consent/verify/{record.pk}/", {"file": upload})
    page = response.content.decode()
    assert "Valid: this file matches the stored signed consent" in page
    assert AuditEvent.objects.filter(action="consent.verified", details__valid=True).exists()


def test_the_verify_page_rejects_a_changed_file(client, record, reception):
    client.force_login(reception)
    data = bytearray(stored(record.pdf.name))
    data[2000] ^= 0x01
    upload = SimpleUploadedFile("consent.pdf", bytes(data), content_type="application/pdf")
    response = client.post("/staff/consent/verify/", {"file": upload})
    assert "Not valid" in response.content.decode()
    assert "No stored consent PDF has this SHA-256" in response.content.decode()


def test_the_detail_page_query_count_does_not_grow_with_the_history(client, clinician, sign):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from consent.services import withdraw_consent
    from tests.factories import VisitFactory

    def page_queries(history_length: int) -> int:
        visit = VisitFactory(understanding_done_at=timezone.now())
        for _ in range(history_length - 1):
            withdraw_consent(record=sign(visit), reason="test")
        record = sign(visit)
        client.get(f"/staff/consent/{record.pk}/")  # warm per-request caches
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/staff/consent/{record.pk}/").status_code == 200
        return len(queries)

    client.force_login(clinician)
    assert page_queries(1) == page_queries(4)
