"""The hash chain leaves the business transaction (audit/chain.py): each
entry's link moves from the ``chain`` column, which had to be computed under a
global lock held to the inserting transaction's commit, to an ``AuditSeal`` row
(``seq``, ``entry_id``, ``chain``) written after the commit.

- the existing chains are copied unchanged into seals, ``seq`` in id order (the
  order they were chained in), so a link broken before the upgrade stays
  broken; then the column is dropped;
- the seals are append-only like the entries: triggers refuse UPDATE, DELETE
  and TRUNCATE on PostgreSQL, UPDATE, DELETE and an INSERT over an existing
  seq or entry (REPLACE) on SQLite;
- on PostgreSQL, ``audit_seal_head()``: the chain's advisory lock and the last
  seal in one statement.

``SQLITE_UP``/``PG_UP`` are the current trigger set (audit/triggers.py lifts and
restores it for the tests' flushes)."""

import django.db.models.deletion
from django.db import migrations, models

_MIGRATION_0005 = "fangkong.audit.migrations.0005_audit_chain_and_denied"

PG_UP = """
CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit entries are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_entry_no_update BEFORE UPDATE OR DELETE ON audit_auditentry
  FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();
CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_auditentry
  FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only();
CREATE TRIGGER audit_seal_no_update BEFORE UPDATE OR DELETE ON audit_auditseal
  FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();
CREATE TRIGGER audit_seal_no_truncate BEFORE TRUNCATE ON audit_auditseal
  FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS audit_entry_no_update ON audit_auditentry;
DROP TRIGGER IF EXISTS audit_entry_no_truncate ON audit_auditentry;
DROP TRIGGER IF EXISTS audit_seal_no_update ON audit_auditseal;
DROP TRIGGER IF EXISTS audit_seal_no_truncate ON audit_auditseal;
DROP FUNCTION IF EXISTS audit_entry_append_only();
"""
# The chain's lock (audit/chain.py LOCK_KEY), then the last seal read with a
# fresh snapshot (a VOLATILE function's statements each take one): it sees the
# seal committed by the transaction it waited for.
PG_HEAD = """
CREATE OR REPLACE FUNCTION audit_seal_head(OUT seq bigint, OUT chain varchar) AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(7380486745612380532);
  SELECT s.seq, s.chain INTO seq, chain FROM audit_auditseal s ORDER BY s.seq DESC LIMIT 1;
END;
$$ LANGUAGE plpgsql VOLATILE;
"""
PG_HEAD_DOWN = "DROP FUNCTION IF EXISTS audit_seal_head();"
_RAISE = "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;"
SQLITE_UP = [
    f"CREATE TRIGGER IF NOT EXISTS audit_entry_no_update BEFORE UPDATE ON audit_auditentry {_RAISE}",
    f"CREATE TRIGGER IF NOT EXISTS audit_entry_no_delete BEFORE DELETE ON audit_auditentry {_RAISE}",
    "CREATE TRIGGER IF NOT EXISTS audit_entry_no_replace BEFORE INSERT ON audit_auditentry "
    f"WHEN EXISTS (SELECT 1 FROM audit_auditentry WHERE id = NEW.id) {_RAISE}",
    f"CREATE TRIGGER IF NOT EXISTS audit_seal_no_update BEFORE UPDATE ON audit_auditseal {_RAISE}",
    f"CREATE TRIGGER IF NOT EXISTS audit_seal_no_delete BEFORE DELETE ON audit_auditseal {_RAISE}",
    "CREATE TRIGGER IF NOT EXISTS audit_seal_no_replace BEFORE INSERT ON audit_auditseal "
    "WHEN EXISTS (SELECT 1 FROM audit_auditseal WHERE seq = NEW.seq OR entry_id = NEW.entry_id) "
    f"{_RAISE}",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS audit_entry_no_update;",
    "DROP TRIGGER IF EXISTS audit_entry_no_delete;",
    "DROP TRIGGER IF EXISTS audit_entry_no_replace;",
    "DROP TRIGGER IF EXISTS audit_seal_no_update;",
    "DROP TRIGGER IF EXISTS audit_seal_no_delete;",
    "DROP TRIGGER IF EXISTS audit_seal_no_replace;",
]


def _0005():
    import importlib

    return importlib.import_module(_MIGRATION_0005)


def _run(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement)


def lift_0005_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(_0005().PG_DOWN)
    elif vendor == "sqlite":
        _run(schema_editor, _0005().SQLITE_DOWN)


def restore_0005_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(_0005().PG_UP)
    elif vendor == "sqlite":
        _run(schema_editor, _0005().SQLITE_UP)


def chains_to_seals(apps, schema_editor):
    schema_editor.execute(
        "INSERT INTO audit_auditseal (seq, entry_id, chain) "
        "SELECT ROW_NUMBER() OVER (ORDER BY id), id, chain FROM audit_auditentry ORDER BY id")


def seals_to_chains(apps, schema_editor):
    schema_editor.execute(
        "UPDATE audit_auditentry SET chain = COALESCE((SELECT s.chain FROM audit_auditseal s "
        "WHERE s.entry_id = audit_auditentry.id), '')")


def close(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_UP)
        schema_editor.execute(PG_HEAD)
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_UP)


def open_(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DOWN)
        schema_editor.execute(PG_HEAD_DOWN)
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_DOWN)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0007_denied_and_alert_actions"),
    ]

    operations = [
        migrations.RunPython(lift_0005_triggers, restore_0005_triggers),
        migrations.CreateModel(
            name="AuditSeal",
            fields=[
                ("seq", models.BigIntegerField(primary_key=True, serialize=False)),
                ("chain", models.CharField(max_length=64)),
                ("entry", models.OneToOneField(db_constraint=False,
                                               on_delete=django.db.models.deletion.DO_NOTHING,
                                               related_name="seal", to="audit.auditentry")),
            ],
            options={
                "verbose_name": "审计封签",
                "verbose_name_plural": "审计封签",
                "ordering": ["seq"],
            },
        ),
        migrations.RunPython(chains_to_seals, migrations.RunPython.noop),
        # Backwards: the column comes back (AddField), is filled from the
        # seals, then the seals table goes.
        migrations.RunPython(migrations.RunPython.noop, seals_to_chains),
        migrations.RemoveField(
            model_name="auditentry",
            name="chain",
        ),
        migrations.RunPython(close, open_),
    ]
