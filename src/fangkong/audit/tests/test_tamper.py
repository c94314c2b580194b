"""The audit trail cannot be rewritten (triggers on both databases, a role that
does not own it on PostgreSQL), and what is rewritten anyway shows: the hash
chain breaks and ``fangkong audit verify`` names the first broken link."""

import io
import threading

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from fangkong.audit.chain import first_break
from fangkong.audit.models import AuditEntry
from fangkong.audit.services import entry, record, record_all
from fangkong.audit.triggers import set_triggers

SQLITE = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
COLUMNS = "id, at, actor_username, role, actor_division_code, action, object_type, object_id, division_code, " \
          "reason, detail, chain"


def _refused(sql, params=()):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cur:
            cur.execute(sql, params)


def _tampering(entry_id):
    values = f"({entry_id}, '2020-01-01 00:00:00', 'nobody', '', '', 'login', '', '', '', '', '{{}}', '')"
    yield f"UPDATE audit_auditentry SET reason = 'x' WHERE id = {entry_id}"
    yield f"DELETE FROM audit_auditentry WHERE id = {entry_id}"
    yield "DELETE FROM audit_auditentry"  # SQLite's TRUNCATE
    yield f"INSERT INTO audit_auditentry ({COLUMNS}) VALUES {values} ON CONFLICT (id) DO UPDATE SET action = 'login'"
    if SQLITE:
        yield f"INSERT OR REPLACE INTO audit_auditentry ({COLUMNS}) VALUES {values}"
        yield f"REPLACE INTO audit_auditentry ({COLUMNS}) VALUES {values}"
        yield f"UPDATE OR REPLACE audit_auditentry SET action = 'login' WHERE id = {entry_id}"
    else:
        yield "TRUNCATE audit_auditentry"
        yield "TRUNCATE audit_auditentry CASCADE"


def test_update_delete_replace_upsert_and_truncate_all_fail(qinghuayuan_worker, zhang_san):
    reveal = record(qinghuayuan_worker, "reveal", zhang_san, reason="核实身份", detail={"field": "doc_number"})
    for sql in _tampering(reveal.pk):
        _refused(sql)
    kept = AuditEntry.objects.get(pk=reveal.pk)
    assert (kept.action, kept.reason, kept.actor_username) == ("reveal", "核实身份", "qinghuayuan_worker")


@pytest.mark.skipif(not SQLITE, reason="SQLite's REPLACE")
def test_replace_is_refused_even_without_recursive_triggers(qinghuayuan_worker, zhang_san):
    # A client that does not set the app's PRAGMA: the INSERT trigger refuses
    # an existing id whatever the connection's settings.
    reveal = record(qinghuayuan_worker, "reveal", zhang_san, reason="核实身份", detail={"field": "doc_number"})
    with connection.cursor() as cur:
        cur.execute("PRAGMA recursive_triggers")
        assert cur.fetchone()[0] == 1
        cur.execute("PRAGMA recursive_triggers=OFF")
    try:
        values = f"({reveal.pk}, '2020-01-01 00:00:00', 'nobody', '', '', 'login', '', '', '', '', '{{}}', '')"
        _refused(f"INSERT OR REPLACE INTO audit_auditentry ({COLUMNS}) VALUES {values}")
    finally:
        with connection.cursor() as cur:
            cur.execute("PRAGMA recursive_triggers=ON")
    assert AuditEntry.objects.get(pk=reveal.pk).action == "reveal"


def _verify():
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit", "verify", stdout=out, stderr=err)
    except SystemExit as exit_:
        return exit_.code, out.getvalue() + err.getvalue()
    return 0, out.getvalue() + err.getvalue()


def test_every_entry_is_chained_to_the_one_before(qinghuayuan_worker, zhang_san):
    record(qinghuayuan_worker, "view", zhang_san)
    record_all([entry(qinghuayuan_worker, "create", zhang_san, detail={"n": i, "t": 36.0 + i / 10}) for i in range(3)]
               + [entry(None, "login_failed", detail={"username": "x"}, object_type="person", object_id="7")])
    rows = list(AuditEntry.objects.order_by("id"))
    assert len(rows) >= 6 and all(len(e.chain) == 64 for e in rows)
    assert len({e.chain for e in rows}) == len(rows)
    assert first_break() == (None, len(rows))
    code, out = _verify()
    assert code == 0 and f"{len(rows)} entries" in out


def test_verify_reports_the_first_altered_entry(qinghuayuan_worker, zhang_san):
    reveal = record(qinghuayuan_worker, "reveal", zhang_san, reason="核实身份", detail={"field": "doc_number"})
    record(qinghuayuan_worker, "view", zhang_san)
    set_triggers(connection, False)  # as an owner could; rolled back with the test
    with connection.cursor() as cur:
        cur.execute("UPDATE audit_auditentry SET action = 'login', reason = '' WHERE id = %s", [reveal.pk])
    code, out = _verify()
    assert code == 1 and f"id={reveal.pk}" in out
    assert reveal.at.astimezone().strftime("%Y-%m-%d") in out


def test_verify_reports_a_removed_entry_at_the_one_after_it(qinghuayuan_worker, zhang_san):
    gone = record(qinghuayuan_worker, "reveal", zhang_san, reason="核实身份")
    after = record(qinghuayuan_worker, "view", zhang_san)
    set_triggers(connection, False)
    with connection.cursor() as cur:
        cur.execute("DELETE FROM audit_auditentry WHERE id = %s", [gone.pk])
    code, out = _verify()
    assert code == 1 and f"id={after.pk}" in out


def test_an_entry_recomputed_without_the_key_does_not_verify(qinghuayuan_worker, zhang_san):
    import hashlib
    import json

    target = record(qinghuayuan_worker, "reveal", zhang_san, reason="核实身份")
    set_triggers(connection, False)
    with connection.cursor() as cur:
        forged = hashlib.sha256(json.dumps(["forged"]).encode()).hexdigest()
        cur.execute("UPDATE audit_auditentry SET reason = '', chain = %s WHERE id = %s", [forged, target.pk])
    broken, _ = first_break()
    assert broken is not None and broken.id == target.pk


@pytest.mark.skipif(SQLITE, reason="the in-memory SQLite test database cannot take concurrent writers; on a file, "
                                   "IMMEDIATE transactions serialize them (one writer at a time)")
def test_concurrent_writers_do_not_fork_the_chain(committed_db, qinghuayuan_worker):
    errors = []
    barrier = threading.Barrier(4)

    def write(i):
        try:
            barrier.wait()
            for n in range(10):
                if n % 2:
                    record(qinghuayuan_worker, "view", object_type="people.person", object_id=i * 100 + n)
                else:
                    record_all([entry(qinghuayuan_worker, "create", object_type="people.person", object_id=i + k)
                                for k in range(3)])
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    chains = list(AuditEntry.objects.order_by("id").values_list("chain", flat=True))
    assert len(chains) >= 4 * (5 + 15) and len(set(chains)) == len(chains)
    assert first_break() == (None, len(chains))


def test_a_large_batch_is_chained_in_insert_order(hq_officer):
    # Over rowsql's SMALL_INSERT the entries go through bulk_create: still one chain.
    record_all([entry(hq_officer, "create", object_type="people.person", object_id=i, division_code="4106")
                for i in range(1, 61)])
    rows = list(AuditEntry.objects.order_by("id").values_list("object_id", flat=True))
    assert rows[-60:] == [str(i) for i in range(1, 61)]
    assert first_break() == (None, len(rows))


def test_the_migration_chains_existing_rows(hq_officer):
    from fangkong.audit.chain import chain_existing

    for i in range(3):
        record(hq_officer, "view", object_type="people.person", object_id=i, division_code="4106")
    set_triggers(connection, False)
    with connection.cursor() as cur:
        cur.execute("UPDATE audit_auditentry SET chain = ''")
    assert first_break()[0] is not None
    assert chain_existing() >= 3
    assert first_break()[0] is None


_WRITER = """
import django, sys
django.setup()
from fangkong.audit.services import entry, record, record_all
for n in range(60):
    if n % 3:
        record(None, "view", object_type="people.person", object_id=int(sys.argv[1]) * 100 + n)
    else:
        record_all([entry(None, "create", object_type="people.person", object_id=k + 1) for k in range(3)])
"""


@pytest.mark.skipif(not SQLITE, reason="SQLite on a file, written by processes")
def test_processes_writing_one_sqlite_file_do_not_fork_the_chain(tmp_path, db):
    import os
    import sqlite3
    import subprocess
    import sys

    path = tmp_path / "audit.sqlite3"
    with connection.cursor() as cur:  # the audit table and its triggers, as migrated
        cur.execute("SELECT sql FROM sqlite_master WHERE tbl_name = 'audit_auditentry' AND sql IS NOT NULL "
                    "ORDER BY type = 'trigger'")
        schema = [r[0] for r in cur.fetchall()]
    with sqlite3.connect(path) as raw:
        for sql in schema:
            raw.execute(sql)
    env = {**os.environ, "FANGKONG_SQLITE_PATH": str(path), "FANGKONG_VAR_DIR": str(tmp_path),
           "FANGKONG_DATA_KEY": settings.DATA_KEY, "FANGKONG_SECRET_KEY": settings.SECRET_KEY,
           "DJANGO_SETTINGS_MODULE": "fangkong.settings"}
    env.pop("DATABASE_URL", None)
    writers = [subprocess.Popen([sys.executable, "-c", _WRITER, str(i)], env=env) for i in range(3)]
    assert [w.wait(timeout=120) for w in writers] == [0, 0, 0]
    raw = sqlite3.connect(path)
    raw.row_factory = sqlite3.Row
    rows = [dict(r) for r in raw.execute("SELECT * FROM audit_auditentry ORDER BY id")]
    raw.close()
    assert len(rows) == 3 * (40 + 20 * 3)
    assert first_break(rows) == (None, len(rows))
