"""The audit trail, tamper-evident and closed on SQLite:

- a ``chain`` column: each entry's HMAC over its facts and the previous entry's
  chain (audit/chain.py); this migration computes it for the existing rows;
- the action ``denied`` (audit/denials.py);
- on SQLite, a trigger refusing an INSERT of an id that exists: ``INSERT OR
  REPLACE`` (and ``REPLACE``) deletes the old row without firing DELETE
  triggers (unless ``PRAGMA recursive_triggers``), so it could rewrite an entry.

The append-only triggers are lifted while the chain is computed (AddField
remakes the table on SQLite, which drops them anyway) and put back, with the
new one, after. ``SQLITE_UP``/``PG_UP`` are the current trigger set
(audit/triggers.py lifts and restores it for the tests' flushes)."""

from django.db import migrations, models

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
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS audit_entry_no_update ON audit_auditentry;
DROP TRIGGER IF EXISTS audit_entry_no_truncate ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_entry_append_only();
"""
SQLITE_UP = [
    "CREATE TRIGGER IF NOT EXISTS audit_entry_no_update BEFORE UPDATE ON audit_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;",
    "CREATE TRIGGER IF NOT EXISTS audit_entry_no_delete BEFORE DELETE ON audit_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;",
    "CREATE TRIGGER IF NOT EXISTS audit_entry_no_replace BEFORE INSERT ON audit_auditentry "
    "WHEN EXISTS (SELECT 1 FROM audit_auditentry WHERE id = NEW.id) "
    "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS audit_entry_no_update;",
    "DROP TRIGGER IF EXISTS audit_entry_no_delete;",
    "DROP TRIGGER IF EXISTS audit_entry_no_replace;",
]
# Migration 0002's set, for going back.
SQLITE_UP_0002 = SQLITE_UP[:2]


def _run(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement)


def chain_existing(using: str) -> int:
    """The chain of the rows written before it (in id order), into the column
    this migration adds (migration 0008 moves it to the seals)."""
    from django.db import connections

    from fangkong.audit.chain import COLUMNS, GENESIS, _current_key, digest

    key = _current_key()
    connection = connections[using]
    names = ("id", *COLUMNS)
    sql = (f"SELECT {', '.join(connection.ops.quote_name(c) for c in names)} FROM audit_auditentry "
           "WHERE id > %s ORDER BY id LIMIT 5000")
    previous, last, n = GENESIS, 0, 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(sql, [last])
            rows = [dict(zip(names, r)) for r in cursor.fetchall()]
        if not rows:
            return n
        pending = []
        for row in rows:
            previous = digest(previous, row, key)
            pending.append((previous, row["id"]))
        with connection.cursor() as cursor:
            cursor.executemany("UPDATE audit_auditentry SET chain = %s WHERE id = %s", pending)
        n += len(rows)
        last = rows[-1]["id"]


def chain_and_close(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DOWN)
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_DOWN)
    chain_existing(schema_editor.connection.alias)
    if vendor == "postgresql":
        schema_editor.execute(PG_UP)
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_UP)


def drop_replace_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        _run(schema_editor, SQLITE_DOWN)


def restore_0002_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        _run(schema_editor, SQLITE_UP_0002)


class Migration(migrations.Migration):

    dependencies = [("audit", "0004_drop_unused_indexes")]

    operations = [
        # Backwards, this runs last: after RemoveField's table remake.
        migrations.RunPython(migrations.RunPython.noop, restore_0002_triggers),
        migrations.AddField(
            model_name="auditentry",
            name="chain",
            field=models.CharField(blank=True, default="", editable=False, max_length=64),
        ),
        migrations.AlterField(  # choices only: no table remake
            model_name="auditentry",
            name="action",
            field=models.CharField(choices=[("view", "查看"), ("search", "查询"), ("reveal", "查看完整信息"),
                                            ("export", "导出"), ("import", "导入"), ("create", "新增"),
                                            ("update", "修改"), ("delete", "删除"), ("move", "迁移"),
                                            ("login", "登录"), ("login_failed", "登录失败"), ("logout", "退出"),
                                            ("token", "API令牌"), ("denied", "拒绝访问")], max_length=20),
        ),
        migrations.RunPython(chain_and_close, drop_replace_trigger),
    ]
