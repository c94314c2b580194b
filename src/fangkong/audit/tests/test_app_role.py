"""On PostgreSQL the app can connect as a role that does not own the audit
table: ``fangkong audit grant-app-role ROLE`` gives it SELECT and INSERT there,
and nothing it could rewrite the trail with, even with the triggers gone."""

import io
import uuid

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from fangkong.audit.models import AuditEntry, AuditSeal
from fangkong.audit.services import record
from fangkong.audit.triggers import set_triggers

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"), reason="roles and grants are PostgreSQL's"
)


@pytest.fixture
def app_role(committed_db):
    role = f"fk_app_{uuid.uuid4().hex[:12]}"
    password = uuid.uuid4().hex
    with connection.cursor() as cur:
        cur.execute(f'CREATE ROLE "{role}" LOGIN PASSWORD %s', [password])
    try:
        call_command("audit", "grant-app-role", role, stdout=io.StringIO())
        s = connection.settings_dict
        conn = psycopg.connect(
            host=s["HOST"] or "127.0.0.1",
            port=s["PORT"] or 5432,
            dbname=s["NAME"],
            user=role,
            password=password,
            autocommit=True,
        )
        try:
            yield conn
        finally:
            conn.close()
    finally:
        with connection.cursor() as cur:
            cur.execute(f'DROP OWNED BY "{role}"')
            cur.execute(f'DROP ROLE "{role}"')


def test_the_app_role_appends_and_reads_but_cannot_rewrite_even_without_triggers(app_role, qinghuayuan_worker):
    kept = record(qinghuayuan_worker, "reveal", object_type="people.person", object_id=1, reason="核实身份")
    with app_role.cursor() as cur:
        for sql in (
            "DROP TRIGGER audit_entry_no_update ON audit_auditentry",
            "ALTER TABLE audit_auditentry DISABLE TRIGGER USER",
            "DROP TABLE audit_auditentry",
            "DROP TRIGGER audit_seal_no_update ON audit_auditseal",
            "DROP TABLE audit_auditseal",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="must be owner"):
                cur.execute(sql)
    set_triggers(connection, False)  # committed: the owner lifted them (or an attacker who owns the table)
    with app_role.cursor() as cur:
        cur.execute("SELECT count(*) FROM audit_auditentry")
        assert cur.fetchone()[0] >= 1
        cur.execute(
            "INSERT INTO audit_auditentry (at, actor_username, role, actor_division_code, action, "
            "object_type, object_id, division_code, reason, detail) "
            "VALUES (now(), 'x', '', '', 'view', '', '', '', '', '{}') RETURNING id"
        )
        added = cur.fetchone()[0]
        assert added > kept.pk
        cur.execute("SELECT seq, chain FROM audit_seal_head()")  # what sealing takes: the lock, the last seal
        seq = (cur.fetchone()[0] or 0) + 1
        cur.execute("INSERT INTO audit_auditseal (seq, entry_id, chain) VALUES (%s, %s, %s)", [seq, added, "0" * 64])
        # and the rest of the app's tables: read and write
        cur.execute("UPDATE accounts_user SET first_name = first_name WHERE id = %s", [qinghuayuan_worker.pk])
        for sql in (
            f"UPDATE audit_auditentry SET action = 'login' WHERE id = {kept.pk}",
            f"DELETE FROM audit_auditentry WHERE id = {kept.pk}",
            "TRUNCATE audit_auditentry",
            f"INSERT INTO audit_auditentry (id, at, actor_username, role, actor_division_code, action, "
            f"object_type, object_id, division_code, reason, detail) VALUES ({kept.pk}, now(), 'x', "
            f"'', '', 'login', '', '', '', '', '{{}}') ON CONFLICT (id) DO UPDATE SET action = 'login'",
            f"UPDATE audit_auditseal SET chain = '' WHERE seq = {seq}",
            f"DELETE FROM audit_auditseal WHERE seq = {seq}",
            "TRUNCATE audit_auditseal",
            f"INSERT INTO audit_auditseal (seq, entry_id, chain) VALUES ({seq}, {added}, '') "
            f"ON CONFLICT (seq) DO UPDATE SET chain = ''",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                cur.execute(sql)
    assert AuditEntry.objects.get(pk=kept.pk).action == "reveal"
    assert AuditSeal.objects.get(seq=seq).chain == "0" * 64


def test_the_grants_can_be_printed_for_a_dba(db):
    out = io.StringIO()
    call_command("audit", "grant-app-role", "fangkong_app", "--print", stdout=out)
    assert 'GRANT SELECT, INSERT ON audit_auditentry, audit_auditseal TO "fangkong_app";' in out.getvalue()
