"""Trigram indexes for reception's partial search (PostgreSQL only).

The board matches names and phone digits with LIKE '%text%' (intake.patients.search). A B-tree cannot
serve a leading wildcard; a pg_trgm GIN index can, so a search stays an index lookup with tens of
thousands of patients. SQLite (a laptop's few rows) skips this. If the database role may not create
the extension, the migration leaves a note and carries on: search still works, only without the index.
"""

from django.db import migrations, transaction

INDEXES = {
    "intake_patient_search_name_trgm": "search_name",
    "intake_patient_search_phone_trgm": "search_phone",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        try:
            with transaction.atomic(using=schema_editor.connection.alias):
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except Exception as exc:  # noqa: BLE001 - a managed database may refuse extensions
            print(f"\n  pg_trgm not available ({exc.__class__.__name__}); search runs without trigram indexes.")
            return
        for name, column in INDEXES.items():
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON intake_patient USING gin ({column} gin_trgm_ops)"  # noqa: S608
            )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name in INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("intake", "0002_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
