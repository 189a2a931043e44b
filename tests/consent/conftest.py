"""Fixtures for consent tests: the demo consent text, a visit ready to sign, and a signing helper."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from pypdf import PdfReader

from consent.demo import demo_signature_png, seed_versions
from consent.models import ConsentRecord
from consent.services import sign_consent
from tests.consent.pki import LocalPKI
from tests.factories import VisitFactory


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def stored(name: str) -> bytes:
    """A stored file's bytes (a consent PDF or an archive copy), whatever the storage backend."""
    with default_storage.open(name, "rb") as handle:
        return handle.read()


@pytest.fixture
def consent_version(db):
    return seed_versions()


@pytest.fixture
def ready_visit(db, clinician):
    """A visit whose patient has passed the understanding check."""
    return VisitFactory(
        clinician=clinician,
        ready_to_sign=True,
    )


def full_acknowledgements(version, *, minor: bool = False) -> dict:
    return {
        "electronic_signature": True,
        "read_and_understood": True,
        "voluntary": True,
        "guardian_involved_minor": minor,
        "risks": [risk["name"] for risk in version.risks],
    }


@pytest.fixture
def sign(consent_version):
    """sign(visit, **overrides): sign the visit's consent through the service, as the patient."""

    def _sign(visit, **overrides) -> ConsentRecord:
        version = overrides.pop("version", consent_version)
        kwargs = {
            "visit": visit,
            "version": version,
            "signer_name": visit.patient.full_name,
            "signature_png": demo_signature_png(),
            "acknowledgements": full_acknowledgements(version),
            "time_zone": "Europe/Madrid",
            "ip": "203.0.113.7",
            "user_agent": "Mozilla/5.0 (iPhone; test)",
        }
        kwargs.update(overrides)
        return sign_consent(**kwargs)

    return _sign


@pytest.fixture
def record(ready_visit, sign):
    """A consent signed through the service for a visit ready to sign."""
    return sign(ready_visit)


@pytest.fixture(scope="session")
def local_pki():
    """certomancer's TSA, OCSP responder and CRLs on 127.0.0.1, one per test session (it is not cheap)."""
    pki = LocalPKI.start()
    yield pki
    pki.stop()


@pytest.fixture
def long_term(settings, local_pki):
    """Seal with the local PKI's certificate and timestamp with its TSA (certificate ending 2030)."""
    for name, value in local_pki.settings().items():
        setattr(settings, name, value)
    return local_pki
