"""What a patient signed cannot be changed or removed: by the ORM anywhere, and on PostgreSQL by the database."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.utils import timezone

from consent.models import ConsentRecord, ConsentVersion, FrozenConsentVersionError, ImmutableConsentError

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")


def raw(sql: str, params: list) -> None:
    """Run SQL straight at the database, past every model guard, in its own savepoint."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_changing_a_signed_field_through_save_is_refused(record):
    record.signer_name = "Someone Else"
    with pytest.raises(ImmutableConsentError):
        record.save()
    record.refresh_from_db()
    assert record.signer_name != "Someone Else"


def test_changing_the_pdf_hash_is_refused_even_with_update_fields(record):
    record.pdf_sha256 = "0" * 64
    with pytest.raises(ImmutableConsentError):
        record.save(update_fields=["pdf_sha256"])


def test_a_record_cannot_be_deleted_one_by_one_or_in_bulk(record):
    with pytest.raises(ImmutableConsentError):
        record.delete()
    with pytest.raises(ImmutableConsentError):
        ConsentRecord.objects.filter(pk=record.pk).delete()
    with pytest.raises(ImmutableConsentError):
        ConsentRecord.objects.all().delete()
    assert ConsentRecord.objects.filter(pk=record.pk).exists()


def test_bulk_updates_are_refused(record):
    with pytest.raises(ImmutableConsentError):
        ConsentRecord.objects.filter(pk=record.pk).update(signer_name="X")
    with pytest.raises(ImmutableConsentError):
        ConsentRecord.objects.filter(pk=record.pk).update(withdrawn_at=timezone.now())
    record.signer_name = "X"
    with pytest.raises(ImmutableConsentError):
        ConsentRecord.objects.bulk_update([record], ["signer_name"])


def test_withdrawal_may_be_added_once_but_not_changed(record, reception):
    record.withdrawn_at = timezone.now()
    record.withdrawn_by = reception
    record.withdrawn_reason = "asked by phone"
    record.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason"])

    record.withdrawn_reason = "something else"
    with pytest.raises(ImmutableConsentError):
        record.save()


def test_a_signed_version_is_frozen(record):
    version = record.consent_version
    version.refresh_from_db()
    version.body = version.body + "\n\nA sneaky extra paragraph."
    with pytest.raises(FrozenConsentVersionError):
        version.save()
    with pytest.raises(FrozenConsentVersionError):
        ConsentVersion.objects.get(pk=version.pk).delete()


def test_an_unsigned_version_can_still_be_edited(consent_version):
    consent_version.title = "Consent to dry needling (clinic edit)"
    consent_version.save()
    consent_version.refresh_from_db()
    assert consent_version.title.endswith("(clinic edit)")


@pytest.mark.postgres
@postgres_only
def test_the_database_refuses_a_raw_update_of_a_signed_column(record):
    with pytest.raises(DatabaseError, match="signed and cannot change"):
        raw("UPDATE consent_consentrecord SET signer_name = 'Forged' WHERE id = %s", [record.pk])
    with pytest.raises(DatabaseError):
        raw("UPDATE consent_consentrecord SET pdf_sha256 = repeat('0', 64) WHERE id = %s", [record.pk])
    record.refresh_from_db()
    assert record.signer_name != "Forged"


@pytest.mark.postgres
@postgres_only
def test_the_database_refuses_a_raw_delete(record):
    with pytest.raises(DatabaseError, match="never deleted"):
        raw("DELETE FROM consent_consentrecord WHERE id = %s", [record.pk])
    assert ConsentRecord.objects.filter(pk=record.pk).exists()


@pytest.mark.postgres
@postgres_only
def test_the_database_lets_withdrawal_be_filled_in_once(record):
    raw(
        "UPDATE consent_consentrecord SET withdrawn_at = now(), withdrawn_reason = 'by phone' WHERE id = %s",
        [record.pk],
    )  # noqa: E501
    with pytest.raises(DatabaseError, match="already set"):
        raw("UPDATE consent_consentrecord SET withdrawn_reason = 'rewritten' WHERE id = %s", [record.pk])
    with pytest.raises(DatabaseError, match="already set"):
        raw("UPDATE consent_consentrecord SET withdrawn_at = NULL WHERE id = %s", [record.pk])
    record.refresh_from_db()
    assert record.withdrawn_reason == "by phone"
