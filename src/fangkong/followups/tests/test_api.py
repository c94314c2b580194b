"""/api/v1/followups: start, list, detail, record (client key), batch (per-item
results), referrals, deliveries, counts; the 西马庄村 worker gets 404 for all of
清华园's records."""

import datetime as dt
import json

import pytest

from fangkong.accounts.services import token_create
from fangkong.followups.models import FollowUp, HealthCheck, Referral
from fangkong.followups.services import delivery_request_create, health_check_record

from .conftest import DAY1

URL = "/api/v1/followups"


class Api:
    def __init__(self, client, user):
        _token, raw = token_create(user=user, name="test")
        self.client, self.headers = client, {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    def get(self, url, **params):
        return self.client.get(url, params, **self.headers)

    def post(self, url, body=None):
        return self.client.post(url, json.dumps(body or {}), content_type="application/json", **self.headers)


@pytest.fixture
def qhy(client, qinghuayuan_worker):
    return Api(client, qinghuayuan_worker)


@pytest.fixture
def xmz(client, ximazhuang_worker):
    return Api(client, ximazhuang_worker)


def _check(f, day=DAY1, slot=0):
    return HealthCheck.objects.get(followup=f, slot_date=day, slot=slot)


def test_starting_a_measure_returns_it_with_its_checks(qhy, zhang_san, clock):
    clock.at(DAY1, 8)
    r = qhy.post(
        URL, {"person_id": zhang_san.pk, "kind": "home_quarantine", "reason": "武汉返回", "source_ref": "arrival:7"}
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["kind"] == "home_quarantine" and len(body["checks"]) == 28 and body["status"] == "active"
    assert body["person"]["doc_masked"].count("*") >= 8 and "doc_cipher" not in json.dumps(body)
    again = qhy.post(URL, {"person_id": zhang_san.pk, "kind": "health_monitoring", "reason": "再来"})
    assert again.status_code == 422 and "kind" in again.json()["errors"]


def test_bad_start_input_is_a_422_by_field(qhy, zhang_san):
    r = qhy.post(URL, {"person_id": zhang_san.pk, "kind": "lockdown", "reason": "", "extra": 1})
    assert r.status_code == 422 and {"kind", "extra"} <= set(r.json()["errors"])


def test_list_and_detail(qhy, quarantine):
    body = qhy.get(URL).json()
    assert body["count"] == 1 and body["items"][0]["id"] == quarantine.pk
    detail = qhy.get(f"{URL}/{quarantine.pk}").json()
    assert detail["planned_end"] == "2020-02-15" and detail["release_blockers"]


def test_recording_a_check_with_a_client_key_is_idempotent(qhy, quarantine, clock):
    clock.at(DAY1, 9)
    check = _check(quarantine)
    url = f"{URL}/checks/{check.pk}/record"
    r1 = qhy.post(url, {"temperature": "36.6", "client_key": "phone-1"})
    r2 = qhy.post(url, {"temperature": "36.6", "client_key": "phone-1"})
    assert (r1.status_code, r2.status_code) == (201, 200) and r1.json()["id"] == r2.json()["id"]
    r3 = qhy.post(url, {"temperature": "36.9", "client_key": "phone-2"})
    assert r3.status_code == 422 and "不能重复登记" in json.dumps(r3.json(), ensure_ascii=False)


@pytest.mark.parametrize(
    "body, field",
    [
        ({"temperature": "45"}, "temperature"),
        ({"temperature": "x"}, "temperature"),
        ({"temperature": "36.5", "symptoms": ["headache"]}, "symptoms"),
        ({}, "temperature"),
    ],
)
def test_bad_check_input_is_a_422(qhy, quarantine, clock, body, field):
    clock.at(DAY1, 9)
    r = qhy.post(f"{URL}/checks/{_check(quarantine).pk}/record", body)
    assert r.status_code == 422 and field in r.json()["errors"], r.content


def test_the_overdue_list(qhy, quarantine, clock):
    clock.at(DAY1 + dt.timedelta(days=1), 13)
    body = qhy.get(f"{URL}/checks", state="overdue").json()
    assert body["count"] == 3 and all(i["overdue"] for i in body["items"])
    assert body["items"][0]["person"]["name"] == "张三"


def test_a_batch_gives_a_result_for_every_item(qhy, quarantine, clock):
    clock.at(DAY1 + dt.timedelta(days=1), 16)
    c = list(HealthCheck.objects.filter(followup=quarantine).order_by("window_start")[:5])
    health_check_record(user=quarantine.created_by, check=c[3], temperature="36.4", client_key="earlier")
    items = [
        {"check_id": c[0].pk, "temperature": "36.5", "client_key": "b-0"},
        {"check_id": c[1].pk, "temperature": "38.2", "symptoms": ["cough"], "client_key": "b-1"},
        {"check_id": c[2].pk, "temperature": "50", "client_key": "b-2"},
        {"check_id": c[3].pk, "temperature": "36.4", "client_key": "earlier"},
        {"check_id": c[0].pk, "temperature": "36.5", "client_key": "b-0"},
        {"check_id": 999999, "temperature": "36.5", "client_key": "b-5"},
        {"temperature": "36.5", "client_key": "b-6"},
        "nonsense",
        {"check_id": c[4].pk, "temperature": "36.5"},
    ]
    r = qhy.post(f"{URL}/checks/batch", {"items": items})
    assert r.status_code == 200, r.content
    body = r.json()
    statuses = [x["status"] for x in body["results"]]
    assert statuses == ["created", "created", "error", "duplicate", "duplicate", "error", "error", "error", "error"]
    assert (body["created"], body["duplicate"], body["error"]) == (2, 2, 5)
    assert "temperature" in body["results"][2]["errors"] and "check_id" in body["results"][5]["errors"]
    assert body["results"][1]["referral_id"] == Referral.objects.get().pk
    assert HealthCheck.objects.filter(followup=quarantine, status="done").count() == 3


def test_a_batch_is_limited_to_500(qhy, quarantine):
    r = qhy.post(f"{URL}/checks/batch", {"items": [{}] * 501})
    assert r.status_code == 422


def test_referrals_are_listed_and_closed(qhy, quarantine, clock):
    clock.at(DAY1, 9)
    qhy.post(f"{URL}/checks/{_check(quarantine).pk}/record", {"temperature": "37.9"})
    referral = qhy.get(f"{URL}/referrals").json()["items"][0]
    assert referral["status"] == "open" and referral["temperature"] == "37.9"
    closed = qhy.post(f"{URL}/referrals/{referral['id']}/close", {"outcome": "复测正常"})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert FollowUp.objects.get().status == "active"


def test_deliveries_are_requested_taken_and_delivered(qhy, quarantine, clock):
    clock.at(DAY1, 9)
    body = {
        "person_id": quarantine.person_id,
        "category": "food",
        "items": "大米",
        "needed_by": "2020-02-01T12:00:00+08:00",
        "client_key": "d-1",
    }
    r1, r2 = qhy.post(f"{URL}/deliveries", body), qhy.post(f"{URL}/deliveries", body)
    assert (r1.status_code, r2.status_code) == (201, 200)
    did = r1.json()["id"]
    assert qhy.post(f"{URL}/deliveries/{did}/take", {"volunteer_name": "志愿者王"}).json()["status"] == "taken"
    assert qhy.post(f"{URL}/deliveries/{did}/deliver", {}).json()["status"] == "delivered"
    clock.at(DAY1, 13)
    assert qhy.get(f"{URL}/deliveries").json()["count"] == 0


def test_counts_for_my_division(qhy, xmz, quarantine, clock):
    clock.at(DAY1, 13)
    body = qhy.get(f"{URL}/counts", division="410611005007", day="2020-02-01").json()
    assert body["in_measure"]["home_quarantine"] == 1 and body["checks_due"] == 2 and body["checks_overdue"] == 1
    assert xmz.get(f"{URL}/counts", division="410611005007").status_code == 404


def test_the_ximazhuang_worker_gets_404_for_everything_of_qinghuayuan(xmz, quarantine, qinghuayuan_worker, clock):
    clock.at(DAY1, 9)
    check = _check(quarantine)
    health_check_record(user=qinghuayuan_worker, check=check, temperature="38.0")
    referral = Referral.objects.get()
    delivery, _ = delivery_request_create(
        user=qinghuayuan_worker,
        person=quarantine.person,
        category="food",
        items="米",
        needed_by=clock.now + dt.timedelta(hours=3),
    )
    other = _check(quarantine, slot=1)
    assert xmz.get(f"{URL}/{quarantine.pk}").status_code == 404
    assert xmz.post(f"{URL}/{quarantine.pk}/extend", {"days": 3, "reason": "越权"}).status_code == 404
    assert xmz.post(f"{URL}/{quarantine.pk}/release", {"reason": "越权"}).status_code == 404
    assert xmz.post(f"{URL}/checks/{other.pk}/record", {"temperature": "36.5"}).status_code == 404
    assert xmz.get(f"{URL}/referrals/{referral.pk}").status_code == 404
    assert xmz.post(f"{URL}/referrals/{referral.pk}/close", {"outcome": "越权"}).status_code == 404
    assert xmz.get(f"{URL}/deliveries/{delivery.pk}").status_code == 404
    assert xmz.post(f"{URL}/deliveries/{delivery.pk}/take", {}).status_code == 404
    assert (
        xmz.post(URL, {"person_id": quarantine.person_id, "kind": "home_quarantine", "reason": "越权"}).status_code
        == 404
    )
    for path in ("", "/checks", "/referrals", "/deliveries"):
        assert xmz.get(URL + path).json()["count"] == 0, path
    batch = xmz.post(
        f"{URL}/checks/batch", {"items": [{"check_id": other.pk, "temperature": "36.5", "client_key": "x-1"}]}
    ).json()
    assert batch["results"][0]["status"] == "error" and "check_id" in batch["results"][0]["errors"]
    assert HealthCheck.objects.get(pk=other.pk).status == "due"


def test_without_a_token_it_is_401(client):
    assert client.get(URL).status_code == 401
