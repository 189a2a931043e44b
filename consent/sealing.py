"""The clinic's seal on consent PDFs: a PAdES signature made with pyHanko, and its verification.

The seal says "this file left the clinic's portal exactly like this". It uses the certificate and
key named in settings (CLINIC_SIGNING_CERT_PATH / CLINIC_SIGNING_KEY_PATH); on a laptop and in tests
`make_clinic_certificate` (or the automatic first use, when CLINIC_SIGNING_AUTO_CREATE is on) writes a
self-signed pair under var/. Production points the settings at a real certificate.

Long-term validation (PAdES baseline levels, ETSI EN 319 142-1):
- B-B: the seal alone (no timestamp authority configured, or it was unreachable: then pending).
- B-T: a trusted RFC 3161 timestamp proves when the seal was made.
- B-LT: the seal's certificate chain and revocation data (OCSP, CRL) are inside the file (the DSS), so
  the seal can be checked when the CA, its OCSP responder or the seal certificate are long gone.
- B-LTA: a document timestamp over all of that, renewed before the timestamp authority's own
  certificate expires (renew_archive_timestamps).
Signing asks for B-LT (signature timestamp + DSS). A seal made while the TSA was down is B-B; adding
the DSS and a document timestamp later makes it B-LT (the standard allows the document timestamp to be
the B-T timestamp), and each renewal adds one more document timestamp (B-LTA). Every step is an
incremental update: the earlier bytes stay untouched in front of the new ones.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import functools
import hashlib
import io
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings

logger = logging.getLogger(__name__)

SEAL_FIELD = "ClinicSeal"
TIMESTAMP_FIELD_PREFIX = "ArchiveTimestamp"
TSA_TIMEOUT_SECONDS = 10


class Level:
    """PAdES baseline levels, lowest first."""

    B_B = "B-B"
    B_T = "B-T"
    B_LT = "B-LT"
    B_LTA = "B-LTA"
    ORDER = (B_B, B_T, B_LT, B_LTA)


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
    level: str = Level.B_B
    timestamp_at: dt.datetime | None = None  # the earliest trusted time: when the seal was proven to exist
    chain_valid_then: bool | None = None  # the seal's chain at that time, from the data inside the file

    @property
    def ok(self) -> bool:
        return self.present and self.intact and self.trusted and self.covers_whole_file


def _run(coroutine_function, /, *args, contexts=(), **kwargs):
    """Run one of pyHanko's async APIs to completion, from sync code, with or without a running loop,
    then close the HTTP sessions the validation contexts opened (OCSP and CRL fetching)."""

    async def run_and_close():
        try:
            return await coroutine_function(*args, **kwargs)
        finally:
            for context in contexts:
                await context.aclose()

    return _outside_event_loop(lambda: asyncio.run(run_and_close()))


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
    chain = [settings.CLINIC_SIGNING_CHAIN_PATH] if settings.CLINIC_SIGNING_CHAIN_PATH else None
    signer = signers.SimpleSigner.load(str(key_path), str(cert_path), ca_chain_files=chain, key_passphrase=_password())
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


def _timestamper():
    """The configured RFC 3161 timestamp authority, or None (laptop default)."""
    if not settings.CONSENT_TSA_URL:
        return None
    return _timestamper_for(settings.CONSENT_TSA_URL, settings.CONSENT_TSA_USERNAME, settings.CONSENT_TSA_PASSWORD)


@functools.lru_cache(maxsize=4)
def _timestamper_for(url: str, username: str, password: str):
    # One client per TSA and process: pyHanko sizes the signature with a dummy timestamp that each
    # client asks the TSA for once and then remembers (a new client per seal meant two TSA round trips).
    from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper

    auth = (username, password) if username else None
    return RequestsHTTPTimeStamper(url, timeout=TSA_TIMEOUT_SECONDS, auth=auth)


def tsa_configured() -> bool:
    return bool(settings.CONSENT_TSA_URL)


def _fetching_context():
    """Validation context that fetches OCSP responses and CRLs, so they can be embedded (the DSS).

    With the requests-based fetchers: the default aiohttp ones build a TLS context (loading every system
    CA certificate) for each seal, a quarter of the B-LT step's CPU time, although OCSP and CRL
    addresses are plain http almost everywhere.
    """
    from pyhanko_certvalidator import ValidationContext
    from pyhanko_certvalidator.fetchers.requests_fetchers import RequestsFetcherBackend

    return ValidationContext(
        trust_roots=trusted_certificates(),
        other_certs=chain_certificates(),
        allow_fetching=True,
        fetcher_backend=RequestsFetcherBackend(per_request_timeout=TSA_TIMEOUT_SECONDS),
    )


def seal_pdf(pdf: bytes, *, reason: str) -> bytes:
    """Add the clinic's PAdES seal to the PDF (an incremental update: the original bytes stay in front).

    With a timestamp authority configured the seal is B-LT: timestamped, with its chain and revocation
    data embedded. If the TSA (or an OCSP/CRL server) cannot be reached, the seal is made at B-B and
    the caller queues it for a timestamp (archive_facts() tells which level was reached).
    """
    signer = _signer()
    if tsa_configured():
        try:
            return _sign(pdf, reason=reason, signer=signer, long_term=True)
        except SealingError:
            raise
        except Exception as exc:  # the TSA or a revocation server is unreachable or answered badly
            logger.warning("seal made without a timestamp, one is pending (%s)", exc.__class__.__name__)
    try:
        return _sign(pdf, reason=reason, signer=signer, long_term=False)
    except SealingError:
        raise
    except Exception as exc:  # pyHanko raises many kinds; callers only need "it did not work"
        raise SealingError(f"Sealing failed: {exc.__class__.__name__}") from exc


def _sign(pdf: bytes, *, reason: str, signer, long_term: bool) -> bytes:
    from pyhanko.sign import fields, signers

    writer_class, signer_class = _archival_classes()
    meta = signers.PdfSignatureMetadata(
        field_name=SEAL_FIELD,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=settings.CLINIC_NAME,
        name=settings.CLINIC_NAME,
    )
    pdf_signer = signer_class(meta, signer=signer, timestamper=_timestamper() if long_term else None)
    sealed = _run(pdf_signer.async_sign_pdf, writer_class(io.BytesIO(pdf))).getvalue()
    if not long_term:
        _remember(sealed, ArchiveFacts(level=Level.B_B))
        return sealed
    # The DSS goes in our own incremental update (pyHanko's embed_validation_info writes it with a writer
    # that would break the PDF/A metadata rule above).
    context = _fetching_context()
    return _run(_with_validation_data, sealed, context, contexts=[context])


async def _validation_path(cert, context, *, intermediates=(), time_stamping=False):
    from pyhanko_certvalidator import CertificateValidator

    validator = CertificateValidator(cert, intermediate_certs=list(intermediates), validation_context=context)
    if time_stamping:
        return await validator.async_validate_usage(set(), extended_key_usage={"time_stamping"})
    return await validator.async_validate_usage(set())


async def _with_validation_data(pdf: bytes, context) -> bytes:
    """B-T to B-LT: the seal's chain and the timestamp authority's chain, with their revocation data."""
    from pyhanko.sign.validation import DocumentSecurityStore

    writer_class, _signer_class = _archival_classes()
    writer = writer_class(io.BytesIO(pdf))
    reader = writer.prev  # the writer has parsed the file already: a tagged PDF has thousands of objects
    seal = reader.embedded_regular_signatures[-1]
    paths = [await _validation_path(seal.signer_cert, context, intermediates=seal.other_embedded_certs)]
    facts = _facts_from_reader(reader)
    if facts.newest_tsa_cert is not None:
        paths.append(await _validation_path(facts.newest_tsa_cert, context, time_stamping=True))
    DocumentSecurityStore.supply_dss_in_writer(writer, None, paths=paths, validation_context=context)
    out = io.BytesIO()
    writer.write(out)
    data = out.getvalue()
    _remember(data, ArchiveFacts(level=Level.B_LT if facts.level != Level.B_B else Level.B_B, **facts.timestamp()))
    return data


def add_document_timestamp(pdf: bytes) -> bytes:
    """Append the validation data for the newest proof in the file and a new document timestamp.

    For a B-B seal (made while the TSA was down) the newest proof is the seal itself: its chain and
    revocation data go into the DSS, and the document timestamp makes it B-LT. For a timestamped file it
    is the newest timestamp: its TSA's chain and revocation data go in, and the new timestamp (from the
    TSA configured now) makes it B-LTA. Raises SealingError when no TSA is configured or it fails.
    """
    timestamper = _timestamper()
    if timestamper is None:
        raise SealingError("No timestamp authority is configured (CONSENT_TSA_URL).")
    try:
        context = _fetching_context()
        return _run(_add_document_timestamp, pdf, timestamper, context, contexts=[context])
    except Exception as exc:
        raise SealingError(f"The document timestamp failed: {exc.__class__.__name__}") from exc


async def _add_document_timestamp(pdf: bytes, timestamper, context) -> bytes:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import signers
    from pyhanko.sign.signers.pdf_signer import TimestampDSSContentSettings
    from pyhanko.sign.validation import DocumentSecurityStore

    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    facts = _facts_from_reader(reader)
    if facts.newest_tsa_cert is not None:
        path = await _validation_path(facts.newest_tsa_cert, context, time_stamping=True)
    else:
        seal = reader.embedded_regular_signatures[-1]
        path = await _validation_path(seal.signer_cert, context, intermediates=seal.other_embedded_certs)
    writer_class, _signer_class = _archival_classes()
    writer = writer_class(io.BytesIO(pdf))
    DocumentSecurityStore.supply_dss_in_writer(writer, None, paths=[path], validation_context=context)
    field = f"{TIMESTAMP_FIELD_PREFIX}{len(reader.embedded_timestamp_signatures) + 1}"
    stamper = signers.PdfTimeStamper(timestamper, field_name=field)
    # The new TSA's chain goes into the same revision, before the timestamp (the default would add it in a
    # later revision, written by pyHanko's own writer).
    dss_settings = TimestampDSSContentSettings(include_vri=False, update_before_ts=True)
    out = await stamper.async_timestamp_pdf(writer, "sha256", context, dss_settings=dss_settings)
    return out.getvalue()


def tsa_certificate_valid_until() -> dt.datetime | None:
    """When the configured TSA's current certificate expires (asked with one probe timestamp), or None."""
    timestamper = _timestamper()
    if timestamper is None:
        return None
    try:
        token = _run(timestamper.async_timestamp, hashlib.sha256(b"probe").digest(), "sha256")
    except Exception as exc:
        logger.warning("the timestamp authority did not answer (%s)", exc.__class__.__name__)
        return None
    _at, cert = _token_facts(token["content"])
    return cert["tbs_certificate"]["validity"]["not_after"].native if cert is not None else None


@dataclass(frozen=True)
class ArchiveFacts:
    """What a sealed file holds, read from its structure (no validation): level and newest timestamp."""

    level: str
    timestamp_at: dt.datetime | None = None  # the newest timestamp's time
    tsa_valid_until: dt.datetime | None = None  # when the newest timestamp's TSA certificate expires
    newest_tsa_cert: object = None

    def timestamp(self) -> dict:
        return {
            "timestamp_at": self.timestamp_at,
            "tsa_valid_until": self.tsa_valid_until,
            "newest_tsa_cert": self.newest_tsa_cert,
        }


# The facts of the files this process has just sealed, by SHA-256: reading a tagged PDF again only to
# learn what the sealing step already knew would cost as much as the DSS step itself.
_recent_facts: dict[str, ArchiveFacts] = {}


def _remember(pdf: bytes, facts: ArchiveFacts) -> None:
    if len(_recent_facts) >= 32:
        _recent_facts.pop(next(iter(_recent_facts)))
    _recent_facts[hashlib.sha256(pdf).hexdigest()] = facts


def archive_facts(pdf: bytes) -> ArchiveFacts:
    from pyhanko.pdf_utils.reader import PdfFileReader

    remembered = _recent_facts.get(hashlib.sha256(pdf).hexdigest())
    if remembered is not None:
        return remembered
    return _facts_from_reader(PdfFileReader(io.BytesIO(pdf), strict=False))


def _facts_from_reader(reader) -> ArchiveFacts:
    from pyhanko.sign.validation.generic_cms import extract_tst_data_iter

    seals = reader.embedded_regular_signatures
    tokens = list(extract_tst_data_iter(seals[-1].signer_info, signed=False)) if seals else []
    tokens.extend(stamp.signed_data for stamp in reader.embedded_timestamp_signatures)
    if not tokens:
        return ArchiveFacts(level=Level.B_B)
    has_dss = "/DSS" in reader.root
    level = Level.B_T if not has_dss else (Level.B_LT if len(tokens) == 1 else Level.B_LTA)
    at, tsa_cert = _token_facts(tokens[-1])
    until = tsa_cert["tbs_certificate"]["validity"]["not_after"].native if tsa_cert is not None else None
    return ArchiveFacts(level=level, timestamp_at=at, tsa_valid_until=until, newest_tsa_cert=tsa_cert)


def _token_facts(signed_data):
    """(generation time, TSA certificate) of an RFC 3161 timestamp token's SignedData."""
    tst_info = signed_data["encap_content_info"]["content"].parsed
    sid = signed_data["signer_infos"][0]["sid"]
    for choice in signed_data["certificates"] or []:
        cert = choice.chosen
        if sid.name == "issuer_and_serial_number":
            if cert.issuer == sid.chosen["issuer"] and cert.serial_number == sid.chosen["serial_number"].native:
                return tst_info["gen_time"].native, cert
        elif cert.key_identifier == sid.chosen.native:
            return tst_info["gen_time"].native, cert
    return tst_info["gen_time"].native, None


def trusted_certificates():
    """The certificates a seal (and its timestamps) may chain to: the configured trust anchors, or else
    the configured clinic certificate itself."""
    from pyhanko.keys import load_cert_from_pemder, load_certs_from_pemder

    if settings.CONSENT_TRUST_ROOTS_PATH:
        return list(load_certs_from_pemder([settings.CONSENT_TRUST_ROOTS_PATH]))
    cert_path, _key_path = cert_paths()
    if not cert_path.exists():
        return []
    return [load_cert_from_pemder(str(cert_path))]


def chain_certificates():
    from pyhanko.keys import load_certs_from_pemder

    if not settings.CLINIC_SIGNING_CHAIN_PATH:
        return []
    return list(load_certs_from_pemder([settings.CLINIC_SIGNING_CHAIN_PATH]))


def _clinic_subject():
    from pyhanko.keys import load_cert_from_pemder

    cert_path, _key_path = cert_paths()
    return load_cert_from_pemder(str(cert_path)).subject if cert_path.exists() else None


def check_seal(pdf: bytes) -> SealCheck:
    """Validate the clinic seal in a PDF against the configured trust anchors, and its long-term evidence.

    Trusted means: the seal's certificate is the clinic's (same subject as the configured one) and its
    chain is valid, either now or, for a timestamped file, at the time of the timestamp using only the
    chain and revocation data inside the file (so an expired or later-revoked seal certificate still
    verifies). Content after the seal may only be validation data and document timestamps.
    """
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_regular_signatures
    except Exception as exc:
        return SealCheck(present=False, reason=f"not a readable PDF ({exc.__class__.__name__})")
    if not signatures:
        return SealCheck(present=False, reason="the file carries no seal")
    roots = trusted_certificates()
    if not roots:
        return SealCheck(present=True, reason="the clinic certificate is not configured on this server")
    try:
        return _outside_event_loop(_check, reader, signatures[-1], roots)
    except Exception as exc:
        return SealCheck(present=True, reason=f"the seal could not be validated ({exc.__class__.__name__})")


def _token_ok(status) -> bool:
    return bool(status.intact and status.valid and status.trusted)


def _check(reader, signature, roots) -> SealCheck:
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import (
        DocumentSecurityStore,
        SignatureCoverageLevel,
        validate_pdf_signature,
        validate_pdf_timestamp,
    )
    from pyhanko_certvalidator import ValidationContext

    status = validate_pdf_signature(
        signature, ValidationContext(trust_roots=roots, other_certs=chain_certificates(), allow_fetching=False)
    )
    signer_cert = status.signing_cert
    signer = signer_cert.subject.native.get("common_name", "") if signer_cert is not None else ""
    clinic = _clinic_subject()
    is_clinic = signer_cert is not None and (clinic is None or signer_cert.subject == clinic)

    stamps = reader.embedded_timestamp_signatures
    stamps_ok = all(
        _token_ok(stamp_status)
        for stamp_status in (
            validate_pdf_timestamp(stamp, ValidationContext(trust_roots=roots, allow_fetching=False))
            for stamp in stamps
        )
    )
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE or (
        status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
        and status.modification_level is not None
        and status.modification_level <= ModificationLevel.LTA_UPDATES
        and stamps_ok
    )
    facts = _facts_from_reader(reader)
    proven_at = None
    if status.timestamp_validity is not None and _token_ok(status.timestamp_validity):
        proven_at = status.timestamp_validity.timestamp
    elif stamps and stamps_ok:
        proven_at = _token_facts(stamps[0].signed_data)[0]
    chain_valid_then = None
    if proven_at is not None and "/DSS" in reader.root:
        # Only what the file carries (DSS), at the proven time; revocation data must be there (hard-fail).
        then = DocumentSecurityStore.read_dss(reader).as_validation_context(
            {
                "trust_roots": roots,
                "allow_fetching": False,
                "moment": proven_at,
                "revocation_mode": "hard-fail",
                "retroactive_revinfo": True,
            }
        )
        chain_valid_then = bool(validate_pdf_signature(signature, then, ts_validation_context=then).bottom_line)
    trusted = is_clinic and (bool(status.trusted) or bool(chain_valid_then))
    reason = ""
    if not status.intact:
        reason = "the seal does not match the content (the file was changed)"
    elif not trusted:
        reason = "the seal was not made with the clinic's certificate"
    elif not whole:
        reason = "content was added after the seal"
    return SealCheck(
        present=True,
        intact=bool(status.intact),
        trusted=trusted,
        signer=signer,
        covers_whole_file=whole,
        reason=reason,
        level=facts.level,
        timestamp_at=proven_at,
        chain_valid_then=chain_valid_then,
    )
