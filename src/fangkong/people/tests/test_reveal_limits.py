"""Every reveal needs a meaningful reason, is limited per user (counted in the
database, so across server processes) and past a daily threshold leaves an
alert for the inspectors."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import QINGHUAYUAN
from fangkong.audit.models import AuditEntry
from fangkong.audit.services import entry
from fangkong.screening.tests.helpers import an_arrival

from .test_api_support import remember

URL = "/api/v1/persons"


@pytest.fixture
def qhy(api, secrets, qinghuayuan_worker, zhang_san):
    remember(secrets, zhang_san)
    return api(qinghuayuan_worker)


def _reveal(qhy, person, reason="电话联系本人"):
    return qhy.post(f"{URL}/{person.pk}/reveal", {"field": "phone", "reason": reason}, may_reveal=True)


@pytest.mark.parametrize("reason", ["..", "。。。。。", "看看看看", "1234", " a! b ", "?!", "x-x-x-x"])
def test_a_reason_that_says_nothing_is_refused_with_what_is_expected(qhy, zhang_san, reason):
    r = _reveal(qhy, zhang_san, reason)
    assert r.status_code == 422
    assert "至少4个字" in r.json()["errors"]["reason"][0]
    assert not AuditEntry.objects.filter(action="reveal").exists()


@pytest.mark.parametrize("reason", ["电话联系", "核实身份", "call about quarantine", "通知隔离2020"])
def test_a_meaningful_reason_is_accepted(qhy, zhang_san, reason):
    r = _reveal(qhy, zhang_san, reason)
    assert r.status_code == 200 and r.json()["value"] == "13812341234"


def test_reveals_are_limited_per_minute_with_a_clear_message(qhy, zhang_san, settings):
    settings.FANGKONG_REVEALS_PER_MINUTE = 3
    assert [_reveal(qhy, zhang_san).status_code for _ in range(3)] == [200, 200, 200]
    r = _reveal(qhy, zhang_san)
    assert r.status_code == 429 and "13812341234" not in r.content.decode()
    assert r.json()["detail"] == "rate_limited" and "每分钟最多 3 次" in r.json()["errors"]["__all__"][0]
    assert AuditEntry.objects.filter(action="reveal").count() == 3


def test_the_limit_counts_reveals_recorded_by_any_process(qhy, qinghuayuan_worker, zhang_san, settings):
    """The count is the user's reveal entries in the database, not a per-process counter:
    entries written elsewhere (another server process) count, entries older than the
    window do not."""
    settings.FANGKONG_REVEALS_PER_HOUR = 5
    now = timezone.now()
    for minutes in (2, 10, 30, 59):
        e = entry(qinghuayuan_worker, "reveal", zhang_san, reason="另一进程", detail={"field": "phone"})
        e.at = now - dt.timedelta(minutes=minutes)
        e.save()
    old = entry(qinghuayuan_worker, "reveal", zhang_san, reason="两小时前", detail={"field": "phone"})
    old.at = now - dt.timedelta(hours=2)
    old.save()
    assert _reveal(qhy, zhang_san).status_code == 200  # 5 in the last hour
    r = _reveal(qhy, zhang_san)
    assert r.status_code == 429 and "每小时最多 5 次" in r.json()["errors"]["__all__"][0]


def test_the_limit_is_per_user(api, qhy, county_officer, zhang_san, settings):
    settings.FANGKONG_REVEALS_PER_MINUTE = 1
    assert _reveal(qhy, zhang_san).status_code == 200
    assert _reveal(qhy, zhang_san).status_code == 429
    assert _reveal(api(county_officer), zhang_san).status_code == 200


def test_past_the_daily_threshold_the_inspector_gets_one_alert(qhy, client, inspector, zhang_san, settings):
    settings.FANGKONG_REVEAL_ALERT_PER_DAY = 2
    for _ in range(2):
        _reveal(qhy, zhang_san)
    assert not AuditEntry.objects.filter(action="alert").exists()
    _reveal(qhy, zhang_san)
    _reveal(qhy, zhang_san)
    alert = AuditEntry.objects.get(action="alert")
    assert alert.actor_username == "qinghuayuan_worker" and alert.division_code == QINGHUAYUAN
    assert alert.detail == {"kind": "reveals_per_day", "count": 3, "threshold": 2}
    client.force_login(inspector)
    page = client.get(reverse("audit:list"), {"action": "alert"}).content.decode()
    assert "qinghuayuan_worker" in page and "异常提醒" in page


def test_the_page_says_why_a_reveal_was_refused(client, qinghuayuan_worker, zhang_san, settings):
    settings.FANGKONG_REVEALS_PER_MINUTE = 1
    client.force_login(qinghuayuan_worker)
    url = reverse("people:person_reveal", args=[zhang_san.pk])
    r = client.post(url, {"field": "phone", "reason": ".."})
    assert r.status_code == 400 and "至少4个字" in r.content.decode()
    assert client.post(url, {"field": "phone", "reason": "电话联系本人"}).status_code == 200
    r = client.post(url, {"field": "phone", "reason": "电话联系本人"})
    assert r.status_code == 429 and "每分钟最多 1 次" in r.content.decode() and "13812341234" not in r.content.decode()
    # htmx swaps only successful answers: it gets the message with a 200.
    r = client.post(url, {"field": "phone", "reason": "电话联系本人"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "每分钟最多 1 次" in r.content.decode()
    assert "13812341234" not in r.content.decode()


def test_arrival_reveals_follow_the_same_rules_and_share_the_count(client, qinghuayuan_worker, zhang_san, settings):
    settings.FANGKONG_REVEALS_PER_MINUTE = 2
    a = an_arrival(phone="13600001111")
    client.force_login(qinghuayuan_worker)
    url = reverse("screening:arrival_reveal", args=[a.pk])
    r = client.post(url, {"field": "phone", "reason": "。。。。"})
    assert r.status_code == 400 and "至少4个字" in r.content.decode()
    assert "13600001111" in client.post(url, {"field": "phone", "reason": "电话联系返乡人员"}).content.decode()
    assert (
        client.post(
            reverse("people:person_reveal", args=[zhang_san.pk]), {"field": "phone", "reason": "电话联系本人"}
        ).status_code
        == 200
    )
    r = client.post(url, {"field": "phone", "reason": "电话联系返乡人员"})
    assert r.status_code == 429 and "13600001111" not in r.content.decode()


@pytest.mark.skipif(
    __import__("django.conf", fromlist=["settings"]).settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
    reason="concurrent writers need PostgreSQL (SQLite serializes writes)",
)
def test_concurrent_reveals_cannot_slip_past_the_limit(committed_db, qinghuayuan_worker, zhang_san, settings):
    """Eight reveals at once on separate connections (as from several server
    processes): exactly the limit succeed."""
    import threading

    from django.db import connection

    from fangkong.people.reveals import RevealLimited
    from fangkong.people.services import person_reveal

    settings.FANGKONG_REVEALS_PER_MINUTE = 3
    barrier = threading.Barrier(8)
    outcomes, errors = [], []

    def reveal():
        try:
            barrier.wait()
            person_reveal(user=qinghuayuan_worker, person=zhang_san, field="phone", reason="电话联系本人")
            outcomes.append("ok")
        except RevealLimited:
            outcomes.append("limited")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=reveal) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(outcomes) == ["limited"] * 5 + ["ok"] * 3
    assert AuditEntry.objects.filter(action="reveal").count() == 3
