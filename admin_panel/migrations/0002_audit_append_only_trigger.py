"""On PostgreSQL, the database itself refuses UPDATE and DELETE of audit rows.

The model and its queryset refuse them in Python; this trigger also stops raw SQL and any other
client. SQLite keeps the Python guard only (the trigger syntax differs; CI runs PostgreSQL).
TRUNCATE (used by test flushes) is not a row event and is left alone.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION admin_panel_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING MESSAGE = 'audit log entries are append-only: ' || TG_OP || ' refused';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS admin_panel_audit_append_only ON admin_panel_auditlogentry;
CREATE TRIGGER admin_panel_audit_append_only
    BEFORE UPDATE OR DELETE ON admin_panel_auditlogentry
    FOR EACH ROW EXECUTE FUNCTION admin_panel_audit_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS admin_panel_audit_append_only ON admin_panel_auditlogentry;
DROP FUNCTION IF EXISTS admin_panel_audit_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("admin_panel", "0001_initial")]

    operations = [migrations.RunPython(create_trigger, drop_trigger, elidable=False)]
