"""Retention may delete a consent record; nothing else may.

The guard from 0003 is kept as it is, except that a DELETE inside the retention transaction
(portal/erasure.py sets `portal.retention = 'on'` with SET LOCAL) is let through (docs/records.md).
Updates are checked exactly as before.
"""

from importlib import import_module

from django.db import migrations

_previous = import_module("consent.migrations.0003_consentrecord_immutable_trigger")

REFUSE_DELETE = "  IF TG_OP = 'DELETE' THEN\n"
ALLOW_RETENTION = (
    "  IF TG_OP = 'DELETE' AND current_setting('portal.retention', true) = 'on' THEN\n"
    "    RETURN OLD;\n"
    "  END IF;\n"
)


def _function_sql() -> str:
    sql = _previous._function_sql()
    assert REFUSE_DELETE in sql
    return sql.replace(REFUSE_DELETE, ALLOW_RETENTION + REFUSE_DELETE, 1)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(_function_sql())


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(_previous._function_sql())


class Migration(migrations.Migration):
    dependencies = [("consent", "0004_archive_versions")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
