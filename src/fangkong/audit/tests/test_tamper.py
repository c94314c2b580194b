"""The audit trail cannot be rewritten (triggers on both databases, a role that
does not own it on PostgreSQL), and what is rewritten anyway shows: the hash
chain of the seals breaks and ``fangkong audit verify`` names the first broken
link. On PostgreSQL entries are sealed after their transaction commits: the
tests run the on-commit callbacks (``sealing``)."""

import hashlib
import io
import json

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from fangkong.audit.chain import first_break
from fangkong.audit.models import AuditEntry, AuditSeal
from fangkong.audit.services import entry, record, record_all
from fangkong.audit.triggers import set_triggers

SQLITE = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
COLUMNS = (
    "id, at, actor_username, role, actor_division_code, action, object_type, object_id, division_code, reason, detail"
)


@pytest.fixture
def sealing(django_capture_on_commit_callbacks):
    """Runs the entries' on-commit sealing (PostgreSQL) at the end of the block."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _refused(sql, params=()):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cur:
            cur.execute(sql, params)


def _tampering(entry_id, seq):
    values = f"({entry_id}, '2020-01-01 00:00:00', 'nobody', '', '', 'login', '', '', '', '', '{{}}')"
    seal = f"({seq}, {entry_id}, '{'0' * 64}')"
    other = f"({seq + 1000}, {entry_id}, '{'0' * 64}')"  # another seq, the same entry
    yield f"UPDATE audit_auditentry SET reason = 'x' WHERE id = {entry_id}"
    yield f"DELETE FROM audit_auditentry WHERE id = {entry_id}"
    yield "DELETE FROM audit_auditentry"  # SQLite's TRUNCATE
    yield f"INSERT INTO audit_auditentry ({COLUMNS}) VALUES {values} ON CONFLICT (id) DO UPDATE SET action = 'login'"
    yield f"UPDATE audit_auditseal SET chain = '{'0' * 64}' WHERE seq = {seq}"
    yield f"DELETE FROM audit_auditseal WHERE seq = {seq}"
    yield "DELETE FROM audit_auditseal"
    yield f"INSERT INTO audit_auditseal (seq, entry_id, chain) VALUES {seal} ON CONFLICT (seq) DO UPDATE SET chain = ''"
    if SQLITE:
        yield f"INSERT OR REPLACE INTO audit_auditentry ({COLUMNS}) VALUES {values}"
        yield f"REPLACE INTO audit_auditentry ({COLUMNS}) VALUES {values}"
        yield f"UPDATE OR REPLACE audit_auditentry SET action = 'login' WHERE id = {entry_id}"
        yield f"INSERT OR REPLACE INTO audit_auditseal (seq, entry_id, chain) VALUES {seal}"
        yield f"REPLACE INTO audit_auditseal (seq, entry_id, chain) VALUES {other}"
        yield f"UPDATE OR REPLACE audit_auditseal SET chain = '' WHERE seq = {seq}"
    else:
        yield "TRUNCATE audit_auditentry"
        yield "TRUNCATE audit_auditentry CASCADE"
        yield "TRUNCATE audit_auditseal"


def test_update_delete_replace_upsert_and_truncate_all_fail(qinghuayuan_worker, zhang_san, sealing):
    with sealing():
        reveal = record(qinghuayuan_worker, "reveal", zhang_san, reason="核实身份", detail={"field": "doc_number"})
    seal = AuditSeal.objects.get(entry=reveal)
    for sql in _tampering(reveal.pk, seal.seq):
        _refused(sql)
    kept = AuditEntry.objects.get(pk=reveal.pk)
    assert (kept.action, kept.reason, kept.actor_username) == ("reveal", "核实身份", "qinghuayuan_worker")
    assert AuditSeal.objects.get(seq=seal.seq).chain == seal.chain
    with pytest.raises(PermissionError):
        AuditSeal.objects.filter(seq=seal.seq).update(chain="")
    with pytest.raises(PermissionError):
        seal.delete()


@pytest.mark.skipif(not SQLITE, reason="SQLite's REPLACE")
def test_replace_is_refused_even_without_recursive_triggers(qinghuayuan_worker, zhang_san):
    # A client that does not set the app's PRAGMA: the INSERT triggers refuse
    # an existing id (seq, sealed entry) whatever the connection's settings.
    reveal = record(qinghuayuan_worker, "reveal", zhang_san, reason="核实身份", detail={"field": "doc_number"})
    seq = AuditSeal.objects.get(entry=reveal).seq
    with connection.cursor() as cur:
        cur.execute("PRAGMA recursive_triggers")
        assert cur.fetchone()[0] == 1
        cur.execute("PRAGMA recursive_triggers=OFF")
    try:
        values = f"({reveal.pk}, '2020-01-01 00:00:00', 'nobody', '', '', 'login', '', '', '', '', '{{}}')"
        _refused(f"INSERT OR REPLACE INTO audit_auditentry ({COLUMNS}) VALUES {values}")
        _refused(f"INSERT OR REPLACE INTO audit_auditseal (seq, entry_id, chain) VALUES ({seq}, {reveal.pk}, '')")
        _refused(f"INSERT OR REPLACE INTO audit_auditseal (seq, entry_id, chain) VALUES ({seq + 9}, {reveal.pk}, '')")
    finally:
        with connection.cursor() as cur:
            cur.execute("PRAGMA recursive_triggers=ON")
    assert AuditEntry.objects.get(pk=reveal.pk).action == "reveal"
    assert AuditSeal.objects.get(entry=reveal).seq == seq


def verify(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit", "verify", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        return exit_.code, out.getvalue() + err.getvalue()
    return 0, out.getvalue() + err.getvalue()


def test_every_entry_is_chained_to_the_one_before(qinghuayuan_worker, zhang_san, sealing):
    before = AuditEntry.objects.order_by("-id").values_list("id", flat=True)[0]  # the fixtures' (sealed on SQLite)
    with sealing():
        record(qinghuayuan_worker, "view", zhang_san)
        record_all(
            [entry(qinghuayuan_worker, "create", zhang_san, detail={"n": i, "t": 36.0 + i / 10}) for i in range(3)]
            + [entry(None, "login_failed", detail={"username": "x"}, object_type="person", object_id="7")]
        )
    assert AuditEntry.objects.filter(id__gt=before).count() == 5
    assert not AuditEntry.objects.filter(id__gt=before, seal__isnull=True).exists()
    seals = list(AuditSeal.objects.order_by("seq"))
    assert len(seals) >= 5 and all(len(s.chain) == 64 for s in seals)
    assert len({s.chain for s in seals}) == len(seals) and len({s.entry_id for s in seals}) == len(seals)
    assert [s.seq for s in seals] == list(range(seals[0].seq, seals[0].seq + len(seals)))
    assert first_break() == (None, len(seals))
    code, out = verify()
    assert code == 0 and f"{len(seals)} entries" in out


def test_verify_reports_the_first_altered_entry(qinghuayuan_worker, zhang_san, sealing):
    with sealing():
        reveal = record(qinghuayuan_worker, "reveal", zhang_san, reason="核实身份", detail={"field": "doc_number"})
        record(qinghuayuan_worker, "view", zhang_san)
    set_triggers(connection, False)  # as an owner could; rolled back with the test
    with connection.cursor() as cur:
        cur.execute("UPDATE audit_auditentry SET action = 'login', reason = '' WHERE id = %s", [reveal.pk])
    code, out = verify()
    assert code == 1 and f"id={reveal.pk}" in out
    assert reveal.at.astimezone().strftime("%Y-%m-%d") in out


def test_verify_reports_a_removed_entry_and_seal_at_the_one_after_it(qinghuayuan_worker, zhang_san, sealing):
    with sealing():
        gone = record(qinghuayuan_worker, "reveal", zhang_san, reason="核实身份")
        after = record(qinghuayuan_worker, "view", zhang_san)
    set_triggers(connection, False)
    with connection.cursor() as cur:
        cur.execute("DELETE FROM audit_auditseal WHERE entry_id = %s", [gone.pk])
        cur.execute("DELETE FROM audit_auditentry WHERE id = %s", [gone.pk])
    code, out = verify()
    assert code == 1 and f"id={after.pk}" in out


def test_verify_reports_a_removed_entry_whose_seal_is_left(qinghuayuan_worker, zhang_san, sealing):
    with sealing():
        gone = record(qinghuayuan_worker, "reveal", zhang_san, reason="核实身份")
        record(qinghuayuan_worker, "view", zhang_san)
    set_triggers(connection, False)
    with connection.cursor() as cur:
        cur.execute("DELETE FROM audit_auditentry WHERE id = %s", [gone.pk])
    code, out = verify()
    assert code == 1 and f"id={gone.pk}" in out and "gone" in out


def test_an_entry_recomputed_without_the_key_does_not_verify(qinghuayuan_worker, zhang_san, sealing):
    with sealing():
        target = record(qinghuayuan_worker, "reveal", zhang_san, reason="核实身份")
    set_triggers(connection, False)
    with connection.cursor() as cur:
        forged = hashlib.sha256(json.dumps(["forged"]).encode()).hexdigest()
        cur.execute("UPDATE audit_auditentry SET reason = '' WHERE id = %s", [target.pk])
        cur.execute("UPDATE audit_auditseal SET chain = %s WHERE entry_id = %s", [forged, target.pk])
    broken, _ = first_break()
    assert broken is not None and broken.id == target.pk


def test_a_large_batch_is_chained_in_insert_order(hq_officer, sealing):
    # Over rowsql's SMALL_INSERT the entries go through bulk_create: still one chain.
    with sealing():
        record_all(
            [
                entry(hq_officer, "create", object_type="people.person", object_id=i, division_code="4106")
                for i in range(1, 61)
            ]
        )
    rows = list(AuditSeal.objects.order_by("seq").values_list("entry__object_id", flat=True))
    assert rows[-60:] == [str(i) for i in range(1, 61)]
    assert first_break() == (None, len(rows))
