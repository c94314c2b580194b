import pytest
from django.test import Client

from conftest import QIBIN, QINGHUAYUAN, TAISHANLU, XIMAZHUANG, XUNXIAN
from fangkong.accounts.services import token_create

URL = "/api/v1/divisions"


def api(user) -> Client:
    _token, raw = token_create(user=user, name="pytest")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_a_division_comes_with_its_counts_and_ancestors(qinghuayuan_worker, zhang_san):
    r = api(qinghuayuan_worker).get(f"{URL}/{QINGHUAYUAN}")
    assert r.status_code == 200
    body = r.json()
    assert body["short_name"] == "清华园社区" and body["level"] == "community" and body["parent_code"] == TAISHANLU
    assert body["person_count"] == 1 and body["household_count"] == 1
    assert [a["short_name"] for a in body["ancestors"]] == ["鹤壁市", "淇滨区", "泰山路街道"]
    assert body["child_count"] == 2  # the two grids


def test_children_are_listed(county_officer):
    r = api(county_officer).get(f"{URL}/{QIBIN}/children")
    assert r.status_code == 200
    children = r.json()
    assert children and all(c["parent_code"] == QIBIN and c["level"] == "township" for c in children)
    assert TAISHANLU in [c["code"] for c in children]


def test_outsider_gets_404(ximazhuang_worker):
    client = api(ximazhuang_worker)
    assert client.get(f"{URL}/{QINGHUAYUAN}").status_code == 404
    assert client.get(f"{URL}/{QIBIN}/children").status_code == 404
    assert client.get(f"{URL}/{XUNXIAN}").status_code == 404  # above the jurisdiction
    assert client.get(f"{URL}/{XIMAZHUANG}").status_code == 200


@pytest.mark.parametrize("code", ["999999", "4106x", "4106" + "0" * 40, "41061100500"])
def test_a_missing_or_malformed_code_is_404(hq_officer, code):
    assert api(hq_officer).get(f"{URL}/{code}").status_code == 404


def test_search_stays_in_the_jurisdiction(qinghuayuan_worker, hq_officer):
    r = api(hq_officer).get(URL, {"q": "西马庄"})
    assert XIMAZHUANG in [d["code"] for d in r.json()]
    assert api(qinghuayuan_worker).get(URL, {"q": "西马庄"}).json() == []
    assert [d["level"] for d in api(qinghuayuan_worker).get(URL, {"level": "grid"}).json()] == ["grid", "grid"]


def test_search_by_code_prefix_and_level(county_officer):
    r = api(county_officer).get(URL, {"q": TAISHANLU, "level": ["community", "grid"], "limit": 100})
    codes = [d["code"] for d in r.json()]
    assert QINGHUAYUAN in codes and all(c.startswith(TAISHANLU) and len(c) >= 12 for c in codes)


@pytest.mark.parametrize("params", [{"level": "planet"}, {"limit": 0}, {"limit": 101}, {"q": "x" * 51}, {"q": "\x07"}])
def test_bad_search_parameters_are_422(hq_officer, params):
    r = api(hq_officer).get(URL, params)
    assert r.status_code == 422 and r.json()["detail"] == "invalid"


def test_everyone_with_a_jurisdiction_may_browse_it(checkpoint_staff, inspector):
    assert api(checkpoint_staff).get(f"{URL}/{QIBIN}").status_code == 200
    assert api(inspector).get(f"{URL}/4106/children").status_code == 200


def test_without_a_token_it_is_401(hebi):
    assert Client().get(f"{URL}/{QIBIN}").status_code == 401
