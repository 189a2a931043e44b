"""Staff download each stored archival copy of a consent (sealed, timestamped, renewed B-LTA).

The same gate as the consent PDF (reception may not: it summarises health answers), the same audit
event, and the same safe headers. The access report lists the download; the access pack carries the
newest copy.
"""

from __future__ import annotations

import io
import json
import uuid
import zipfile

import pytest
from django.test import Client, override_settings

from consent import services
from consent.models import ArchiveVersion
from consent.sealing import Level
from consent.verification import verify_pdf_bytes
from portal.models import AuditEvent
from tests.consent.conftest import stored
from tests.helpers import open_patient_session

FIVE_YEARS = 5 * 365  # tsa's certificate (mid-2030) is inside this window; tsa2's (2045) is not


def _url(record, version) -> str:
    return f"/staff/consent/{record.pk}/archive/{version.pk}.pdf"


def _first_version(record) -> ArchiveVersion:
    return record.archive_versions.get()


def test_anonymous_visitors_are_sent_to_the_login_page(client, record):
    response = client.get(_url(record, _first_version(record)))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_patient_session_gets_404(client, record, patient_link):
    link, token = patient_link
    open_patient_session(client, token, link)
    assert client.get(_url(record, _first_version(record))).status_code == 404


@pytest.mark.parametrize("persona", ["outsider", "reception"])
def test_staff_who_may_not_open_the_consent_pdf_may_not_download_a_copy(client, record, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(_url(record, _first_version(record))).status_code == 403
    assert not AuditEvent.objects.filter(action="consent.pdf_downloaded").exists()


@pytest.mark.parametrize("persona", ["clinician", "clinic_admin"])
def test_clinicians_and_admins_download_a_copy_as_an_attachment_and_it_is_audited(client, record, persona, request):
    user = request.getfixturevalue(persona)
    version = _first_version(record)
    client.force_login(user)
    response = client.get(_url(record, version))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == stored(version.pdf.name)
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and "consent-archive-b-b-" in disposition
    patient = record.visit.patient
    for personal in (patient.first_name, patient.last_name, str(patient.pk), str(record.pk)):
        assert personal not in disposition
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action="consent.pdf_downloaded")
    assert (event.actor, event.patient, event.object_id) == (user, patient, str(record.pk))
    assert event.details == {"file": "consent", "archive_version": str(version.pk), "level": "B-B"}


def test_unknown_or_foreign_version_ids_are_404_without_a_trace(client, record, clinician, ready_visit, sign):
    from tests.factories import VisitFactory

    other = sign(VisitFactory(clinician=clinician, ready_to_sign=True))
    client.force_login(clinician)
    with override_settings(DEBUG=False):
        for url in (
            f"/staff/consent/{record.pk}/archive/{uuid.uuid4()}.pdf",  # no such copy
            _url(record, _first_version(other)),  # another record's copy
            f"/staff/consent/{uuid.uuid4()}/archive/{_first_version(record).pk}.pdf",  # no such record
        ):
            response = client.get(url)
            assert response.status_code == 404, url
            assert b"Traceback" not in response.content and b"DoesNotExist" not in response.content
        assert client.get(f"/staff/consent/{record.pk}/archive/not-a-uuid.pdf").status_code == 404
    assert not AuditEvent.objects.filter(action="consent.pdf_downloaded").exists()


def test_the_staff_page_lists_each_copy_and_links_only_for_clinical_staff(client, record, clinician, reception):
    version = _first_version(record)
    client.force_login(clinician)
    page = client.get(f"/staff/consent/{record.pk}/").content.decode()
    assert "Stored copies" in page and "PAdES B-B" in page and _url(record, version) in page
    client.force_login(reception)
    page = client.get(f"/staff/consent/{record.pk}/").content.decode()
    assert "Stored copies" in page and _url(record, version) not in page


def test_a_renewed_b_lta_copy_downloads_byte_for_byte_verifies_and_reaches_the_report_and_the_pack(
    long_term, ready_visit, sign, client, clinician, clinic_admin, settings
):
    record = sign(ready_visit)
    services.confirm_consent(record=record, clinician=clinician)
    record.refresh_from_db()
    settings.CONSENT_TSA_URL = long_term.tsa_url("tsa2")
    assert services.renew_archive_timestamps(days=FIVE_YEARS).renewed == 2
    renewed = services.newest_versions(record)["consent"]
    assert (renewed.level, renewed.step) == (Level.B_LTA, "renewed")

    client.force_login(clinician)
    page = client.get(f"/staff/consent/{record.pk}/").content.decode()
    assert page.count("PAdES B-LTA") >= 2 and _url(record, renewed) in page
    response = client.get(_url(record, renewed))
    data = b"".join(response.streaming_content)
    assert data == stored(renewed.pdf.name) and data != stored(record.pdf.name)
    assert "consent-archive-b-lta-" in response["Content-Disposition"]
    check = verify_pdf_bytes(data)
    assert check.valid and check.record.pk == record.pk and check.kind == "consent"
    assert check.seal.level == Level.B_LTA and check.newest is None  # it is the newest copy

    # The access report lists the download, in words.
    admin = Client()
    admin.force_login(clinic_admin)
    patient = record.visit.patient
    report = admin.get(f"/staff/patients/{patient.pk}/access/").content.decode()
    assert "Downloaded your consent form" in report and (clinician.get_full_name() or clinician.username) in report

    # The pack carries the newest copy of each document beside the file the patient was given.
    response = admin.get(f"/staff/patients/{patient.pk}/access-pack.zip")
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()
    given = next(n for n in names if n.endswith("/consent-1.pdf"))
    archival = next(n for n in names if n.endswith("/consent-1-archival.pdf"))
    addendum = next(n for n in names if n.endswith("/consent-1-clinician-addendum-archival.pdf"))
    assert archive.read(given) == stored(record.pdf.name)
    assert archive.read(archival) == data
    newest_addendum = services.newest_versions(record)["confirmation"]
    assert archive.read(addendum) == stored(newest_addendum.pdf.name)
    assert verify_pdf_bytes(archive.read(addendum)).valid
    event = AuditEvent.objects.get(action="patient.access_pack_downloaded")
    assert event.details["archival_copies"] == 2 and patient.last_name not in json.dumps(event.details)


def test_a_pack_without_later_timestamps_holds_no_archival_duplicate(record, clinic_admin):
    admin = Client()
    admin.force_login(clinic_admin)
    response = admin.get(f"/staff/patients/{record.visit.patient.pk}/access-pack.zip")
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert any(n.endswith("/consent-1.pdf") for n in names)
    assert not any("archival" in n for n in names)  # the only copy is the file the patient was given
