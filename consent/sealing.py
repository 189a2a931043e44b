"""The clinic's seal on consent PDFs: a PAdES signature made with pyHanko, and its verification.

The seal says "this file left the clinic's portal exactly like this". It uses the certificate and
key named in settings (CLINIC_SIGNING_CERT_PATH / CLINIC_SIGNING_KEY_PATH); on a laptop and in tests
`make_clinic_certificate` (or the automatic first use, when CLINIC_SIGNING_AUTO_CREATE is on) writes a
self-signed pair under var/. Production points the settings at a real certificate.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import functools
import io
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings

SEAL_FIELD = "ClinicSeal"


class SealingError(RuntimeError):
    """The PDF could not be sealed (missing or unreadable certificate, pyHanko failure)."""


@dataclass(frozen=True)
class SealCheck:
    """What validating a sealed PDF found."""

    present: bool
    intact: bool = False
    trusted: bool = False
    signer: str = ""
    covers_whole_file: bool = False
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.present and self.intact and self.trusted and self.covers_whole_file


def _outside_event_loop(function, /, *args, **kwargs):
    """Call a pyHanko sync API, which runs its own asyncio loop, even from a thread that already has one
    running (an ASGI server, or Playwright's sync API in browser tests): then it runs on a helper thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()


def cert_paths() -> tuple[Path, Path]:
    return Path(settings.CLINIC_SIGNING_CERT_PATH), Path(settings.CLINIC_SIGNING_KEY_PATH)


def _password() -> bytes | None:
    password = settings.CLINIC_SIGNING_KEY_PASSWORD
    return password.encode() if password else None


def make_self_signed_certificate(
    *, cert_path: Path, key_path: Path, common_name: str, password: bytes | None = None, days: int = 3650
) -> x509.Certificate:
    """Write a self-signed ECDSA P-256 certificate and its key (PEM). Returns the certificate."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, common_name),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    encryption = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    cert_path.parent.mkdir(parents=True, exist_ok=True)
    key_path.parent.mkdir(parents=True, exist_ok=True)
    key_bytes = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    # The key file is written readable by its owner only.
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key_bytes)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert


def ensure_certificate() -> None:
    """Create the demo certificate on first use when allowed (laptop, tests); otherwise insist it exists."""
    cert_path, key_path = cert_paths()
    if cert_path.exists() and key_path.exists():
        return
    if not settings.CLINIC_SIGNING_AUTO_CREATE:
        raise SealingError("The clinic signing certificate is missing: run make_clinic_certificate or set the path.")
    make_self_signed_certificate(
        cert_path=cert_path, key_path=key_path, common_name=f"{settings.CLINIC_NAME} (demo seal)", password=_password()
    )


def _signer():
    from pyhanko.sign import signers

    ensure_certificate()
    cert_path, key_path = cert_paths()
    signer = signers.SimpleSigner.load(str(key_path), str(cert_path), key_passphrase=_password())
    if signer is None:
        raise SealingError("The clinic signing key or certificate could not be read.")
    return signer


@functools.cache
def _archival_classes():
    """pyHanko's writer and signer, adjusted so an incremental update keeps a PDF/A-3 file conformant.

    - The XMP and the Info dictionary must agree (ISO 19005 6.6.3): pyHanko writes "<old>; pyHanko x" into
      Info but only "pyHanko x" into the XMP, and takes "now" twice. The writer below takes one moment and
      copies Info's producer into the XMP.
    - pyHanko marks ECDSA P-256 signatures with the ISO/TS 32002 extension, which raises the file to PDF 2.0;
      PDF/A-3 is PDF 1.7. ETSI's ESIC extension (PAdES on PDF 1.7) is all a P-256 seal needs.
    """
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.metadata import model, xmp_xml
    from pyhanko.sign import signers
    from pyhanko.sign.signers import constants

    class ArchivalWriter(IncrementalPdfFileWriter):
        def _update_meta(self):
            self._meta.last_modified = dt.datetime.now(dt.UTC).replace(microsecond=0)
            super()._update_meta()
            try:
                metadata = self.root["/Metadata"]  # [] resolves the reference; .get() would not
            except KeyError:
                return
            if self._info is None or not isinstance(metadata, xmp_xml.MetadataStream):
                return
            fields = {key: value for part in metadata.xmp for key, value in part}
            fields[model.PDF_PRODUCER] = model.XmpValue(str(self._info.get_object()["/Producer"]))
            metadata._xmp = [model.XmpStructure(fields)]
            metadata._reserialise()
            metadata._encoded_data = None
            self.update_container(metadata)

    class ArchivalPdfSigner(signers.PdfSigner):
        def register_extensions(self, pdf_out, *, md_algorithm: str):
            pdf_out.ensure_output_version(version=(1, 7))
            if pdf_out.output_version < (2, 0):
                pdf_out.register_extension(constants.ESIC_EXTENSION_1)

    return ArchivalWriter, ArchivalPdfSigner


def seal_pdf(pdf: bytes, *, reason: str) -> bytes:
    """Add the clinic's PAdES seal to the PDF (an incremental update: the original bytes stay in front)."""
    from pyhanko.sign import fields, signers

    writer_class, signer_class = _archival_classes()
    try:
        writer = writer_class(io.BytesIO(pdf))
        meta = signers.PdfSignatureMetadata(
            field_name=SEAL_FIELD,
            md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES,
            reason=reason,
            location=settings.CLINIC_NAME,
            name=settings.CLINIC_NAME,
        )
        pdf_signer = signer_class(meta, signer=_signer())
        out = _outside_event_loop(pdf_signer.sign_pdf, writer)
        return out.getvalue()
    except SealingError:
        raise
    except Exception as exc:  # pyHanko raises many kinds; callers only need "it did not work"
        raise SealingError(f"Sealing failed: {exc.__class__.__name__}") from exc


def trusted_certificates():
    """The certificates a seal may chain to: the configured clinic certificate."""
    from pyhanko.keys import load_cert_from_pemder

    cert_path, _key_path = cert_paths()
    if not cert_path.exists():
        return []
    return [load_cert_from_pemder(str(cert_path))]


def check_seal(pdf: bytes) -> SealCheck:
    """Validate the clinic seal in a PDF against the configured clinic certificate."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
    except Exception as exc:
        return SealCheck(present=False, reason=f"not a readable PDF ({exc.__class__.__name__})")
    if not signatures:
        return SealCheck(present=False, reason="the file carries no seal")
    roots = trusted_certificates()
    if not roots:
        return SealCheck(present=True, reason="the clinic certificate is not configured on this server")
    signature = signatures[-1]
    try:
        status = _outside_event_loop(
            validate_pdf_signature, signature, ValidationContext(trust_roots=roots, allow_fetching=False)
        )
    except Exception as exc:
        return SealCheck(present=True, reason=f"the seal could not be validated ({exc.__class__.__name__})")
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    signer_cert = status.signing_cert
    signer = signer_cert.subject.native.get("common_name", "") if signer_cert is not None else ""
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    reason = ""
    if not status.intact:
        reason = "the seal does not match the content (the file was changed)"
    elif not status.trusted:
        reason = "the seal was not made with the clinic's certificate"
    elif not whole:
        reason = "content was added after the seal"
    return SealCheck(
        present=True,
        intact=bool(status.intact),
        trusted=bool(status.trusted),
        signer=signer,
        covers_whole_file=whole,
        reason=reason,
    )
