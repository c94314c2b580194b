"""Every ``next`` a view redirects to is a local path (core.redirects.safe_next)."""

import pytest
from django.test import RequestFactory

from fangkong.core.redirects import safe_next

OUTSIDE = [
    "https://evil.example/x",
    "//evil.example/x",
    "/\\evil.example/x",
    "\\\\evil.example",
    "http:/evil.example",
    "javascript:alert(1)",
    " https://evil.example/x",
    "evil.example/x",
    "",
]


@pytest.mark.parametrize("nxt", OUTSIDE)
def test_a_next_off_this_site_falls_back_to_the_default(nxt):
    request = RequestFactory().post("/x/", {"next": nxt})
    assert safe_next(request, "/approvals/") == "/approvals/"


def test_a_local_path_is_followed_from_the_body_or_the_query():
    assert safe_next(RequestFactory().post("/x/", {"next": "/followups/?state=due"}), "/") == "/followups/?state=due"
    assert safe_next(RequestFactory().get("/x/", {"next": "/followups/today/"}), "/") == "/followups/today/"


def test_the_default_may_be_a_url_name():
    assert safe_next(RequestFactory().post("/x/", {"next": "https://evil.example"}), "approvals:list") == "/approvals/"
