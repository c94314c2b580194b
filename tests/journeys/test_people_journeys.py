"""A grid worker finds a resident by pinyin, reveals the ID number for a stated
reason, the inspector sees that in the audit trail, and a worker of another
county can reach the resident neither by URL nor by search."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

import conftest as root

pytestmark = pytest.mark.browser

REASON = "核实返乡人员身份"
MASKED_ID = re.compile(r"^\d{6}\*{8}\d{3}[\dX]$")


def full_id(person) -> str:
    from fangkong.lib import vault

    return vault.decrypt(person.doc_cipher)


def csrf_token(journey) -> str:
    return next(c["value"] for c in journey.page.context.cookies() if c["name"] == "csrftoken")


def search(journey, query: str) -> None:
    page = journey.page
    page.fill("#f-q", query)
    with page.expect_navigation():
        journey.press(page.locator("form[role=search] button[type=submit]"))


def test_grid_worker_finds_by_pinyin_reveals_the_id_and_the_inspector_sees_it(open_page, zhang_san, inspector):
    number = full_id(zhang_san)
    worker = open_page()
    worker.log_in("qinghuayuan_worker")
    worker.shot("home")

    worker.go("/people/")
    search(worker, "zs")
    results = worker.page.locator("#person-results")
    expect(results.get_by_role("link", name="张三")).to_be_visible()
    expect(results).not_to_contain_text(number)
    search(worker, "zhangsan")
    expect(results.get_by_role("link", name="张三")).to_be_visible()
    worker.shot("person-search")

    with worker.page.expect_navigation():
        worker.press(results.get_by_role("link", name="张三"))
    page = worker.page
    expect(page.locator("h1")).to_contain_text("张三")
    masked = page.locator("#doc-masked").inner_text().strip()
    assert MASKED_ID.match(masked), masked
    assert masked[:6] == number[:6] and masked[-4:] == number[-4:]
    expect(page.locator("main")).not_to_contain_text(number)
    worker.shot("person-detail")

    worker.press(page.locator("#reveal-doc_number summary"))
    page.fill("#reason-doc_number", REASON)
    worker.shot("person-reveal-form")
    worker.press(page.locator("#reveal-doc_number button[type=submit]"))
    revealed = page.locator(".revealed[data-field=doc_number]")
    expect(revealed).to_have_text(number)
    assert page.url.endswith(f"/people/{zhang_san.pk}/"), "htmx swaps the result in; the page stays"
    worker.shot("person-revealed")

    auditor = open_page()
    auditor.log_in("city_inspector")
    auditor.go("/audit/")
    auditor.page.select_option("#f-action", "reveal")
    with auditor.page.expect_navigation():
        auditor.press(auditor.page.locator("main form button[type=submit]"))
    rows = auditor.page.locator("tr.audit-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("查看完整信息")
    expect(rows.first).to_contain_text(REASON)
    expect(rows.first).to_contain_text("qinghuayuan_worker")
    expect(rows.first).to_contain_text(str(zhang_san.pk))
    expect(auditor.page.locator("main")).not_to_contain_text(number)
    auditor.shot("audit-list")


def test_worker_of_another_county_reaches_the_person_neither_by_url_nor_by_search(
    open_page, zhang_san, household_xmz, ximazhuang_worker
):
    from fangkong.people.services import person_create

    # Someone of their own whose initials are also "zs", so that an empty list proves nothing.
    person_create(
        user=ximazhuang_worker,
        household=household_xmz,
        name="赵帅",
        relation="head",
        doc_number=root.new_resident_id(root.XUNXIAN, dt.date(1990, 3, 3), "M"),
    )
    number = full_id(zhang_san)
    outsider = open_page()
    outsider.log_in("ximazhuang_worker")

    response = outsider.go(f"/people/{zhang_san.pk}/")
    assert response.status == 404
    expect(outsider.page.locator("h1")).to_have_text("未找到")
    expect(outsider.page.locator("main")).not_to_contain_text("张三")
    outsider.shot("not-found")

    outsider.go("/people/")
    results = outsider.page.locator("#person-results")
    search(outsider, number)
    assert number not in outsider.page.url, "searched by POST: the number is in no URL"
    expect(results).to_contain_text("没有找到符合条件的人员")
    expect(results).not_to_contain_text("张三")
    search(outsider, "zs")
    expect(results.get_by_role("link", name="赵帅")).to_be_visible()
    expect(results).not_to_contain_text("张三")
    outsider.shot("outsider-search")

    response = outsider.page.request.post(
        outsider.base_url + f"/people/{zhang_san.pk}/reveal/",
        form={"field": "doc_number", "reason": REASON},
        headers={"X-CSRFToken": csrf_token(outsider)},
    )
    assert response.status == 404
    assert number not in response.text()
