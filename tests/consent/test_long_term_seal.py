"""PAdES B-LT at signing, B-B with a pending timestamp when the TSA is down, B-LTA on renewal.

All against a real local PKI (certomancer: TSA, OCSP, CRL on 127.0.0.1), validated with pyHanko.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.generic_cms import extract_tst_data_iter

from consent import sealing, services
from consent.models import ArchiveVersion
from consent.sealing import Level
from consent.tasks import timestamp_consent
from consent.verification import verify_pdf_bytes
from portal.models import AuditEvent
from tests.consent.conftest import stored
from tests.consent.test_archival_pdf import assert_archival

CLOSED_PORT_TSA = "http://127.0.0.1:9/closed"  # the discard port: nothing listens there
FIVE_YEARS = 5 * 365  # tsa's certificate (mid-2030) is inside this window; tsa2's (2045) is not


def run(command: str, *args) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out, stderr=out)
    return out.getvalue()


def newest(record, document="consent") -> ArchiveVersion:
    return services.newest_versions(record)[document]


def test_a_seal_with_a_timestamp_authority_is_b_lt_and_its_chain_was_valid_at_the_timestamp(
    long_term, ready_visit, sign, tmp_path
):
    record = sign(ready_visit)
    pdf = stored(record.pdf.name)
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    seal = reader.embedded_regular_signatures[-1]
    assert len(list(extract_tst_data_iter(seal.signer_info, signed=False))) == 1  # the RFC 3161 timestamp
    dss = reader.root["/DSS"]
    assert len(dss["/Certs"]) >= 3 and ("/OCSPs" in dss or "/CRLs" in dss)  # chain and revocation data
    check = sealing.check_seal(pdf)
    assert check.ok and check.level == Level.B_LT and check.chain_valid_then is True
    assert check.timestamp_at is not None and abs((check.timestamp_at - record.signed_at).total_seconds()) < 120
    assert_archival(pdf, language="en")  # the timestamp and the DSS keep PDF/A-3b

    version = newest(record)
    assert (version.level, version.step, version.pdf_sha256) == (Level.B_LT, "sealed", record.pdf_sha256)
    assert version.tsa_valid_until.year == 2030

    path = tmp_path / "copy.pdf"
    path.write_bytes(pdf)
    line = run("verify_consent", str(path))
    assert line.startswith("valid signed consent") and "PAdES B-LT, timestamp" in line and "chain valid then" in line


def test_when_the_tsa_is_down_signing_succeeds_at_b_b_and_the_task_adds_the_timestamp_later(
    long_term, ready_visit, sign, client, clinician, settings
):
    settings.CONSENT_TSA_URL = CLOSED_PORT_TSA
    record = sign(ready_visit)
    original = stored(record.pdf.name)
    assert newest(record).level == Level.B_B
    assert sealing.check_seal(original).ok  # sealed all the same

    client.force_login(clinician)
    page = client.get(f"/staff/consent/{record.pk}/").content.decode()
    assert "timestamp pending" in page

    timestamp_consent.enqueue(str(record.pk))  # the TSA is still down: it stays pending, nothing breaks
    assert newest(record).level == Level.B_B

    settings.CONSENT_TSA_URL = long_term.tsa_url("tsa")
    timestamp_consent.enqueue(str(record.pk))
    later = newest(record)
    assert (later.level, later.step) == (Level.B_LT, "timestamped")
    copy = stored(later.pdf.name)
    assert copy.startswith(original)  # an incremental update of the file the patient was given
    assert sealing.check_seal(copy).chain_valid_then is True
    assert AuditEvent.objects.filter(action="consent.timestamped", object_id=str(record.pk)).count() == 1
    assert "timestamp pending" not in client.get(f"/staff/consent/{record.pk}/").content.decode()

    first = verify_pdf_bytes(original)  # the patient's copy still verifies, and points to the newer copy
    assert first.valid and first.seal.level == Level.B_B and first.newest.pk == later.pk
    second = verify_pdf_bytes(copy)
    assert second.valid and second.kind == "consent" and second.seal.level == Level.B_LT
    assert "ok:" in run("check_integrity")

    timestamp_consent.enqueue(str(record.pk))  # done once: a second run adds nothing
    assert record.archive_versions.count() == 2


def test_renewal_adds_a_document_timestamp_before_the_tsa_certificate_expires_once(
    long_term, ready_visit, sign, clinician, settings, tmp_path
):
    record = sign(ready_visit)
    services.confirm_consent(record=record, clinician=clinician)
    original = stored(record.pdf.name)

    # The TSA still signs with the certificate ending 2030: renewing with it would not help.
    output = run("renew_archive_timestamps", "--days", str(FIVE_YEARS))
    assert "due for renewal within 1825 days: 2; renewed: 0" in output and "renewal skipped" in output

    settings.CONSENT_TSA_URL = long_term.tsa_url("tsa2")
    assert "renewed: 2" in run("renew_archive_timestamps", "--days", str(FIVE_YEARS))
    for document in ("consent", "confirmation"):
        version = newest(record, document)
        assert (version.level, version.step, version.tsa_valid_until.year) == (Level.B_LTA, "renewed", 2045)
        renewed = stored(version.pdf.name)
        check = sealing.check_seal(renewed)
        assert check.ok and check.level == Level.B_LTA and check.chain_valid_then is True
        assert_archival(renewed, language="en")
        assert verify_pdf_bytes(renewed).valid
    assert AuditEvent.objects.filter(action="consent.timestamp_renewed", object_id=str(record.pk)).count() == 2

    assert "due for renewal within 1825 days: 0; renewed: 0" in run(
        "renew_archive_timestamps", "--days", str(FIVE_YEARS)
    )  # idempotent
    assert record.archive_versions.count() == 4
    assert verify_pdf_bytes(original).valid  # the first download still verifies
    assert "ok:" in run("check_integrity")


@pytest.mark.parametrize("which", ["original", "renewed"])
def test_a_one_byte_change_still_fails_verification(long_term, ready_visit, sign, settings, tmp_path, which):
    record = sign(ready_visit)
    if which == "renewed":
        settings.CONSENT_TSA_URL = long_term.tsa_url("tsa2")
        services.renew_archive_timestamps(days=FIVE_YEARS)
    data = bytearray(stored(newest(record).pdf.name))
    data[len(data) // 3] ^= 0x01
    path = tmp_path / "changed.pdf"
    path.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="^invalid"):
        run("verify_consent", str(path))
    assert not sealing.check_seal(bytes(data)).ok


def test_the_verify_page_reports_the_level_the_timestamp_and_the_chain_then(
    long_term, ready_visit, sign, client, reception
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    record = sign(ready_visit)
    client.force_login(reception)
    upload = SimpleUploadedFile("copy.pdf", stored(record.pdf.name), content_type="application/pdf")
    page = client.post(f"/staff/consent/verify/{record.pk}/", {"file": upload}).content.decode()
    assert "PAdES B-LT" in page and "was valid then" in page and "clinic time" in page


def test_without_a_timestamp_authority_the_staff_page_says_seals_are_b_b(ready_visit, sign, client, clinician):
    record = sign(ready_visit)
    assert newest(record).level == Level.B_B
    client.force_login(clinician)
    page = client.get(f"/staff/consent/{record.pk}/").content.decode()
    assert "No timestamp authority is configured" in page and "PAdES B-B" in page
    assert "timestamp pending" not in page


@override_settings(CONSENT_TSA_URL="")
def test_renewal_without_a_timestamp_authority_changes_nothing(ready_visit, sign):
    record = sign(ready_visit)
    assert services.renew_archive_timestamps(days=FIVE_YEARS).renewed == 0
    assert services.timestamp_pending() == 0
    assert record.archive_versions.count() == 1
