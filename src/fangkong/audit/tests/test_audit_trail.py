import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from conftest import QINGHUAYUAN
from fangkong.audit.models import AuditEntry
from fangkong.audit.services import record
from fangkong.lib import vault


def test_entries_cannot_be_changed_or_deleted_through_the_app(qinghuayuan_worker, zhang_san):
    entry = AuditEntry.objects.filter(object_id=str(zhang_san.pk)).first()
    entry.reason = "changed"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().update(reason="x")


def test_the_database_refuses_updates_and_deletes(qinghuayuan_worker, zhang_san):
    for sql in ("UPDATE audit_auditentry SET reason = 'x'", "DELETE FROM audit_auditentry"):
        with pytest.raises(DatabaseError), transaction.atomic():
            with connection.cursor() as cur:
                cur.execute(sql)
    assert AuditEntry.objects.filter(object_id=str(zhang_san.pk)).exists()


def test_detail_keeps_only_plain_facts(qinghuayuan_worker, zhang_san):
    e = record(qinghuayuan_worker, "view", zhang_san, detail={"rows": 3, "obj": object()})
    assert e.detail == {"rows": 3}
    assert e.role == "grid" and e.actor_division_code == QINGHUAYUAN


def test_the_inspector_sees_a_reveal_with_its_reason(client, inspector, qinghuayuan_worker, zhang_san):
    client.force_login(qinghuayuan_worker)
    r = client.post(reverse("people:person_reveal", args=[zhang_san.pk]), {"field": "doc_number", "reason": "核实身份"})
    assert vault.decrypt(zhang_san.doc_cipher) in r.content.decode()
    client.force_login(inspector)
    page = client.get(reverse("audit:list"), {"action": "reveal"}).content.decode()
    assert "核实身份" in page and "qinghuayuan_worker" in page
    assert vault.decrypt(zhang_san.doc_cipher) not in page


def test_a_grid_worker_has_no_audit_page(client, qinghuayuan_worker):
    client.force_login(qinghuayuan_worker)
    assert client.get(reverse("audit:list")).status_code == 403


def test_an_inspector_of_another_county_sees_nothing_of_this_one(client, django_user_model, zhang_san):
    from fangkong.accounts.models import Assignment

    xun = django_user_model.objects.create_user("xun_inspector", password="x" * 12)
    Assignment.objects.create(user=xun, role="inspector", division_id="410621")
    client.force_login(xun)
    page = client.get(reverse("audit:list")).content.decode()
    assert "qinghuayuan_worker" not in page


def test_filters_and_export(client, inspector, qinghuayuan_worker, zhang_san):
    client.force_login(inspector)
    r = client.get(
        reverse("audit:list"),
        {"user": "qinghuayuan_worker", "action": "create", "from": "2000-01-01", "to": "2999-01-01", "page": "abc"},
    )
    assert r.status_code == 200 and f"人员 #{zhang_san.pk} 张*" in r.content.decode()
    r = client.get(reverse("audit:export"), {"user": "qinghuayuan_worker"})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditEntry.objects.filter(action="export", actor=inspector).exists()
    assert client.get(reverse("audit:list"), {"from": "not-a-date"}).status_code == 200
