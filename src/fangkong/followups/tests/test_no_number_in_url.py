"""Follow-ups take no ID number or phone in a URL (the start page finds the
person by a POSTed search kept as a blind index in the session; the lists take
a name only), and a measure cannot be started for fewer days than the policy's."""

import pytest
from django.urls import reverse

from conftest import login
from fangkong.audit.models import AuditEntry
from fangkong.followups.models import FollowUp
from fangkong.followups.services import followup_start, measure_policy_set
from fangkong.lib import vault

from .conftest import DAY1
from .test_api import URL, qhy  # noqa: F401  (fixture)

PHONE = "13812341234"


def _number(person) -> str:
    return vault.decrypt(person.doc_cipher)


# ---------------------------------------------------------------- the start page


@pytest.mark.parametrize("term", ["id", PHONE])
def test_the_start_page_refuses_a_number_in_its_url(client, qinghuayuan_worker, zhang_san, term):
    term = _number(zhang_san) if term == "id" else term
    r = login(client, qinghuayuan_worker).get(reverse("followups:start"), {"q": term})
    page = r.content.decode()
    assert r.status_code == 400 and "证件号码和电话不能放在网址中" in page
    assert term not in page and "张三" not in page
    assert not AuditEntry.objects.filter(action="search").exists()


@pytest.mark.parametrize("term", ["id", PHONE])
def test_the_start_page_searches_a_number_by_post(client, qinghuayuan_worker, zhang_san, term):
    term = _number(zhang_san) if term == "id" else term
    r = login(client, qinghuayuan_worker).post(reverse("followups:start_search"), {"q": term})
    assert r.status_code == 302
    location = r["Location"]
    assert term not in location and "s=" in location and "q=" not in location
    page = client.get(location).content.decode()
    assert "张三" in page and term not in page and f"?person={zhang_san.pk}" in page
    assert term not in str(client.session.load())
    assert AuditEntry.objects.get(action="search").detail["kind"] == ("phone" if term == PHONE else "doc")


def test_the_start_page_name_search_stays_a_get(client, qinghuayuan_worker, zhang_san):
    r = login(client, qinghuayuan_worker).post(reverse("followups:start_search"), {"q": "zs"})
    assert r["Location"].endswith("?q=zs")
    assert "张三" in client.get(r["Location"]).content.decode()


def test_the_start_page_with_an_expired_key_finds_nobody(client, qinghuayuan_worker, zhang_san):
    page = login(client, qinghuayuan_worker).get(reverse("followups:start"), {"s": "gone"}).content.decode()
    assert "张三" not in page and "已过期" in page


def test_an_outsider_finds_nobody_by_number(client, ximazhuang_worker, zhang_san):
    location = login(client, ximazhuang_worker).post(reverse("followups:start_search"), {"q": _number(zhang_san)})[
        "Location"
    ]
    assert "张三" not in client.get(location).content.decode()


# ---------------------------------------------------------------- the lists


def test_the_list_page_refuses_a_number(client, qinghuayuan_worker, quarantine):
    for name in ("followups:list", "followups:export"):
        r = login(client, qinghuayuan_worker).get(reverse(name), {"q": PHONE})
        assert r.status_code == 400 and PHONE not in r.content.decode(), name
    assert client.get(reverse("followups:list"), {"q": "张"}).status_code == 200


def test_the_api_list_refuses_a_number(qhy, quarantine):  # noqa: F811
    r = qhy.get(URL, q=PHONE)
    assert r.status_code == 422 and "POST /api/v1/persons/search" in r.json()["errors"]["q"][0]
    assert PHONE not in r.content.decode()
    assert qhy.get(URL, q="张").json()["count"] == 1


# ---------------------------------------------------------------- the days of a new measure


def test_a_measure_cannot_start_shorter_than_the_policy(qinghuayuan_worker, zhang_san, clock):
    from django.core.exceptions import ValidationError

    clock.at(DAY1, 8)
    with pytest.raises(ValidationError) as exc:
        followup_start(user=qinghuayuan_worker, person=zhang_san, kind="home_quarantine", reason="武汉返回", days=1)
    assert "14" in exc.value.message_dict["days"][0]
    assert (
        followup_start(
            user=qinghuayuan_worker, person=zhang_san, kind="home_quarantine", reason="武汉返回", days=21
        ).days
        == 21
    )


def test_the_minimum_follows_the_policy(hq_officer, qinghuayuan_worker, zhang_san, clock):
    clock.at(DAY1, 8)
    measure_policy_set(user=hq_officer, kind="health_monitoring", days=7)
    assert (
        followup_start(user=qinghuayuan_worker, person=zhang_san, kind="health_monitoring", reason="返乡", days=7).days
        == 7
    )


def test_the_api_refuses_a_one_day_quarantine(qhy, zhang_san, clock):  # noqa: F811
    clock.at(DAY1, 8)
    r = qhy.post(URL, {"person_id": zhang_san.pk, "kind": "home_quarantine", "reason": "武汉返回", "days": 1})
    assert r.status_code == 422 and "14" in r.json()["errors"]["days"][0]
    assert not FollowUp.objects.exists()


def test_the_start_form_refuses_a_one_day_quarantine(client, qinghuayuan_worker, zhang_san, clock):
    clock.at(DAY1, 8)
    r = login(client, qinghuayuan_worker).post(
        reverse("followups:start"),
        {
            "person": zhang_san.pk,
            "kind": "home_quarantine",
            "reason": "武汉返回",
            "place": "",
            "start_date": "2020-02-01",
            "days": "1",
        },
    )
    assert r.status_code == 400 and "不能少于" in r.content.decode() and not FollowUp.objects.exists()
    assert "武汉返回" in r.content.decode()  # the form keeps what was typed
