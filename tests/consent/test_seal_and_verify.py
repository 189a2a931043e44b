"""The clinic seal, verify_consent, check_integrity and make_clinic_certificate."""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from consent.sealing import check_seal, seal_pdf, trusted_certificates
from consent.services import confirm_consent
from portal.pdf import render_html_to_pdf
from tests.consent.conftest import stored


def test_pyhanko_reports_the_seal_intact_and_trusted(record):
    reader = PdfFileReader(io.BytesIO(stored(record.pdf.name)))
    [signature] = reader.embedded_signatures
    status = validate_pdf_signature(signature, ValidationContext(trust_roots=trusted_certificates()))
    assert status.intact
    assert status.valid
    assert status.trusted
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES


def test_verify_consent_says_valid_for_the_stored_file(record, tmp_path, capsys):
    path = tmp_path / "copy.pdf"
    path.write_bytes(stored(record.pdf.name))
    call_command("verify_consent", str(path))
    out = capsys.readouterr().out
    assert out.startswith("valid")
    assert str(record.pk) in out


def test_a_one_byte_change_makes_verify_consent_fail(record, tmp_path):
    data = bytearray(stored(record.pdf.name))
    data[len(data) // 3] ^= 0x01
    path = tmp_path / "tampered.pdf"
    path.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="^invalid"):
        call_command("verify_consent", str(path))


def test_a_pdf_that_is_not_ours_fails_verification(db, tmp_path):
    path = tmp_path / "other.pdf"
    path.write_bytes(render_html_to_pdf("<p>Not a consent</p>"))
    with pytest.raises(CommandError, match="no stored consent PDF"):
        call_command("verify_consent", str(path))


def test_a_missing_file_fails_verification(db, tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        call_command("verify_consent", str(tmp_path / "nope.pdf"))


def test_a_seal_from_another_certificate_is_not_trusted(db, tmp_path, settings):
    from consent.sealing import ensure_certificate, make_self_signed_certificate

    ensure_certificate()
    clinic_cert, clinic_key = settings.CLINIC_SIGNING_CERT_PATH, settings.CLINIC_SIGNING_KEY_PATH
    settings.CLINIC_SIGNING_CERT_PATH = str(tmp_path / "other-cert.pem")
    settings.CLINIC_SIGNING_KEY_PATH = str(tmp_path / "other-key.pem")
    make_self_signed_certificate(
        cert_path=tmp_path / "other-cert.pem", key_path=tmp_path / "other-key.pem", common_name="Mallory"
    )
    forged = seal_pdf(render_html_to_pdf("<p>Forged</p>"), reason="x")
    settings.CLINIC_SIGNING_CERT_PATH, settings.CLINIC_SIGNING_KEY_PATH = clinic_cert, clinic_key
    result = check_seal(forged)
    assert result.intact and not result.trusted
    assert not result.ok


def test_confirmation_adds_a_sealed_addendum_and_keeps_the_signed_pdf_byte_identical(record, clinician, tmp_path):
    before = stored(record.pdf.name)
    confirmed = confirm_consent(record=record, clinician=clinician)
    assert stored(record.pdf.name) == before
    assert confirmed.confirmation_sha256 and confirmed.confirmation_sha256 != confirmed.pdf_sha256
    addendum = stored(confirmed.confirmation_pdf.name)
    assert check_seal(addendum).ok
    path = tmp_path / "addendum.pdf"
    path.write_bytes(addendum)
    call_command("verify_consent", str(path))


def test_check_integrity_passes_when_every_file_matches(record, capsys):
    call_command("check_integrity")
    assert capsys.readouterr().out.startswith("ok:")


def test_check_integrity_fails_on_a_changed_file(record):
    default_storage.delete(record.pdf.name)
    default_storage.save(record.pdf.name, ContentFile(stored_bytes_changed := b"%PDF-1.7 tampered"))
    assert stored(record.pdf.name) == stored_bytes_changed
    with pytest.raises(CommandError, match="failed the integrity check"):
        call_command("check_integrity")


def test_check_integrity_fails_on_a_missing_file(record):
    default_storage.delete(record.pdf.name)
    with pytest.raises(CommandError):
        call_command("check_integrity")


def test_make_clinic_certificate_writes_a_usable_pair(tmp_path, settings, capsys):
    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    call_command("make_clinic_certificate", "--cert", str(cert), "--key", str(key))
    assert cert.read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")
    assert (key.stat().st_mode & 0o777) == 0o600
    with pytest.raises(CommandError, match="already exists"):
        call_command("make_clinic_certificate", "--cert", str(cert), "--key", str(key))
    settings.CLINIC_SIGNING_CERT_PATH, settings.CLINIC_SIGNING_KEY_PATH = str(cert), str(key)
    assert check_seal(seal_pdf(render_html_to_pdf("<p>x</p>"), reason="t")).ok


def test_without_a_certificate_and_no_auto_creation_sealing_fails_clearly(tmp_path, settings):
    from consent.sealing import SealingError

    settings.CLINIC_SIGNING_CERT_PATH = str(tmp_path / "none.pem")
    settings.CLINIC_SIGNING_KEY_PATH = str(tmp_path / "none-key.pem")
    settings.CLINIC_SIGNING_AUTO_CREATE = False
    with pytest.raises(SealingError, match="make_clinic_certificate"):
        seal_pdf(render_html_to_pdf("<p>x</p>"), reason="t")


def test_sealing_works_inside_a_running_event_loop(db):
    """pyHanko's sync API starts its own loop; under ASGI (or Playwright) one is already running."""
    import asyncio

    async def seal_in_loop():
        pdf = seal_pdf(render_html_to_pdf("<p>in a loop</p>"), reason="t")
        return check_seal(pdf).ok

    assert asyncio.run(seal_in_loop())


def test_check_integrity_warns_about_a_file_no_record_points_to(record, capsys):
    default_storage.save(f"consents/{record.visit_id}/stray.pdf", ContentFile(b"%PDF-1.7 stray"))
    call_command("check_integrity")
    captured = capsys.readouterr()
    assert captured.out.startswith("ok:")
    assert "orphan file" in captured.err and "stray.pdf" in captured.err
    assert record.pdf.name not in captured.err
