"""On PostgreSQL, the database itself refuses to change what a patient signed.

A BEFORE UPDATE OR DELETE trigger on consent_consentrecord: DELETE is always refused; an UPDATE may
only fill in the confirmation and withdrawal columns when they are still empty. Every other column
(what was signed, the PDF and its hash) must stay exactly as inserted. On SQLite this is a no-op: the
model-level guard in consent/models.py applies everywhere.
"""

from django.db import migrations

SIGNED_COLUMNS = [
    "id",
    "visit_id",
    "consent_version_id",
    "language",
    "text_sha256",
    "signer_name",
    "signer_role",
    "guardian_relationship",
    "signature_method",
    "signature_png",
    "acknowledgements",
    "signed_at",
    "signed_time_zone",
    "ip",
    "user_agent",
    "pdf",
    "pdf_sha256",
]
# Columns that may go from empty (NULL or '') to set, once.
ADDED_LATER = [
    ("confirmed_at", "null"),
    ("confirmed_by_id", "null"),
    ("confirmation_pdf", "text"),
    ("confirmation_sha256", "text"),
    ("withdrawn_at", "null"),
    ("withdrawn_by_id", "null"),
    ("withdrawn_reason", "text"),
]


def _function_sql() -> str:
    signed = "\n".join(
        f"    IF NEW.{col}::text IS DISTINCT FROM OLD.{col}::text THEN\n"
        f"      RAISE EXCEPTION 'consent record %: column {col} is signed and cannot change', OLD.id\n"
        f"        USING ERRCODE = 'integrity_constraint_violation';\n"
        f"    END IF;"
        for col in SIGNED_COLUMNS
    )
    later = "\n".join(
        f"    IF NEW.{col} IS DISTINCT FROM OLD.{col} AND "
        + (f"OLD.{col} IS NOT NULL" if kind == "null" else f"COALESCE(OLD.{col}, '') <> ''")
        + " THEN\n"
        f"      RAISE EXCEPTION 'consent record %: column {col} is already set', OLD.id\n"
        f"        USING ERRCODE = 'integrity_constraint_violation';\n"
        f"    END IF;"
        for col, kind in ADDED_LATER
    )
    return f"""
CREATE OR REPLACE FUNCTION consent_record_guard() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'consent record %: consent records are never deleted', OLD.id
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
{signed}
{later}
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS consent_record_guard ON consent_consentrecord;
CREATE TRIGGER consent_record_guard
  BEFORE UPDATE OR DELETE ON consent_consentrecord
  FOR EACH ROW EXECUTE FUNCTION consent_record_guard();
"""


DROP_SQL = """
DROP TRIGGER IF EXISTS consent_record_guard ON consent_consentrecord;
DROP FUNCTION IF EXISTS consent_record_guard();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # A plain cursor without parameters, so the '%' in RAISE messages is not read as a placeholder.
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(_function_sql())


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(DROP_SQL)


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0002_initial"),
    ]

    operations = [
        migrations.RunPython(create_trigger, drop_trigger),
    ]
