"""Screening takes no ID number or phone in a URL: the arrivals list finds one
by a POSTed search kept as a blind index in the session (the API by
``POST /arrivals/search``), and a GET carrying one is refused everywhere."""

import pytest
from django.urls import reverse

from conftest import login
from fangkong.audit.models import AuditEntry
from fangkong.lib import vault

from .helpers import a_campaign, an_arrival
from .test_api import BASE, qhy, xmz  # noqa: F401  (fixtures)

PHONE = "13600001111"


@pytest.fixture
def arrivals():
    return an_arrival(name="钱多多", phone=PHONE), an_arrival(name="孙主动", phone="13700002222")


def _term(arrival, kind):
    return vault.decrypt(arrival.doc_cipher) if kind == "id" else PHONE


# ---------------------------------------------------------------- the arrivals page


@pytest.mark.parametrize("kind", ["id", "phone"])
def test_a_number_in_the_arrivals_url_is_refused(client, qinghuayuan_worker, arrivals, kind):
    term = _term(arrivals[0], kind)
    login(client, qinghuayuan_worker)
    for name in ("screening:arrival_list", "screening:arrival_export"):
        r = client.get(reverse(name), {"q": term})
        page = r.content.decode()
        assert r.status_code == 400 and term not in page and "钱多多" not in page, name
    assert "证件号码和电话不能放在网址中" in client.get(reverse("screening:arrival_list"), {"q": term}).content.decode()
    assert not AuditEntry.objects.filter(action="search").exists()


@pytest.mark.parametrize("kind", ["id", "phone"])
def test_the_arrivals_search_posts_and_the_url_carries_a_key(client, qinghuayuan_worker, arrivals, kind):
    term = _term(arrivals[0], kind)
    r = login(client, qinghuayuan_worker).post(
        reverse("screening:arrival_search"), {"q": term, "status": "all", "source": "passage"}
    )
    assert r.status_code == 302
    location = r["Location"]
    assert term not in location and "s=" in location and "q=" not in location and "source=passage" in location
    page = client.get(location).content.decode()
    assert "钱多多" in page and "孙主动" not in page and term not in page
    assert term not in str(client.session.load())
    entry = AuditEntry.objects.get(action="search", object_type="screening.arrival")
    assert entry.detail["kind"] == ("doc" if kind == "id" else "phone")
    export = client.get(reverse("screening:arrival_export") + location[location.index("?") :])
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_arrivals_name_search_stays_a_get(client, qinghuayuan_worker, arrivals):
    r = login(client, qinghuayuan_worker).post(reverse("screening:arrival_search"), {"q": "钱"})
    assert "q=" in r["Location"] and "s=" not in r["Location"]
    page = client.get(r["Location"]).content.decode()
    assert "钱多多" in page and "孙主动" not in page


def test_an_expired_arrivals_key_finds_nobody(client, qinghuayuan_worker, arrivals):
    page = login(client, qinghuayuan_worker).get(reverse("screening:arrival_list"), {"s": "gone"}).content.decode()
    assert "钱多多" not in page and "已过期" in page


def test_an_outsider_finds_no_arrival_by_number(client, ximazhuang_worker, arrivals):
    location = login(client, ximazhuang_worker).post(
        reverse("screening:arrival_search"), {"q": vault.decrypt(arrivals[0].doc_cipher)}
    )["Location"]
    assert "钱多多" not in client.get(location).content.decode()


def test_other_screening_pages_refuse_a_number(client, qinghuayuan_worker):
    campaign = a_campaign(qinghuayuan_worker)
    login(client, qinghuayuan_worker)
    for url in (
        reverse("screening:returnee_list"),
        reverse("screening:returnee_export"),
        reverse("screening:campaign_households", args=[campaign.pk]),
    ):
        r = client.get(url, {"q": PHONE})
        assert r.status_code == 400 and PHONE not in r.content.decode(), url
    assert client.get(reverse("screening:returnee_list"), {"q": "钱"}).status_code == 200


# ---------------------------------------------------------------- the API


@pytest.mark.parametrize("kind", ["id", "phone"])
def test_the_api_refuses_a_number_in_the_arrivals_query(qhy, arrivals, kind):  # noqa: F811
    term = _term(arrivals[0], kind)
    r = qhy.get("/arrivals", {"q": term, "status": "all"})
    assert r.status_code == 422 and "POST /api/v1/screening/arrivals/search" in r.json()["errors"]["q"][0]
    assert term not in r.content.decode()
    assert not AuditEntry.objects.filter(action="search").exists()


@pytest.mark.parametrize("kind", ["id", "phone", "name"])
def test_the_api_searches_arrivals_by_post(qhy, arrivals, kind):  # noqa: F811
    term = "钱" if kind == "name" else _term(arrivals[0], kind)
    r = qhy.post("/arrivals/search", {"q": term, "status": "all"})
    assert r.status_code == 200, r.content
    assert [a["id"] for a in r.json()["items"]] == [arrivals[0].pk]
    assert AuditEntry.objects.get(action="search").detail["kind"] == {"id": "doc", "phone": "phone"}.get(kind, "name")


def test_the_api_arrivals_search_is_scoped(xmz, arrivals):  # noqa: F811
    r = xmz.post("/arrivals/search", {"q": vault.decrypt(arrivals[0].doc_cipher), "status": "all"})
    assert r.status_code == 200 and r.json()["items"] == []


def test_the_other_screening_lists_refuse_a_number_in_the_api(qhy, qinghuayuan_worker):  # noqa: F811
    campaign = a_campaign(qinghuayuan_worker)
    for path in ("/returnees", f"/campaigns/{campaign.pk}/households"):
        r = qhy.get(path, {"q": PHONE})
        assert r.status_code == 422 and "q" in r.json()["errors"], path
