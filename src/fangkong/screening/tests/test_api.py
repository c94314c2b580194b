import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from conftest import QINGHUAYUAN, TAISHANLU, XIMAZHUANG, new_resident_id
from fangkong.audit.models import AuditEntry
from fangkong.lib import vault
from fangkong.screening.models import Arrival, Returnee, Visit
from fangkong.screening.services import SELF_REPORT_PER_MINUTE

from .helpers import a_campaign, an_arrival

BASE = "/api/v1/screening"


class Api:
    """A JSON client with a bearer token."""

    def __init__(self, user):
        from fangkong.accounts.services import token_create

        _token, raw = token_create(user=user, name="test")
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    def get(self, path, params=None):
        return self.client.get(BASE + path, params or {})

    def post(self, path, body=None):
        return self.client.post(BASE + path, body or {}, content_type="application/json")


@pytest.fixture
def qhy(qinghuayuan_worker):
    return Api(qinghuayuan_worker)


@pytest.fixture
def xmz(ximazhuang_worker):
    return Api(ximazhuang_worker)


def test_the_queue_lists_flagged_first_masked(qhy):
    an_arrival(name="钱多多")
    flagged = an_arrival(name="孙发热", flags=["fever"])
    body = qhy.get("/arrivals").json()
    assert body["count"] == 2 and [i["name"] for i in body["items"]] == ["孙发热", "钱多多"]
    item = body["items"][0]
    assert item["doc_masked"] == flagged.doc_masked and item["flags"][0]["flag"] == "fever"
    assert "复测" in item["flags"][0]["guidance"]
    assert vault.decrypt(flagged.doc_cipher) not in str(body)


def test_the_detail_is_audited_and_the_outsider_gets_404(qhy, xmz):
    a = an_arrival()
    assert qhy.get(f"/arrivals/{a.pk}").json()["can_handle"] is True
    assert AuditEntry.objects.filter(action="view", object_id=str(a.pk)).exists()
    assert xmz.get(f"/arrivals/{a.pk}").status_code == 404
    assert xmz.get("/arrivals").json()["count"] == 0
    assert xmz.post(f"/arrivals/{a.pk}/dismiss", {"reason": "不是本村"}).status_code == 404
    assert xmz.post(f"/arrivals/{a.pk}/confirm", {"measure": "none", "measure_reason": "不需要"}).status_code == 404
    assert xmz.get("/arrivals/99999999999999999999").status_code in (404, 422)


def test_dismiss_and_confirm_through_the_api(qhy):
    a1, a2 = an_arrival(), an_arrival()
    assert qhy.post(f"/arrivals/{a1.pk}/dismiss", {"reason": ""}).status_code == 422
    assert qhy.post(f"/arrivals/{a1.pk}/dismiss", {"reason": "途经本地"}).json()["status"] == "dismissed"
    r = qhy.post(
        f"/arrivals/{a2.pk}/confirm",
        {"measure": "health_monitoring", "measure_reason": "返乡", "travel_mode": "train", "travel_number": "G507"},
    )
    assert r.status_code == 201 and r.json()["measure_state"] == "started"
    returnee = Returnee.objects.get()
    assert qhy.get(f"/returnees/{returnee.pk}").json()["travel_number"] == "G507"
    assert qhy.get("/returnees").json()["count"] == 1
    assert qhy.post(f"/arrivals/{a2.pk}/confirm", {"measure": "none", "measure_reason": "再次"}).status_code == 422


def test_unknown_fields_and_bad_values_are_refused(qhy):
    a = an_arrival()
    r = qhy.post(f"/arrivals/{a.pk}/confirm", {"measure": "jail", "measure_reason": "x", "extra": 1})
    assert r.status_code == 422 and {"measure", "extra"} <= set(r.json()["errors"])


def test_the_outsider_cannot_see_returnees(qhy, xmz):
    a = an_arrival()
    qhy.post(f"/arrivals/{a.pk}/confirm", {"measure": "none", "measure_reason": "不需要"})
    r = Returnee.objects.get()
    assert xmz.get(f"/returnees/{r.pk}").status_code == 404 and xmz.get("/returnees").json()["count"] == 0


def test_the_proposal(qhy):
    assert qhy.get("/measure-proposal", {"case_contact": "true"}).json()["measure"] == "central_quarantine"


def _report(**changes):
    body = {
        "name": "孙七",
        "doc_number": new_resident_id("420102"),
        "phone": "13900001234",
        "origin_code": "4201",
        "arrived_on": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        "destination_code": QINGHUAYUAN,
        "address": "泰山路8号",
    }
    body.update(changes)
    return body


def test_the_self_report_endpoint_is_public_and_masked(client, hebi):
    r = client.post(BASE + "/self-report", _report(), content_type="application/json")
    assert r.status_code == 201 and r.json()["phone_masked"] == "139****1234" and r.json()["community"] == "清华园社区"
    assert Arrival.objects.get().source == "self_report"


def test_the_self_report_endpoint_refuses_bad_input(client, hebi):
    r = client.post(
        BASE + "/self-report", _report(doc_number="123", destination_code="410621002"), content_type="application/json"
    )
    assert r.status_code == 422 and {"doc_number", "destination_code"} <= set(r.json()["errors"])


def test_the_self_report_endpoint_is_rate_limited(client, hebi):
    fixed = timezone.now().replace(second=10, microsecond=0)  # all posts inside one minute window
    with time_machine.travel(fixed, tick=False):
        for _ in range(SELF_REPORT_PER_MINUTE):
            client.post(BASE + "/self-report", _report(), content_type="application/json")
        r = client.post(BASE + "/self-report", _report(), content_type="application/json")
    assert r.status_code == 429 and int(r["Retry-After"]) > 0
    assert r.json() == {"detail": f"提交太频繁，请 {r['Retry-After']} 秒后再试。如需帮助请直接联系所在村/社区。"}


def test_campaigns_visits_and_coverage(qhy, xmz, household_qhy):
    today = timezone.localdate()
    r = qhy.post(
        "/campaigns",
        {"division_code": QINGHUAYUAN, "name": "第一轮", "starts_on": today.isoformat(), "ends_on": today.isoformat()},
    )
    assert r.status_code == 201
    cid = r.json()["id"]
    body = {"household_id": household_qhy.pk, "result": "nobody_home", "client_key": "k1"}
    assert qhy.post(f"/campaigns/{cid}/visits", body).status_code == 201
    again = qhy.post(f"/campaigns/{cid}/visits", body)
    assert again.status_code == 200 and again.json()["recorded"] is False
    found = {
        "household_id": household_qhy.pk,
        "result": "returnees",
        "client_key": "k2",
        "returnees": [{"name": "李四", "doc_number": new_resident_id("420102"), "origin_code": "42"}],
    }
    assert qhy.post(f"/campaigns/{cid}/visits", found).json()["result"] == "returnees"
    assert Visit.objects.get().attempts == 2 and Arrival.objects.get().source == "visit"
    detail = qhy.get(f"/campaigns/{cid}").json()
    assert detail["coverage"]["screened"] == 1 and detail["coverage"]["percent"] == 100.0
    assert qhy.get("/coverage").json()["screened"] == 1
    assert qhy.get(f"/campaigns/{cid}/households", {"state": "done"}).json()["count"] == 1
    # the outsider
    assert xmz.get(f"/campaigns/{cid}").status_code == 404
    assert xmz.post(f"/campaigns/{cid}/visits", {**body, "client_key": "x"}).status_code == 404
    assert xmz.get("/coverage", {"division": QINGHUAYUAN}).status_code == 404
    assert xmz.get("/counts", {"division": "410611"}).status_code == 404


def test_a_household_outside_the_campaign_is_404(qhy, household_xmz, qinghuayuan_worker):
    c = a_campaign(qinghuayuan_worker)
    r = qhy.post(f"/campaigns/{c.pk}/visits", {"household_id": household_xmz.pk, "result": "none", "client_key": "k9"})
    assert r.status_code == 404


def test_counts_for_the_command_level(township_officer, qinghuayuan_worker):
    an_arrival()
    an_arrival(source="self_report")
    an_arrival(XIMAZHUANG)
    body = Api(township_officer).get("/counts", {"division": TAISHANLU}).json()
    assert (body["arrivals_new"], body["self_reports"], body["arrivals_pending"]) == (2, 1, 2)
