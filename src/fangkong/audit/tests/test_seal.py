"""Entries are sealed into the hash chain outside the business transaction
(audit/chain.py): on PostgreSQL a transaction that audits takes no global lock,
so it cannot deadlock with another over a row lock, and concurrent writers
still never fork the chain; entries left unsealed are reported by ``audit
verify`` and sealed by ``audit seal``."""

import datetime as dt
import io
import threading
import time

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from fangkong.accounts.models import User
from fangkong.audit.chain import first_break
from fangkong.audit.models import AuditEntry, AuditSeal
from fangkong.audit.services import entry, record, record_all

from .test_tamper import verify

SQLITE = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
postgresql_only = pytest.mark.skipif(SQLITE, reason="PostgreSQL's locks and concurrent connections")


def _advisory_locks_held() -> int:
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()")
        return cur.fetchone()[0]


@postgresql_only
def test_auditing_takes_no_lock_in_the_business_transaction(qinghuayuan_worker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        audit = record(qinghuayuan_worker, "view", object_type="people.person", object_id=1)
        record_all([entry(qinghuayuan_worker, "create", object_type="people.person", object_id=2)])
        assert _advisory_locks_held() == 0
        assert not AuditSeal.objects.filter(entry=audit).exists()
    assert len(callbacks) == 2  # sealing, after the commit
    for callback in callbacks:
        callback()
    assert AuditSeal.objects.filter(entry=audit).exists() and first_break()[0] is None


@postgresql_only
def test_sealing_after_the_commit_is_two_statements(committed_db, qinghuayuan_worker):
    # The passage hot path: the chain lock and the last seal, then the seals
    # and the commit (the old design: the lock and the last hash in the
    # business transaction).
    from django.test.utils import CaptureQueriesContext

    entries = [entry(qinghuayuan_worker, "create", object_type="people.person", object_id=k) for k in range(2)]
    with CaptureQueriesContext(connection) as ctx:
        record_all(entries)
    sql = [q["sql"] for q in ctx.captured_queries]
    assert len(sql) == 5 and sql[0] == "BEGIN" and sql[1].startswith('INSERT INTO "audit_auditentry"')
    assert sql[2] == "COMMIT"  # the business transaction: no lock, no read of the chain
    assert sql[3] == "BEGIN; SELECT seq, chain FROM audit_seal_head()" and sql[4].endswith("; COMMIT")
    assert connection.get_autocommit() and _advisory_locks_held() == 0
    assert AuditSeal.objects.filter(entry__in=[e.pk for e in entries]).count() == 2
    assert first_break() == (None, AuditSeal.objects.count())


def _run_threads(*targets):
    errors = []

    def run(target):
        try:
            target()
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(t,)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    return errors


@postgresql_only
def test_audit_then_row_lock_does_not_deadlock_with_row_lock_then_audit(committed_db, qinghuayuan_worker):
    # A writes its audit entry, then locks row R; B locks R, then writes its
    # audit entry. With a chain lock held from the audit entry to the commit, A
    # held it while waiting for R and B waited for it while holding R: deadlock.
    row = qinghuayuan_worker.pk
    a_audited, b_locked = threading.Event(), threading.Event()

    def a():
        with transaction.atomic():
            record(qinghuayuan_worker, "view", object_type="people.person", object_id="a")
            a_audited.set()
            assert b_locked.wait(10)
            User.objects.select_for_update().get(pk=row)  # waits for B's commit

    def b():
        assert a_audited.wait(10)
        with transaction.atomic():
            User.objects.select_for_update().get(pk=row)
            b_locked.set()
            time.sleep(0.5)  # A is now waiting for R
            record(qinghuayuan_worker, "view", object_type="people.person", object_id="b")

    assert _run_threads(a, b) == []
    assert set(AuditEntry.objects.values_list("object_id", flat=True)) >= {"a", "b"}
    assert AuditSeal.objects.count() == AuditEntry.objects.count()
    assert first_break() == (None, AuditSeal.objects.count())


@postgresql_only
def test_concurrent_writers_do_not_fork_the_chain(committed_db, qinghuayuan_worker):
    barrier = threading.Barrier(4)

    def write(i):
        barrier.wait()
        for n in range(10):
            if n % 2:
                record(qinghuayuan_worker, "view", object_type="people.person", object_id=i * 100 + n)
            else:
                with transaction.atomic():  # two calls in one transaction
                    record_all(
                        [
                            entry(qinghuayuan_worker, "create", object_type="people.person", object_id=i + k)
                            for k in range(2)
                        ]
                    )
                    record(qinghuayuan_worker, "view", object_type="people.person", object_id=i)

    assert _run_threads(*[lambda i=i: write(i) for i in range(4)]) == []
    seals = list(AuditSeal.objects.order_by("seq").values_list("seq", "entry_id"))
    assert len(seals) == AuditEntry.objects.count() >= 4 * (5 + 15)
    assert [s for s, _ in seals] == list(range(1, len(seals) + 1))
    assert len({e for _, e in seals}) == len(seals)
    assert first_break() == (None, len(seals))


def _unsealed_entry(minutes_ago: int) -> int:
    """An entry whose process died between its commit and its seal."""
    at = timezone.now() - dt.timedelta(minutes=minutes_ago)
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO audit_auditentry (at, actor_username, role, actor_division_code, action, "
            "object_type, object_id, division_code, reason, detail) "
            "VALUES (%s, 'x', '', '', 'view', '', '', '', '', '{}')",
            [at],
        )
    return AuditEntry.objects.order_by("-id").values_list("id", flat=True)[0]


def test_verify_reports_unsealed_entries_and_seal_seals_them(qinghuayuan_worker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        record(qinghuayuan_worker, "view", object_type="people.person", object_id=1)
    recent = _unsealed_entry(0)
    assert verify()[0] == 0  # a moment old: its process is sealing it
    old = _unsealed_entry(10)
    code, out = verify()
    assert code == 1 and "1 entries older than 5 minutes are unsealed" in out and str(old) in out
    call_command("audit", "seal", stdout=io.StringIO())
    assert AuditSeal.objects.filter(entry_id=old).exists()
    assert not AuditSeal.objects.filter(entry_id=recent).exists()  # left to its own process
    code, out = verify()
    assert code == 0 and "intact" in out
    with django_capture_on_commit_callbacks(execute=True):
        record(qinghuayuan_worker, "view", object_type="people.person", object_id=2)
    assert first_break() == (None, AuditSeal.objects.count())


def test_verify_seal_seals_first(qinghuayuan_worker):
    old = _unsealed_entry(10)
    code, out = verify("--seal")
    assert code == 0 and "sealed 1 audit entries" in out
    assert AuditSeal.objects.filter(entry_id=old).exists()


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
_ROWS = (
    "SELECT s.seq, s.entry_id, s.chain, e.* FROM audit_auditseal s "
    "LEFT JOIN audit_auditentry e ON e.id = s.entry_id ORDER BY s.seq"
)


@pytest.mark.skipif(not SQLITE, reason="SQLite on a file, written by processes")
def test_processes_writing_one_sqlite_file_do_not_fork_the_chain(tmp_path, db):
    import os
    import sqlite3
    import subprocess
    import sys

    path = tmp_path / "audit.sqlite3"
    with connection.cursor() as cur:  # the audit tables and their triggers, as migrated
        cur.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name IN ('audit_auditentry', 'audit_auditseal') "
            "AND sql IS NOT NULL ORDER BY type = 'trigger'"
        )
        schema = [r[0] for r in cur.fetchall()]
    with sqlite3.connect(path) as raw:
        for sql in schema:
            raw.execute(sql)
    env = {
        **os.environ,
        "FANGKONG_SQLITE_PATH": str(path),
        "FANGKONG_VAR_DIR": str(tmp_path),
        "FANGKONG_DATA_KEY": settings.DATA_KEY,
        "FANGKONG_SECRET_KEY": settings.SECRET_KEY,
        "DJANGO_SETTINGS_MODULE": "fangkong.settings",
    }
    env.pop("DATABASE_URL", None)
    writers = [subprocess.Popen([sys.executable, "-c", _WRITER, str(i)], env=env) for i in range(3)]
    assert [w.wait(timeout=120) for w in writers] == [0, 0, 0]
    raw = sqlite3.connect(path)
    raw.row_factory = sqlite3.Row
    rows = [dict(r) for r in raw.execute(_ROWS)]
    raw.close()
    assert len(rows) == 3 * (40 + 20 * 3)
    assert [r["seq"] for r in rows] == list(range(1, len(rows) + 1))
    assert first_break(rows) == (None, len(rows))


@postgresql_only
def test_the_migration_carries_the_existing_chain_over_to_seals(committed_db, hq_officer):
    import importlib

    from django.db.migrations.executor import MigrationExecutor

    m0005 = importlib.import_module("fangkong.audit.migrations.0005_audit_chain_and_denied")
    MigrationExecutor(connection).migrate([("audit", "0007_denied_and_alert_actions")])
    try:
        with connection.cursor() as cur:  # entries chained as before the seals, one of them then altered
            for i in range(4):
                cur.execute(
                    "INSERT INTO audit_auditentry (at, actor_username, role, actor_division_code, action, "
                    "object_type, object_id, division_code, reason, detail, chain) "
                    "VALUES (now(), 'hq', '', '', 'view', 'people.person', %s, '4106', '', '{}', '')",
                    [i],
                )
            cur.execute(m0005.PG_DOWN)
        n = m0005.chain_existing("default")
        with connection.cursor() as cur:
            cur.execute("SELECT max(id) FROM audit_auditentry")
            altered = cur.fetchone()[0] - 1
            cur.execute("UPDATE audit_auditentry SET object_id = 'x' WHERE id = %s", [altered])
            cur.execute(m0005.PG_UP)
    finally:
        MigrationExecutor(connection).migrate([("audit", "0008_chain2_audit_seals")])
    seals = list(AuditSeal.objects.order_by("seq").values_list("seq", "entry_id"))
    assert len(seals) == AuditEntry.objects.count() == n >= 4
    assert seals == [(i + 1, e) for i, e in enumerate(sorted(e for _, e in seals))]  # seq in id order
    broken, checked = first_break()  # copied, not recomputed: what was broken stays broken
    assert broken.id == altered and checked == n - 1
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM information_schema.columns WHERE table_name = 'audit_auditentry' "
            "AND column_name = 'chain'"
        )
        assert cur.fetchone()[0] == 0
