"""Retention may blank the patient link of audit events about a destroyed patient; nothing else changes.

The append-only trigger still refuses every DELETE and every UPDATE, except inside the retention
transaction (portal/erasure.py sets `portal.retention = 'on'` with SET LOCAL) and only when the row keeps
its time, action, actor and object type and loses its patient and link (docs/records.md).
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION portal_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND current_setting('portal.retention', true) = 'on'
       AND NEW.id = OLD.id AND NEW.at = OLD.at AND NEW.action = OLD.action
       AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id
       AND NEW.object_type = OLD.object_type
       AND NEW.patient_id IS NULL AND NEW.access_link_id IS NULL THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'portal_auditevent rows are append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

PREVIOUS = """
CREATE OR REPLACE FUNCTION portal_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'portal_auditevent rows are append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PREVIOUS, params=None)


class Migration(migrations.Migration):
    dependencies = [("portal", "0003_auditevent_append_only_trigger")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
