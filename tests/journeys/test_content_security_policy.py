"""Every page still works under the Content-Security-Policy (no inline script):
a crawl of the pages several roles see reports no policy violation, in the
console or as a ``securitypolicyviolation`` event; the htmx interactions of the
checkpoint registration page, the language switch (once an inline onchange)
and the API docs (Swagger UI from our own server) work."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import expect

import conftest as root

pytestmark = pytest.mark.browser

WATCH = """
document.addEventListener("securitypolicyviolation", function (e) {
  var seen = JSON.parse(sessionStorage.getItem("csp-violations") || "[]");
  seen.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " at " + e.sourceFile + ":" + e.lineNumber
            + " on " + location.pathname);
  sessionStorage.setItem("csp-violations", JSON.stringify(seen));
});
"""
# Links a crawl must not follow: downloads, sign-out, writes behind GET-looking links.
SKIP = ("/logout", "/i18n/", "export", ".xlsx", "/template", "/errors", "/admin/logout")
PER_PAGE = 4  # links followed from each page of the main menu


@pytest.fixture
def viewport():
    return "desktop"  # the policy is the same on every screen; phone layout is tested elsewhere


@pytest.fixture
def world(hq_officer, county_officer, checkpoint_staff, qinghuayuan_worker, sysadmin, zhang_san):
    from fangkong.checkpoints.services import checkpoint_create, shift_create

    sysadmin.is_staff = sysadmin.is_superuser = True
    sysadmin.save(update_fields=["is_staff", "is_superuser"])
    now = timezone.now()
    cp = checkpoint_create(
        actor=hq_officer,
        level="city",
        division_code=root.QIBIN,
        name="鹤壁东站",
        kind="railway_station",
        location="高铁站出站口",
    )
    shift_create(
        actor=county_officer,
        checkpoint=cp,
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=7),
        staff_ids=[checkpoint_staff.pk],
        volunteers="",
    )
    return {"checkpoint": cp}


class Watch:
    def __init__(self, journey):
        self.journey = journey
        self.console: list[str] = []
        page = journey.page
        page.context.add_init_script(WATCH)
        page.on(
            "console",
            lambda m: (
                self.console.append(f"{m.type}: {m.text}")
                if m.type == "error" and ("Content Security Policy" in m.text or "Refused to" in m.text)
                else None
            ),
        )
        # the icon browsers ask for on every page is there (it was a 404 everywhere)
        page.on(
            "response",
            lambda r: self.console.append(f"{r.status} {r.url}") if "favicon" in r.url and r.status >= 400 else None,
        )

    def violations(self) -> list[str]:
        events = self.journey.page.evaluate('JSON.parse(sessionStorage.getItem("csp-violations") || "[]")')
        return self.console + events


def crawl(journey, start: str = "/") -> set[str]:
    """The start page, every link of the main menu, and a few links from each."""
    page, host = journey.page, urlsplit(journey.base_url).netloc
    seen: set[str] = set()

    def links(selector: str) -> list[str]:
        found = []
        for href in page.eval_on_selector_all(selector, "els => els.map(e => e.href)"):
            url = urlsplit(href)
            if url.netloc != host or any(s in url.path for s in SKIP):
                continue
            path = url.path + (f"?{url.query}" if url.query else "")
            if path not in seen and path not in found:
                found.append(path)
        return found

    def visit(path: str) -> bool:
        seen.add(path)
        response = journey.go(path)
        assert response is not None and response.status < 500, f"{path}: {response and response.status}"
        return response.ok

    visit(start)
    for path in links("nav.mainnav a"):
        if visit(path):
            for sub in links("main a[href]")[:PER_PAGE]:
                visit(sub)
    return seen


@pytest.mark.parametrize("username", ["hq_officer", "qibin_officer", "qinghuayuan_worker", "checkpoint_staff"])
def test_the_pages_a_role_sees_report_no_policy_violation(open_page, world, username):
    journey = open_page()
    watch = Watch(journey)
    journey.log_in(username)
    seen = crawl(journey)
    assert len(seen) >= 4
    assert watch.violations() == []


def test_htmx_and_the_moved_handlers_work_under_the_policy(open_page, world):
    journey = open_page()
    watch = Watch(journey)
    journey.log_in("checkpoint_staff")
    page = journey.page
    journey.go(f"/checkpoints/{world['checkpoint'].pk}/register/")
    # htmx: the destination search answers as one types
    page.locator("#id_destination_text").press_sequentially("清华园")
    pick = page.locator("#dest-results button.pick", has_text="清华园社区")
    expect(pick).to_be_visible()
    journey.press(pick)
    expect(page.locator("#id_destination")).to_have_value(root.QINGHUAYUAN)
    # the language switch submits its form on change (data-autosubmit, no inline onchange)
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    with page.expect_navigation():
        page.select_option("select[name=language]", "zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    assert watch.violations() == []


def test_the_api_docs_work_offline_under_the_policy(open_page, world):
    journey = open_page()
    watch = Watch(journey)
    journey.log_in("qinghuayuan_worker")
    journey.go("/api/v1/docs")
    expect(journey.page.locator("#swagger-ui .opblock").first).to_be_visible()
    assert watch.violations() == []


def test_the_admin_works_under_the_policy(open_page, world):
    journey = open_page()
    watch = Watch(journey)
    journey.log_in("sysadmin")
    seen = crawl(journey, "/admin/")
    for path in ("/admin/regions/division/", "/admin/accounts/user/", "/admin/accounts/user/add/"):
        assert journey.go(path).ok
    assert len(seen) >= 1
    assert watch.violations() == []


def test_the_public_pages_work_under_the_policy(open_page, world):
    journey = open_page()
    watch = Watch(journey)
    page = journey.page
    journey.go("/login/")
    journey.go("/report/")
    # htmx: choosing a county loads its townships
    page.select_option("#id_county", root.QIBIN)
    expect(page.locator("#id_township option")).not_to_have_count(1)
    assert page.locator("#id_township option").count() > 1
    assert watch.violations() == []
