"""No page or API takes an ID number or phone in its URL: those searches go by
POST (the page keeps only the blind index in the session under a random key;
the API has a POST search), and a GET that carries one is refused."""

import pytest
from django.urls import reverse

from fangkong.audit.models import AuditEntry
from fangkong.lib import vault

from .test_api_support import remember

PHONE = "13812341234"


def _number(person) -> str:
    return vault.decrypt(person.doc_cipher)


@pytest.fixture
def as_qhy(client, qinghuayuan_worker):
    client.force_login(qinghuayuan_worker)
    return client


# ---------------------------------------------------------------- pages


@pytest.mark.parametrize("term", ["id", PHONE, "138 1234 1234"])
def test_a_number_in_the_list_url_is_refused_and_not_echoed(as_qhy, zhang_san, term):
    term = _number(zhang_san) if term == "id" else term
    r = as_qhy.get(reverse("people:person_list"), {"q": term})
    page = r.content.decode()
    assert r.status_code == 400 and "证件号码和电话不能放在网址中" in page
    assert term not in page and "张三" not in page
    assert not AuditEntry.objects.filter(action="search").exists()


@pytest.mark.parametrize("term", ["id", PHONE])
def test_the_search_form_posts_and_the_list_url_carries_only_an_opaque_key(as_qhy, zhang_san, term):
    term = _number(zhang_san) if term == "id" else term
    r = as_qhy.post(reverse("people:person_search"), {"q": term, "sex": "M"})
    assert r.status_code == 302
    location = r["Location"]
    assert term not in location and "s=" in location and "sex=M" in location and "q=" not in location
    page = as_qhy.get(location).content.decode()
    assert "张三" in page and term not in page
    assert (zhang_san.doc_masked if term != PHONE else "138****1234") in page  # what was searched, masked
    # The session keeps the blind index, never the number.
    session = as_qhy.session.load()
    assert term not in str(session) and "people_searches" in session
    entry = AuditEntry.objects.get(action="search")
    assert entry.detail["kind"] == ("phone" if term == PHONE else "doc") and term not in str(entry.__dict__)


def test_paging_and_export_keep_the_search(as_qhy, zhang_san):
    location = as_qhy.post(reverse("people:person_search"), {"q": _number(zhang_san)})["Location"]
    key = location.split("s=")[1].split("&")[0]
    assert "张三" in as_qhy.get(reverse("people:person_list"), {"s": key, "page": "1"}).content.decode()
    r = as_qhy.get(reverse("people:person_export"), {"s": key})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")


def test_a_name_search_stays_a_plain_get(as_qhy, zhang_san):
    r = as_qhy.post(reverse("people:person_search"), {"q": "zs"})
    assert r["Location"].endswith("?q=zs")
    assert "张三" in as_qhy.get(r["Location"]).content.decode()
    assert "张三" in as_qhy.get(reverse("people:person_list"), {"q": "张"}).content.decode()


def test_an_unknown_or_expired_key_finds_nobody(as_qhy, zhang_san):
    page = as_qhy.get(reverse("people:person_list"), {"s": "not-a-key"}).content.decode()
    assert "张三" not in page and "已过期" in page


def test_another_users_key_finds_nothing(client, as_qhy, ximazhuang_worker, zhang_san):
    location = as_qhy.post(reverse("people:person_search"), {"q": PHONE})["Location"]
    client.force_login(ximazhuang_worker)
    assert "张三" not in client.get(location).content.decode()


def test_the_outsider_finds_nothing_by_number(client, ximazhuang_worker, zhang_san):
    client.force_login(ximazhuang_worker)
    location = client.post(reverse("people:person_search"), {"q": _number(zhang_san)})["Location"]
    assert "张三" not in client.get(location).content.decode()


def test_a_number_in_the_household_search_url_is_refused(as_qhy, household_qhy):
    r = as_qhy.get(reverse("people:household_list"), {"q": PHONE})
    assert r.status_code == 400 and PHONE not in r.content.decode() and "人员" in r.content.decode()
    assert as_qhy.get(reverse("people:household_list"), {"q": "3号楼"}).status_code == 200


def test_the_checkpoint_lookup_takes_the_number_only_in_a_post_body(client, checkpoint_staff, zhang_san):
    client.force_login(checkpoint_staff)
    url = reverse("checkpoints:person_lookup")
    assert client.get(url, {"doc_number": _number(zhang_san)}).status_code == 405
    assert not AuditEntry.objects.filter(action="search").exists()
    assert "张" in client.post(url, {"doc_number": _number(zhang_san)}).content.decode()


# ---------------------------------------------------------------- API


@pytest.fixture
def qhy(api, secrets, qinghuayuan_worker, zhang_san):
    remember(secrets, zhang_san)
    return api(qinghuayuan_worker)


@pytest.mark.parametrize("term", ["id", PHONE])
def test_the_api_refuses_a_number_in_the_query_string(qhy, zhang_san, term):
    term = _number(zhang_san) if term == "id" else term
    r = qhy.get("/api/v1/persons", {"q": term})
    assert r.status_code == 422 and "POST /api/v1/persons/search" in r.json()["errors"]["q"][0]
    assert not AuditEntry.objects.filter(action="search").exists()


@pytest.mark.parametrize("term", ["id", PHONE, "zs", "张"])
def test_the_api_searches_by_post_with_the_term_in_the_body(qhy, zhang_san, term):
    term = _number(zhang_san) if term == "id" else term
    r = qhy.post("/api/v1/persons/search", {"q": term})
    assert r.status_code == 200 and [p["id"] for p in r.json()["items"]] == [zhang_san.pk]
    assert AuditEntry.objects.get(action="search").detail["via"] == "api"


def test_the_api_post_search_is_scoped(api, secrets, ximazhuang_worker, zhang_san):
    remember(secrets, zhang_san)
    r = api(ximazhuang_worker).post("/api/v1/persons/search", {"q": _number(zhang_san)})
    assert r.status_code == 200 and r.json()["items"] == []


def test_the_api_refuses_a_number_in_the_household_search(qhy, household_qhy):
    r = qhy.get("/api/v1/households", {"q": PHONE})
    assert r.status_code == 422 and "q" in r.json()["errors"]


def test_the_exports_refuse_a_number_in_the_url(as_qhy, zhang_san):
    for url in (reverse("people:person_export"), reverse("ledgers:household_export")):
        r = as_qhy.get(url, {"q": PHONE})
        assert r.status_code == 400 and PHONE not in r.content.decode(), url
        assert not r.get("Content-Type", "").startswith("application/vnd.openxmlformats")
