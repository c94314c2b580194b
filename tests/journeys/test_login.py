"""Logging in through the real form: a wrong password, then the lockout."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD

pytestmark = pytest.mark.browser


def attempt(journey, username: str, password: str) -> None:
    page = journey.page
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        journey.press(page.locator("main form button[type=submit]"))


def test_a_wrong_password_keeps_the_username_and_five_in_a_row_lock_the_account(journey, qinghuayuan_worker):
    page = journey.page
    journey.go("/login/")
    journey.shot("login")

    attempt(journey, "qinghuayuan_worker", "not-the-password")
    expect(page.locator("[role=alert]")).to_contain_text("密码")
    expect(page.locator("#id_username")).to_have_value("qinghuayuan_worker")
    expect(page.locator("#id_password")).to_have_value("")
    journey.shot("login-error")

    # The right password still works after a slip (and resets the count).
    attempt(journey, "qinghuayuan_worker", PASSWORD)
    expect(page.locator(".userbox")).to_contain_text("清华园张")
    with page.expect_navigation():
        journey.press(page.locator(".userbox button[type=submit]"))
    expect(page.locator("#id_username")).to_be_visible()

    for _ in range(4):
        attempt(journey, "qinghuayuan_worker", "wrong-password")
        expect(page.locator("[role=alert]")).to_be_visible()
    attempt(journey, "qinghuayuan_worker", "wrong-password")
    expect(page.locator("h1")).to_have_text("账号已锁定")
    journey.shot("locked-out")

    # Locked: not even the right password gets in.
    journey.go("/login/")
    attempt(journey, "qinghuayuan_worker", PASSWORD)
    expect(page.locator("h1")).to_have_text("账号已锁定")
    journey.go("/people/")
    assert "/login/" in page.url
