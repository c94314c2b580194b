import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from conftest import QINGHUAYUAN
from fangkong.accounts.models import ApiToken
from fangkong.accounts.services import token_create, token_revoke
from fangkong.audit.models import AuditEntry

ME = "/api/v1/accounts/me"


def bearer(raw: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


# ---------------------------------------------------------------- tokens


def test_a_token_authenticates(qinghuayuan_worker):
    _token, raw = token_create(user=qinghuayuan_worker, name="手机")
    r = bearer(raw).get(ME)
    assert r.status_code == 200
    assert r.json()["username"] == "qinghuayuan_worker"
    assert r.json()["assignments"] == [{"role": "grid", "division_code": QINGHUAYUAN, "division_name": "清华园社区"}]
    assert ApiToken.objects.get(name="手机").last_used_at is not None


def test_a_revoked_token_is_401(qinghuayuan_worker):
    token, raw = token_create(user=qinghuayuan_worker, name="旧手机")
    token_revoke(user=qinghuayuan_worker, token=token)
    assert bearer(raw).get(ME).status_code == 401


def test_an_expired_token_is_401(qinghuayuan_worker):
    token, raw = token_create(user=qinghuayuan_worker, name="过期")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert bearer(raw).get(ME).status_code == 401


def test_a_deactivated_users_token_is_401(qinghuayuan_worker):
    _token, raw = token_create(user=qinghuayuan_worker, name="离职")
    qinghuayuan_worker.is_active = False
    qinghuayuan_worker.save(update_fields=["is_active"])
    assert bearer(raw).get(ME).status_code == 401


@pytest.mark.parametrize(
    "header", ["Bearer garbage", "Bearer ", "Bearer fk_" + "x" * 500, "Basic dXNlcjpwYXNz", "fk_abc", "Bearer 令牌"]
)
def test_a_garbage_token_is_401(hebi, header):
    r = Client(HTTP_AUTHORIZATION=header).get(ME)
    assert r.status_code == 401 and r.json() == {"detail": "authentication required"}


def test_no_credentials_is_401_on_every_endpoint(hebi):
    client = Client()
    for method, url in [
        ("get", "/api/v1/persons"),
        ("post", "/api/v1/persons"),
        ("get", "/api/v1/persons/1"),
        ("patch", "/api/v1/persons/1"),
        ("delete", "/api/v1/persons/1"),
        ("post", "/api/v1/persons/1/reveal"),
        ("post", "/api/v1/persons/move"),
        ("get", "/api/v1/households"),
        ("post", "/api/v1/households"),
        ("put", "/api/v1/households/1"),
        ("delete", "/api/v1/households/1"),
        ("get", "/api/v1/divisions"),
        ("get", "/api/v1/divisions/4106"),
        ("get", "/api/v1/accounts/tokens"),
    ]:
        assert getattr(client, method)(url).status_code == 401, (method, url)


def test_a_bad_header_wins_over_a_session(client, qinghuayuan_worker):
    client.force_login(qinghuayuan_worker)
    assert client.get(ME, HTTP_AUTHORIZATION="Bearer garbage").status_code == 401


def test_i_can_list_and_revoke_my_tokens(qinghuayuan_worker, county_officer):
    mine, raw = token_create(user=qinghuayuan_worker, name="手机")
    other, _ = token_create(user=qinghuayuan_worker, name="电脑")
    theirs, _ = token_create(user=county_officer, name="别人的")
    client = bearer(raw)
    listed = client.get("/api/v1/accounts/tokens").json()
    assert {t["name"]: t["current"] for t in listed} == {"手机": True, "电脑": False}
    assert all(set(t) >= {"prefix", "expires_at", "usable"} and "key_hash" not in t for t in listed)
    assert client.delete(f"/api/v1/accounts/tokens/{theirs.pk}").status_code == 404
    assert ApiToken.objects.get(pk=theirs.pk).revoked_at is None
    assert client.delete(f"/api/v1/accounts/tokens/{other.pk}").status_code == 204
    assert ApiToken.objects.get(pk=other.pk).revoked_at is not None
    assert AuditEntry.objects.filter(action="token", actor=qinghuayuan_worker, detail__op="revoke").exists()
    assert client.delete(f"/api/v1/accounts/tokens/{mine.pk}").status_code == 204
    assert client.get(ME).status_code == 401  # it revoked itself


def test_a_huge_token_id_is_404(qinghuayuan_worker):
    _t, raw = token_create(user=qinghuayuan_worker, name="手机")
    assert bearer(raw).delete("/api/v1/accounts/tokens/99999999999999999999999").status_code == 404


# ---------------------------------------------------------------- sessions


def test_a_logged_in_session_works(client, qinghuayuan_worker):
    client.force_login(qinghuayuan_worker)
    assert client.get(ME).json()["username"] == "qinghuayuan_worker"


def test_a_session_write_needs_the_csrf_token(qinghuayuan_worker, household_qhy):
    client = Client(enforce_csrf_checks=True)
    client.force_login(qinghuayuan_worker)
    body = {"division_code": QINGHUAYUAN, "address": "泰山路20号"}
    r = client.post("/api/v1/households", body, content_type="application/json")
    assert r.status_code == 403 and "CSRF" in r.json()["detail"]
    client.get("/api/v1/docs")  # sets the CSRF cookie, as the docs page does for a signed-in user
    token = client.cookies["csrftoken"].value
    r = client.post("/api/v1/households", body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert r.status_code == 201


def test_a_token_write_needs_no_csrf_token(qinghuayuan_worker):
    _t, raw = token_create(user=qinghuayuan_worker, name="手机")
    client = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {raw}")
    r = client.post(
        "/api/v1/households", {"division_code": QINGHUAYUAN, "address": "泰山路21号"}, content_type="application/json"
    )
    assert r.status_code == 201


# ---------------------------------------------------------------- OpenAPI and docs


def test_the_openapi_document_lists_the_endpoints(hebi):
    r = Client().get("/api/v1/openapi.json")
    assert r.status_code == 200
    doc = r.json()
    paths = doc["paths"]
    for p in [
        "/api/v1/divisions",
        "/api/v1/divisions/{code}",
        "/api/v1/divisions/{code}/children",
        "/api/v1/households",
        "/api/v1/households/{household_id}",
        "/api/v1/persons",
        "/api/v1/persons/{person_id}",
        "/api/v1/persons/{person_id}/reveal",
        "/api/v1/persons/move",
        "/api/v1/accounts/me",
        "/api/v1/accounts/tokens",
        "/api/v1/accounts/tokens/{token_id}",
    ]:
        assert p in paths, p
    assert set(paths["/api/v1/persons/{person_id}"]) == {"get", "patch", "delete"}
    assert "409" in paths["/api/v1/persons"]["post"]["responses"]
    assert doc["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"
    person_fields = set(doc["components"]["schemas"]["PersonDetailOut"]["properties"])
    assert "doc_masked" in person_fields and not any("cipher" in f or "index" in f for f in person_fields)


def test_the_docs_page_loads_nothing_from_outside(hebi):
    r = Client().get("/api/v1/docs")
    assert r.status_code == 200
    html = r.content.decode()
    assert "swagger-ui" in html
    assert not re.search(r"(?i)(https?:)?//[a-z0-9.-]+\.[a-z]", html), "an external URL in the docs page"
    refs = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert refs and all(ref.startswith("/api/v1/") for ref in refs)
    for ref in refs:
        asset = Client().get(ref)
        assert asset.status_code == 200, ref
        assert b"".join(asset.streaming_content)
    assert '"validatorUrl": null' in html


def test_an_unknown_api_path_is_a_json_404(hebi):
    for url in ["/api/v1/nothing", "/api/v1/persons/abc", "/api/v1/persons/1/x", "/api/v1/"]:
        r = Client().get(url)
        assert r.status_code == 404 and r.json()["detail"], url


def test_the_docs_assets_are_only_swaggers(hebi):
    assert Client().get("/api/v1/docs/assets/..%2F..%2Fsettings.py").status_code == 404
    assert Client().get("/api/v1/docs/assets/redoc.standalone.js").status_code == 404


def test_the_docs_page_sends_the_csrf_token_for_a_signed_in_user(client, qinghuayuan_worker):
    client.force_login(qinghuayuan_worker)
    html = client.get("/api/v1/docs").content.decode()
    assert re.search(r'data-csrf-token="[A-Za-z0-9]{20,}"', html)
