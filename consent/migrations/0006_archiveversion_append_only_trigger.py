"""On PostgreSQL, the database itself keeps archival consent copies append-only.

A BEFORE UPDATE OR DELETE trigger on consent_archiveversion: an UPDATE is always refused (a new
timestamp is a new row, never a changed one); a DELETE is refused unless it runs inside the retention
transaction (portal/erasure.py sets `portal.retention = 'on'` with SET LOCAL), the same door the
consent record's trigger opens (0005; docs/records.md). On SQLite this is a no-op: the model guards in
consent/models.py apply everywhere.
"""

from django.db import migrations

CREATE_SQL = """
CREATE OR REPLACE FUNCTION consent_archive_version_guard() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('portal.retention', true) = 'on' THEN
    RETURN OLD;
  END IF;
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'archive version %: archived consent files are never deleted', OLD.id
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RAISE EXCEPTION 'archive version %: archived consent files are added, never changed', OLD.id
    USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS consent_archive_version_guard ON consent_archiveversion;
CREATE TRIGGER consent_archive_version_guard
  BEFORE UPDATE OR DELETE ON consent_archiveversion
  FOR EACH ROW EXECUTE FUNCTION consent_archive_version_guard();
"""

DROP_SQL = """
DROP TRIGGER IF EXISTS consent_archive_version_guard ON consent_archiveversion;
DROP FUNCTION IF EXISTS consent_archive_version_guard();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # A plain cursor without parameters, so the '%' in RAISE messages is not read as a placeholder.
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(CREATE_SQL)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(DROP_SQL)


class Migration(migrations.Migration):
    dependencies = [("consent", "0005_consentrecord_retention_delete")]

    operations = [migrations.RunPython(create_trigger, drop_trigger, elidable=False)]
