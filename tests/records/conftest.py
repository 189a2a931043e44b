"""Fixtures for records tests: a patient with a signed and confirmed consent, files in storage."""

from __future__ import annotations

import pytest

from consent.services import confirm_consent
from tests.consent.conftest import consent_version, ready_visit, sign  # noqa: F401


@pytest.fixture
def signed_record(ready_visit, sign, clinician):  # noqa: F811
    """A consent signed by the patient and confirmed by the clinician: two PDFs in storage."""
    record = sign(ready_visit)
    confirm_consent(record=record, clinician=clinician)
    record.refresh_from_db()
    return record
