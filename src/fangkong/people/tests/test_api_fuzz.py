"""Garbage in, never a 500 out: every write endpoint of the API gets nasty
payloads (a fixed list, then hypothesis-generated JSON shaped like the real
bodies, then raw bytes) and must answer 4xx with a reason, or succeed; never
500, never a full ID number or phone in the answer."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import QINGHUAYUAN

from .test_api_support import remember

FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

NASTY_BODIES = [
    b"",
    b"null",
    b"[]",
    b'"x"',
    b"1",
    b"true",
    b"{",
    b'{"name":',
    b"\xff\xfe\x00",
    b"{}" * 3,
    b"[" * 50_000,
    b'{"a":' * 5_000,
    b'{"name": "\\ud800"}',
    b'{"address": "\\udfff", "division_code": "410611005007"}',
    b'{"name": "\\u0000"}',
    b'{"reason": "\\u0000\\u0000"}',
    b'{"name": NaN}',
    b'{"household_id": Infinity}',
    json.dumps({"name": "x" * 1_000_000}).encode(),
    json.dumps({"household_id": 10**30, "head_id": 10**30, "name": "溢出"}).encode(),
    json.dumps({"household_id": -1, "name": "负数"}).encode(),
    json.dumps({"household_id": 1.5, "name": "小数"}).encode(),
    json.dumps({"household_id": True, "name": "布尔"}).encode(),
    json.dumps({"household_id": "1", "name": "字符串"}).encode(),
    json.dumps({"birth_date": "0000-00-00", "name": "日期"}).encode(),
    json.dumps({"birth_date": "9999-12-31", "name": "日期"}).encode(),
    json.dumps({"birth_date": 10**20, "name": "日期"}).encode(),
    json.dumps({"birth_date": "2020-02-30", "name": "日期"}).encode(),
    json.dumps({"tags": "tag_chronic", "name": "标签"}).encode(),
    json.dumps({"tags": [[]], "name": "标签"}).encode(),
    json.dumps({"tags": ["tag_chronic"] * 1000, "name": "标签"}).encode(),
    json.dumps({"division_code": "4106'; DROP TABLE people_person; --", "address": "注入"}).encode(),
    json.dumps({"division_code": "410611005007" * 100, "address": "长"}).encode(),
    json.dumps({"division_code": ["410611005007"], "address": "列表"}).encode(),
    json.dumps({"doc_type": "passport", "doc_number": "../../etc/passwd", "doc_reason": "x", "name": "护照"}).encode(),
    json.dumps({"doc_number": "４１０６１１１９８００１０１００１１", "name": "全角"}).encode(),
    json.dumps({"phone": "+1 212 555 0100", "name": "外国电话"}).encode(),
    json.dumps({"phone": "1" * 1000, "name": "长电话"}).encode(),
    json.dumps({"field": "doc_cipher", "reason": "看看"}).encode(),
    json.dumps({"field": ["phone"], "reason": {"a": 1}}).encode(),
    json.dumps({"sex": None, "name": None, "relation": None}).encode(),
    json.dumps({"__proto__": {"admin": True}}).encode(),
]


def _endpoints(household, person):
    return [
        ("post", "/api/v1/households"),
        ("put", f"/api/v1/households/{household.pk}"),
        ("post", "/api/v1/persons"),
        ("patch", f"/api/v1/persons/{person.pk}"),
        ("post", f"/api/v1/persons/{person.pk}/reveal"),
        ("post", "/api/v1/persons/move"),
    ]


@pytest.fixture
def target(api, secrets, qinghuayuan_worker, household_qhy, zhang_san):
    remember(secrets, zhang_san)
    return api(qinghuayuan_worker), _endpoints(household_qhy, zhang_san)


def _send(client, method, url, body: bytes, content_type="application/json"):
    response = getattr(client.client, method)(url, body, content_type=content_type)
    # A well-formed reveal with a reason is allowed to answer the full value.
    client.check(response, may_reveal=url.endswith("/reveal") and response.status_code == 200)
    assert 200 <= response.status_code < 500
    if response.status_code >= 400:
        assert response["Content-Type"].startswith("application/json"), (url, response.status_code)
        assert response.json()["detail"], "an error without a reason"
    return response


def test_nasty_bodies_never_give_a_500(target):
    client, endpoints = target
    for method, url in endpoints:
        for body in NASTY_BODIES:
            _send(client, method, url, body)


def test_a_body_over_the_upload_limit_is_413(target):
    client, endpoints = target
    body = json.dumps({"name": "x" * (6 * 1024 * 1024)}).encode()
    for method, url in endpoints:
        assert _send(client, method, url, body).status_code == 413


def test_a_form_encoded_body_is_400_not_500(target):
    client, endpoints = target
    for method, url in endpoints:
        r = _send(client, method, url, b"name=%E5%BC%A0&address=x", content_type="application/x-www-form-urlencoded")
        assert r.status_code in (400, 422)


def test_deletes_with_nasty_reasons_never_give_a_500(target, qinghuayuan_worker):
    client, _endpoints = target
    for reason in ["", "%00", "%FF%FE", "x" * 5000, "%F0%9F%98%80" * 100, "a&reason=b"]:
        for url in [
            "/api/v1/persons/999999",
            "/api/v1/households/999999",
            "/api/v1/persons/99999999999999999999999999",
        ]:
            r = client.client.delete(f"{url}?reason={reason}")
            client.check(r)
            assert r.status_code in (400, 404, 422)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)
plausible = {
    "household_id": st.integers(min_value=-2, max_value=10**20),
    "head_id": st.integers(min_value=-2, max_value=10**20),
    "division_code": st.sampled_from([QINGHUAYUAN, f"{QINGHUAYUAN}001", "4106", "410621002216", "", "x"])
    | st.text(alphabet="0123456789", max_size=16),
    "name": st.text(max_size=60),
    "address": st.text(max_size=210),
    "note": st.text(max_size=210),
    "doc_type": st.sampled_from(["ric", "passport", "hk_macau", "taiwan", "other", "none", "RIC", ""]),
    "doc_number": st.text(alphabet="0123456789Xx- ", max_size=20) | st.text(max_size=40),
    "doc_reason": st.text(max_size=30),
    "phone": st.text(alphabet="0123456789+- ", max_size=16),
    "sex": st.sampled_from(["M", "F", "U", "m", "", "X"]),
    "birth_date": st.dates().map(str) | st.text(max_size=12),
    "relation": st.sampled_from(["", "head", "spouse", "child", "boss"]),
    "occupation": st.text(max_size=60),
    "tags": st.lists(st.sampled_from(["tag_chronic", "tag_disabled", "tag_x"]), max_size=6),
    "field": st.sampled_from(["doc_number", "phone", "name", ""]),
    "reason": st.text(max_size=20),
}
shaped_bodies = st.fixed_dictionaries({}, optional={k: v | json_values for k, v in plausible.items()})


@FUZZ
@given(body=shaped_bodies | json_values)
def test_generated_json_bodies_never_give_a_500(target, body):
    client, endpoints = target
    raw = json.dumps(body).encode()
    for method, url in endpoints:
        _send(client, method, url, raw)


@FUZZ
@given(body=st.binary(max_size=200))
def test_generated_raw_bodies_never_give_a_500(target, body):
    client, endpoints = target
    for method, url in endpoints:
        _send(client, method, url, body)


def test_nothing_is_half_saved(target):
    """After every kind of garbage, the maintained counts still match the rows."""
    from fangkong.people.models import Household, Person
    from fangkong.regions.models import Division

    client, endpoints = target
    for method, url in endpoints:
        for body in NASTY_BODIES:
            _send(client, method, url, body)
    for code in ("4106", "410611", "410611005", QINGHUAYUAN):
        division = Division.objects.get(code=code)
        assert division.person_count == Person.objects.under(code).count()
        assert division.household_count == Household.objects.under(code).count()
