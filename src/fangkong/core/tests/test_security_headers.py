"""Headers on every answer: no caching of anything that may show personal data,
a Content-Security-Policy that allows no inline script, Referrer-Policy,
nosniff, Permissions-Policy; static files keep their cache. And the templates
hold nothing the policy would block (inline scripts, on...= handlers,
javascript: links)."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from conftest import login

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in (p.strip() for p in policy.split(";")) if d}


def assert_private(response):
    assert response["Cache-Control"] == "no-store"
    csp = directives(response)
    assert csp["script-src"] == ["'self'"]
    assert csp["default-src"] == ["'self'"] and csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]


@pytest.mark.parametrize(
    "name",
    [
        "accounts:home",
        "people:person_list",
        "people:household_list",
        "ledgers:import",
        "followups:today",
        "screening:arrival_list",
        "audit:list",
    ],
)
def test_a_signed_in_users_pages_are_never_stored(client, county_officer, name):
    response = login(client, county_officer).get(reverse(name))
    assert response.status_code in (200, 403)
    assert_private(response)


def test_htmx_fragments_errors_and_downloads_are_never_stored_either(client, qinghuayuan_worker, zhang_san):
    c = login(client, qinghuayuan_worker)
    assert_private(c.get(reverse("people:person_detail", args=[zhang_san.pk]), HTTP_HX_REQUEST="true"))
    assert_private(c.get("/people/999999999/"))
    assert_private(c.get(reverse("ledgers:template", args=["people"])))


def test_api_answers_are_never_stored(client, qinghuayuan_worker):
    c = login(client, qinghuayuan_worker)
    for path in ("/api/v1/persons", "/api/v1/no-such-thing", "/api/v1/openapi.json"):
        assert_private(c.get(path))
    assert_private(client.get("/api/v1/persons", HTTP_AUTHORIZATION="Bearer nope"))


def test_anonymous_pages_are_not_stored_and_carry_the_policy(client):
    assert_private(client.get(reverse("accounts:login")))


def test_static_files_keep_their_cache(client):
    response = client.get("/static/js/fangkong.js")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_the_api_docs_page_works_offline_under_the_policy(client, qinghuayuan_worker):
    response = login(client, qinghuayuan_worker).get("/api/v1/docs")
    html = response.content.decode()
    assert response.status_code == 200
    assert_private(response)
    assert "http://" not in html and "https://" not in html  # nothing from a CDN
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", html)


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I), "inline <script>"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "on...= handler"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_no_template_has_what_the_policy_blocks():
    found = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        for pattern, what in INLINE:
            found += [f"{path.relative_to(TEMPLATES)}: {what}: {m.group(0)}" for m in pattern.finditer(text)]
    assert not found, "\n".join(found)


def test_the_favicon_is_served_not_a_404(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert "public" in response["Cache-Control"]
    assert client.get("/static/favicon.svg").status_code == 200
    assert 'rel="icon"' in client.get(reverse("accounts:login")).content.decode()
