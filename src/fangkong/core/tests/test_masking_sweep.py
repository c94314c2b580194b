"""The masking sweep: as the city (hq) and county (淇滨区) users of the demo
city, crawl every page reachable by links from the home page (bounded), every
export download and every JSON API GET path, and find no full ID number or
phone of any generated person, and no ID number that a masked one and a date
shown beside it rebuild (core/tests/leaks.py)."""

from __future__ import annotations

import re
from collections import deque
from html import unescape
from urllib.parse import urldefrag, urlsplit

import pytest
from django.test import Client

from fangkong.lib import vault

from .leaks import leaks, xlsx_text
from .sweep_world import build_world, fill, key_of, url_patterns

MAX_PAGES = 400  # per user
MAX_PER_SHAPE = 4  # URLs of one shape (ids as N; query strings counted too): breadth before depth
# Pages that show a person's identity: the crawl must reach each of them.
MUST_REACH = [
    "/people/N/",
    "/people/households/N/",
    "/checkpoints/passages/N/",
    "/screening/arrivals/N/",
    "/screening/returnees/N/",
    "/followups/N/",
    "/followups/referrals/N/",
    "/followups/deliveries/N/",
    "/checkpoints/N/passages/",
    "/screening/campaigns/N/households/",
]
SKIP = ("/logout/", "/admin/", "/api/", "/static/", "/i18n/", "/report/")
LINK = re.compile(r"""(?:href|hx-get|data-href)\s*=\s*["']([^"']+)["']""")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

SEED_KINDS = {
    "people:person_detail": "person",
    "people:household_detail": "household",
    "checkpoints:passage": "passage",
    "screening:arrival_detail": "arrival",
    "screening:returnee_detail": "returnee",
    "followups:detail": "followup",
    "followups:referral_detail": "referral",
    "followups:delivery_detail": "delivery",
    "checkpoints:passages": "checkpoint",
    "screening:campaign_households": "campaign",
}
# Export pages by route name → kind of object in their URL (sweep_world)
EXPORT_KINDS = {"checkpoints:passage_export": {"pk": "checkpoint"}, "ledgers:job_errors_export": {"pk": "job"}}


def _secrets() -> set[str]:
    """Every full ID number and phone stored anywhere (persons, passages, arrivals)."""
    from django.apps import apps

    out: set[str] = set()
    for model in apps.get_models():
        fields = [f for f in ("doc_cipher", "phone_cipher") if any(x.name == f for x in model._meta.fields)]
        for row in model.objects.values_list(*fields) if fields else ():
            out.update(v for v in (vault.decrypt(c) for c in row if c) if v and len(v) >= 7)
    return out


def _text(response) -> str:
    if response.get("Content-Type", "").startswith(XLSX):
        return xlsx_text(response.content)
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return unescape(response.content.decode("utf-8", "replace"))


def _links(html: str) -> list[str]:
    out = []
    for raw in LINK.findall(html):
        url = urldefrag(unescape(raw))[0]
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith(SKIP):
            continue
        out.append(url)
    return out


def _shape(url: str) -> str:
    return re.sub(r"\d+", "N", urlsplit(url).path)


def _crawl(client: Client, secrets: set[str], start: list[str]) -> tuple[set[str], list]:
    seen: set[str] = set()
    per_shape: dict[str, int] = {}
    queue = deque(start)
    problems, reached = [], set()
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        shape = _shape(url)
        if url in seen or per_shape.get(shape, 0) >= MAX_PER_SHAPE:
            continue
        seen.add(url)
        per_shape[shape] = per_shape.get(shape, 0) + 1
        response = client.get(url)
        if response.status_code >= 500:
            problems.append((url, response.status_code))
            continue
        if response.status_code != 200:
            continue
        reached.add(shape)
        text = _text(response)
        problems += [(url, leak) for leak in leaks(text, secrets)]
        if "html" in response.get("Content-Type", ""):
            queue.extend(link for link in _links(text) if link not in seen)
    return reached, problems


@pytest.mark.django_db
def test_no_page_export_or_api_answer_shows_or_rebuilds_a_full_number(hebi):
    world = build_world()
    secrets = _secrets()
    assert len(secrets) > 300  # the demo city's persons, passages and arrivals
    problems = []
    for username in ("hq", "qibin"):  # the city and the county (淇滨区)
        problems += [(username, *p) for p in _sweep(world, secrets, username)]
    assert not problems, problems


def _sweep(world, secrets: set[str], username: str) -> list:
    from fangkong.accounts.models import User
    from fangkong.accounts.services import token_create

    user = User.objects.get(username=username)
    client = Client()
    client.force_login(user)

    exports = [
        fill(route, {p: key_of(world, k) for p, k in EXPORT_KINDS.get(name, {}).items()})
        for name, route, params in url_patterns()
        if "export" in name and all(p in EXPORT_KINDS.get(name, {}) for p in params)
    ]
    assert len(exports) >= 8, exports
    # The home page first; then the detail page of one object of each kind (a
    # list of today's passages, say, may hold none to follow a link from).
    seeds = [
        fill(route, {"pk": key_of(world, SEED_KINDS[name])}) for name, route, _p in url_patterns() if name in SEED_KINDS
    ]
    reached, problems = _crawl(client, secrets, ["/", *seeds])
    missing = set(MUST_REACH) - reached
    assert not missing, missing  # the crawl really went through the app
    downloaded = 0
    for url in exports:
        response = client.get(url)
        assert response.status_code in (200, 403, 404), (url, response.status_code)  # audit: audit.view only
        if response.status_code == 200:
            downloaded += 1
            problems += [(url, leak) for leak in leaks(_text(response), secrets)]
    assert downloaded >= len(exports) - 2, exports

    _token, raw = token_create(user=user, name="sweep")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    doc = api.get("/api/v1/openapi.json").json()
    kinds = {
        "household_id": "household",
        "person_id": "person",
        "checkpoint_id": "checkpoint",
        "followup_id": "followup",
        "referral_id": "referral",
        "delivery_id": "delivery",
        "arrival_id": "arrival",
        "campaign_id": "campaign",
        "returnee_id": "returnee",
        "code": "division",
    }
    answered = 0
    for path, item in doc["paths"].items():
        if "get" not in item or path.endswith(("/openapi.json", "/docs")):
            continue
        params = re.findall(r"{(\w+)}", path)
        url = path
        for p in params:
            url = url.replace("{" + p + "}", key_of(world, kinds[p]))
        response = api.get(url)
        assert response.status_code < 500, (url, response.status_code)
        if response.status_code == 200:
            answered += 1
            problems += [(url, leak) for leak in leaks(_text(response), secrets)]
    assert answered >= 20, answered
    return problems
