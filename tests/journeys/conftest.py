"""Browser fixtures for the journey tests: Playwright's sync API driving Debian's
Chromium (/usr/bin/chromium, never a downloaded browser) against pytest-django's
``live_server``.

Three things here are less obvious than they look:

* The live server needs a transactional database, which pytest-django empties
  after each test. The audit trail is append-only *in the database* (triggers
  from ``audit/triggers.py``), so that flush would fail. ``journey_db``
  lifts those triggers just before the flush, and ``_journeys_restore`` puts
  them and the Hebi division tree back when the journeys are done, so the
  tests that follow on the same worker see the database they expect.

* Playwright's sync API keeps its event loop marked as running in the main
  thread between calls, which Django takes for an async context. The browser
  lives for the whole session, so ``pytest_runtest_protocol`` below shows that
  loop to browser tests only and hides it from every other test.

* Without /usr/bin/chromium the journeys are skipped loudly, or fail when
  FANGKONG_REQUIRE_BROWSER=1 (CI).
"""

from __future__ import annotations

import asyncio
import os
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

import conftest as root

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
VIEWPORTS = {
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 2,
    },
    "desktop": {"viewport": {"width": 1366, "height": 900}},
}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
SKIP_REASON = (
    f"!!! BROWSER JOURNEYS SKIPPED: {CHROMIUM} is missing. Install it with: apt-get install -y chromium fonts-noto-cjk"
)
TIMEOUT_MS = 30_000  # generous: only a failing test waits it out, and shared CI machines stall


def _browser_required() -> bool:
    return os.environ.get("FANGKONG_REQUIRE_BROWSER", "") == "1"


# ---------------------------------------------------------------- Playwright and Django

_playwright: dict = {"pw": None, "loop": None}


def _chromium_available() -> bool:
    return os.access(CHROMIUM, os.X_OK)


@contextmanager
def _orm_allowed_in_loop():
    old = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = old


def _close_loop_connections() -> None:
    """Close the database connections Django handed out while Playwright's loop
    was marked as running (asgiref keeps them apart from the thread's own)."""
    from django.db import connections

    if asyncio._get_running_loop() is not None:
        connections.close_all()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """Around every test of the session (this hook is global).

    Playwright's sync API keeps its event loop marked as running in the main
    thread between calls. Django takes that for an async context: it refuses ORM
    calls, and gives out a second set of database connections. So a browser test
    runs entirely, fixtures included, with the loop marked and the ORM allowed
    (no other async code runs in this thread), and its connections are closed
    at its end; every other test sees no running loop, as if no browser existed.
    Playwright starts here, before the first browser test's fixtures, so that
    all of that test's database work happens on one side."""
    if item.get_closest_marker("browser") is None:
        if _playwright["loop"] is not None and asyncio._get_running_loop() is _playwright["loop"]:
            asyncio._set_running_loop(None)
        return (yield)
    if _chromium_available():
        if _playwright["pw"] is None:
            from playwright.sync_api import sync_playwright

            _playwright["pw"] = sync_playwright().start()
            _playwright["loop"] = asyncio._get_running_loop()
        elif not _playwright["loop"].is_closed():
            asyncio._set_running_loop(_playwright["loop"])
    with _orm_allowed_in_loop():
        try:
            return (yield)
        finally:
            _close_loop_connections()


@pytest.fixture(scope="session")
def browser():
    """Chromium, launched once per test process (each xdist worker has its own)."""
    if not _chromium_available():
        if _browser_required():
            pytest.fail(
                f"FANGKONG_REQUIRE_BROWSER=1 but {CHROMIUM} is missing: the browser journeys cannot run. "
                "Install it with: apt-get install -y chromium fonts-noto-cjk",
                pytrace=False,
            )
        # A warning reaches the xdist controller's summary too (this conftest is not loaded there).
        warnings.warn(pytest.PytestWarning(SKIP_REASON), stacklevel=1)
        pytest.skip(SKIP_REASON)
    from playwright.sync_api import expect

    pw = _playwright["pw"]
    assert pw is not None, "a browser test must be marked @pytest.mark.browser (pytestmark in its module)"
    try:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    except BaseException:
        _stop_playwright()
        raise
    expect.set_options(timeout=TIMEOUT_MS)
    yield chromium
    # Session teardown may run inside a test that is not a browser test, where the loop is hidden.
    asyncio._set_running_loop(_playwright["loop"])
    try:
        chromium.close()
    finally:
        _stop_playwright()


def _stop_playwright() -> None:
    with _orm_allowed_in_loop():
        _close_loop_connections()
    try:
        _playwright["pw"].stop()
    finally:
        _playwright.update(pw=None, loop=None)
        asyncio._set_running_loop(None)


# ---------------------------------------------------------------- the database


def _set_audit_triggers(enabled: bool) -> None:
    """The append-only triggers (audit/triggers.py), lifted or put back."""
    from django.db import connection

    from fangkong.audit.triggers import set_triggers

    set_triggers(connection, enabled)


@pytest.fixture(scope="module", autouse=True)
def _journeys_restore(django_db_setup, django_db_blocker):
    """After this module's journeys (and the flush after the last one) on this
    worker: the audit triggers and the Hebi divisions are back in place."""
    yield
    with django_db_blocker.unblock():
        _set_audit_triggers(True)
        root._ensure_hebi()


@pytest.fixture
def journey_db(live_server, transactional_db):
    """The live server's database for one journey. The Hebi tree is reloaded if
    a previous journey's flush removed it (``hebi`` in the root conftest);
    the audit triggers are lifted just before pytest-django flushes."""
    from django.db import connections

    # Each of the live server's requests closes its database connection when it
    # ends. With DATABASE_URL's CONN_MAX_AGE a keep-alive request thread would
    # hold one until the browser hangs up, racing pytest-django as it drops the
    # PostgreSQL test database at the end of the session.
    settings_dict = connections["default"].settings_dict
    conn_max_age = settings_dict.get("CONN_MAX_AGE", 0)
    settings_dict["CONN_MAX_AGE"] = 0
    _set_audit_triggers(True)
    root._ensure_hebi()
    yield
    settings_dict["CONN_MAX_AGE"] = conn_max_age
    _set_audit_triggers(False)


# ---------------------------------------------------------------- pages


@dataclass
class Journey:
    """One user's browser tab at one viewport, with the few moves every journey needs."""

    page: object
    viewport: str
    base_url: str
    outside_requests: list = field(default_factory=list)
    page_errors: list = field(default_factory=list)
    bad_responses: list = field(default_factory=list)
    layout_problems: list = field(default_factory=list)

    @property
    def phone(self) -> bool:
        return self.viewport == "phone"

    def go(self, path: str):
        return self.page.goto(self.base_url + path)

    def press(self, locator) -> None:
        """Tap on the phone, click on the desktop."""
        if self.phone:
            locator.tap()
        else:
            locator.click()

    def log_in(self, username: str, password: str = root.PASSWORD):
        self.go("/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        with self.page.expect_navigation():
            self.press(self.page.locator("main form button[type=submit]"))

    def shot(self, name: str) -> Path:
        """A full-page screenshot, and on the phone a check that nothing is wider than the screen."""
        if self.phone:
            overflow = self.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 1:
                self.layout_problems.append(f"{name}: the page is {overflow}px wider than the phone screen")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}-{self.viewport}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request):
    return request.param


@pytest.fixture
def open_page(browser, live_server, journey_db, viewport):
    """A factory of fresh browser contexts (one per user) at this test's viewport.

    Every request to anything but the live server is blocked and fails the test:
    the app runs on isolated government networks (no CDN, no fonts from outside)."""
    contexts, journeys = [], []
    server = urlsplit(live_server.url).netloc

    def make() -> Journey:
        ctx = browser.new_context(**VIEWPORTS[viewport], locale="zh-CN", timezone_id="Asia/Shanghai")
        ctx.set_default_timeout(TIMEOUT_MS)
        contexts.append(ctx)
        page = ctx.new_page()
        journey = Journey(page=page, viewport=viewport, base_url=live_server.url)

        def route(r):
            url = r.request.url
            if url.startswith(("data:", "blob:", "about:")) or urlsplit(url).netloc == server:
                r.continue_()
            else:
                journey.outside_requests.append(url)
                r.abort()

        ctx.route("**/*", route)
        page.on("pageerror", lambda exc: journey.page_errors.append(str(exc)))
        page.on(
            "response",
            lambda resp: (
                journey.bad_responses.append(f"{resp.status} {resp.url}")
                if resp.status >= 400 and "/static/" in resp.url
                else None
            ),
        )
        journeys.append(journey)
        return journey

    yield make
    for ctx in contexts:
        ctx.close()
    problems = []
    for j in journeys:
        problems += [f"request outside the app: {u}" for u in j.outside_requests]
        problems += [f"JavaScript error: {e}" for e in j.page_errors]
        problems += [f"static file failed: {r}" for r in j.bad_responses]
        problems += j.layout_problems
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.fixture
def journey(open_page) -> Journey:
    return open_page()
