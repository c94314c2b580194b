"""The pages on a phone (390×844, the ``phone`` viewport of conftest.py): every
menu entry in reach, a short header, lists as compact cards under folded
filters, targets a thumb can hit, and a registration screen whose sticky
登记 button never covers what is being typed and cannot be pressed twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

import conftest as root

pytestmark = pytest.mark.browser

phone_only = pytest.mark.parametrize("viewport", ["phone"])

HEADER_MAX_PX = 120
TARGET_MIN_PX = 40


@pytest.fixture
def phone_world(hq_officer, county_officer, checkpoint_staff, qinghuayuan_worker, sysadmin, zhang_san):
    """A checkpoint in 淇滨区 with checkpoint_staff on shift, a high-risk 武汉,
    and a few passages (one feverish) bound for 清华园社区, so the lists have rows."""
    from fangkong.checkpoints.services import (
        PassageIn,
        checkpoint_create,
        passage_register,
        risk_area_create,
        shift_create,
    )

    now = timezone.now()
    cp = checkpoint_create(
        actor=hq_officer,
        level="county",
        division_code=root.QIBIN,
        name="淇滨区S302省道卡点",
        kind="highway",
        location="S302与淇河路交叉口",
    )
    shift_create(
        actor=county_officer,
        checkpoint=cp,
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=7),
        staff_ids=[checkpoint_staff.pk],
        volunteers="志愿者甲",
    )
    risk_area_create(
        actor=hq_officer, origin_code="4201", level="high", starts_on=timezone.localdate() - dt.timedelta(days=3)
    )
    for i, (name, temperature, origin) in enumerate(
        (("钱多多", "36.5", "4101"), ("孙建国", "38.1", "4201"), ("周小梅", "36.7", "4201"))
    ):
        passage_register(
            actor=checkpoint_staff,
            checkpoint=cp,
            passage=PassageIn(
                direction="in",
                temperature=temperature,
                name=name,
                phone=f"1360000111{i}",
                origin=origin,
                doc_number=root.new_resident_id("410102", dt.date(1980 + i, 3, 1), "M"),
                destination=root.QINGHUAYUAN,
                purpose="return_home",
                plate=f"豫F1234{i}",
            ),
        )
    return {"checkpoint": cp, "person": zhang_san}


# ---------------------------------------------------------------- helpers in the page

BOX = "el => { const r = el.getBoundingClientRect(); return {x: r.x, y: r.y, w: r.width, h: r.height}; }"


def _box(locator) -> dict:
    return locator.evaluate(BOX)


def _overlap(a: dict, b: dict) -> bool:
    return (
        a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"] and a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"]
    )


def _one_line(locator) -> bool:
    """The element's text is laid out on one line (it does not wrap)."""
    return locator.evaluate("""el => { const r = document.createRange(); r.selectNodeContents(el);
        const tops = new Set(Array.from(r.getClientRects()).filter(b => b.width > 0).map(b => Math.round(b.top)));
        return tops.size === 1; }""")


SMALL_TARGETS = """min => {
  const sel = 'a[href], button, select, summary, input:not([type=hidden]):not([type=checkbox]):not([type=radio]),' +
              ' label.filters-toggle-label, label.nav-toggle-label';
  const out = [];
  for (const el of document.querySelectorAll(sel)) {
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (!r.width || !r.height || style.visibility === 'hidden' || el.closest('.visually-hidden')) continue;
    // A link inside a sentence is exempt (as in WCAG 2.5.8): its block has more text than the link.
    const block = el.parentElement.closest('p, li, dd, .hint, small');
    const inText = block && block.textContent.trim().length > el.textContent.trim().length + 2;
    if (el.tagName === 'A' && inText) continue;
    const what = `${el.tagName.toLowerCase()} "${el.textContent.trim().slice(0, 20)}"`;
    if (r.height < min) out.push(`${what} ${Math.round(r.height)}px`);
  }
  return out;
}"""


# ---------------------------------------------------------------- header and menu


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_every_main_menu_entry_is_in_reach_and_the_header_is_short(open_page, journey_db, sysadmin):
    j = open_page()
    j.log_in("sysadmin")
    page = j.page
    entries = page.locator("nav.mainnav a")
    names = entries.all_inner_texts() if not j.phone else None
    header = page.locator("header.topbar")
    logout = page.locator(".userbox button")
    assert _one_line(logout), "退出 wraps"
    if j.phone:
        assert _box(header)["h"] <= HEADER_MAX_PX, f"the header is {_box(header)['h']}px tall"
        expect(page.locator("nav.mainnav")).to_be_hidden()
        j.press(page.locator("label.nav-toggle-label"))
        names = entries.all_inner_texts()
    else:
        expect(page.locator("label.nav-toggle-label")).to_be_hidden()
        assert _box(header)["h"] <= 80
    assert {"首页", "人员", "隔离", "审批", "审计"} <= set(names), names
    width = page.evaluate("window.innerWidth")
    for i in range(entries.count()):
        entry = entries.nth(i)
        expect(entry).to_be_visible()
        box = _box(entry)
        assert box["x"] >= 0 and box["x"] + box["w"] <= width, f"{names[i]} is off the screen: {box}"
        assert box["h"] >= TARGET_MIN_PX, f"{names[i]} is {box['h']}px tall"
        # Nothing covers it: a tap at its centre lands on it.
        assert entry.evaluate(
            "el => { const r = el.getBoundingClientRect();"
            " return el.contains(document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2)); }"
        )
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    with page.expect_navigation():
        j.press(page.locator("nav.mainnav a", has_text="审计"))
    assert "/audit/" in page.url


@phone_only
def test_the_page_language_is_the_interface_language(open_page, journey_db, zhang_san):
    j = open_page()
    j.go("/login/")
    expect(j.page.locator("select[name=language]")).to_be_visible()  # before logging in: no menu to open
    j.log_in("qinghuayuan_worker")
    page = j.page
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    j.press(page.locator("label.nav-toggle-label"))
    with page.expect_navigation():
        page.locator("select[name=language]").select_option("en")
    assert page.locator("html").get_attribute("lang") == "en"
    j.go("/people/")
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.locator("label.filters-toggle-label")).to_contain_text("More filters")
    # A list row's labels read "Name: value", not "Name：value".
    label = (
        page.locator("table.list.responsive tbody tr td[data-label]")
        .nth(1)
        .evaluate("el => getComputedStyle(el, '::before').content")
    )
    assert "：" not in label and label.endswith(': "'), label


# ---------------------------------------------------------------- lists

LISTS = [
    ("qinghuayuan_worker", "/people/", "姓名"),
    ("qinghuayuan_worker", "/screening/", "钱多多"),
    ("qinghuayuan_worker", "/followups/", None),
    ("checkpoint_staff", "/checkpoints/", "淇滨区S302省道卡点"),
    ("checkpoint_staff", "passages", "孙建国"),
]


@phone_only
def test_lists_are_compact_cards_under_folded_filters(open_page, journey_db, phone_world):
    cp = phone_world["checkpoint"]
    pages = {}
    for username in {u for u, _p, _r in LISTS}:
        pages[username] = open_page()
        pages[username].log_in(username)
    for username, path, _row in LISTS:
        j = pages[username]
        page = j.page
        j.go(f"/checkpoints/{cp.pk}/passages/" if path == "passages" else path)
        form = page.locator("form.filters")
        toggle = form.locator("label.filters-toggle-label")
        expect(toggle).to_be_visible()
        folded = form.locator("input.filters-toggle ~ div:not(.actions)")
        assert folded.count() >= 1
        for i in range(folded.count()):
            expect(folded.nth(i)).to_be_hidden()
        assert _box(form)["h"] <= 200, f"{path}: the folded filters are {_box(form)['h']}px tall"
        j.press(toggle)
        for i in range(folded.count()):
            expect(folded.nth(i)).to_be_visible()
        rows = page.locator("table.list.responsive tbody tr")
        if rows.count() and rows.first.locator("td").count() > 2:
            height = _box(rows.first)["h"]
            assert height <= 200, f"{path}: a row is a {height}px card"
        j.shot("phone-list-" + path.strip("/").replace("/", "-"))
    # A filter in use is not folded away.
    j = pages["qinghuayuan_worker"]
    j.go("/people/?sex=M")
    expect(j.page.locator("#f-sex")).to_be_visible()


@phone_only
def test_targets_on_the_main_pages_are_big_enough_for_a_thumb(open_page, journey_db, phone_world):
    cp = phone_world["checkpoint"]
    problems = []
    for username, paths in (
        ("hq_officer", ["/", "/people/", "/checkpoints/"]),
        (
            "qinghuayuan_worker",
            [
                "/",
                "/followups/today/",
                "/people/",
                "/people/households/",
                "/screening/",
                "/followups/",
                f"/people/{phone_world['person'].pk}/",
            ],
        ),
        ("checkpoint_staff", ["/", f"/checkpoints/{cp.pk}/register/", f"/checkpoints/{cp.pk}/passages/"]),
    ):
        j = open_page()
        j.log_in(username)
        for path in paths:
            j.go(path)
            if j.page.locator("label.nav-toggle-label").is_visible():
                j.press(j.page.locator("label.nav-toggle-label"))
            for toggle in j.page.locator("label.filters-toggle-label").all():
                j.press(toggle)
            problems += [f"{username} {path}: {p}" for p in j.page.evaluate(SMALL_TARGETS, TARGET_MIN_PX)]
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------- the registration screen


def _registration(open_page, phone_world):
    j = open_page()
    j.log_in("checkpoint_staff")
    j.go(f"/checkpoints/{phone_world['checkpoint'].pk}/register/")
    return j


def _fill_traveller(page, n: int) -> None:
    page.fill("#id_doc_number", root.new_resident_id("410102", dt.date(1990, 1, 1 + n), "F"))
    page.fill("#id_name", "林一林二林三"[2 * n - 2 : 2 * n])
    page.fill("#id_temperature", "36.6")
    page.fill("#id_origin", "河南省郑州市")


@phone_only
def test_the_sticky_register_button_never_covers_the_field_being_typed(open_page, journey_db, phone_world):
    j = _registration(open_page, phone_world)
    page = j.page
    button = page.locator("button.reg-submit")
    # On arrival (the cursor in the empty ID field) the button is at the thumb.
    box = _box(button)
    assert box["y"] + box["h"] <= 844, box
    # The destination's suggestions, at the foot of the screen.
    dest = page.locator("#id_destination_text")
    j.press(dest)
    dest.fill("")
    dest.press_sequentially("清华园")
    expect(page.locator("#dest-results button.pick").first).to_be_visible()
    for covered in (dest, page.locator("#dest-results")):
        assert not _overlap(_box(button), _box(covered)), (_box(button), _box(covered))
    j.shot("phone-register-destination")
    j.press(page.locator("#dest-results button.pick").first)
    expect(page.locator("#id_destination")).to_have_value(root.QINGHUAYUAN)

    # After a registration the cursor is back in the ID field, with the
    # keyboard up (the screen is half as tall); the next ID's hint shows under it.
    _fill_traveller(page, 1)
    with page.expect_response(lambda r: r.request.method == "POST" and "/register/" in r.url):
        j.press(button)
    expect(page.locator("#result")).to_be_visible()
    expect(page.locator("#id_doc_number")).to_be_focused()
    page.set_viewport_size({"width": 390, "height": 480})
    page.locator("#id_doc_number").press_sequentially(root.new_resident_id("410102", dt.date(1990, 2, 2), "M"))
    expect(page.locator("#person-hint .person-hint")).to_be_visible()
    for covered in (page.locator("#id_doc_number"), page.locator("#person-hint")):
        assert not _overlap(_box(button), _box(covered)), (_box(button), _box(covered))
    # The page did not jump away from the field being typed.
    doc = _box(page.locator("#id_doc_number"))
    assert 0 <= doc["y"] and doc["y"] + doc["h"] <= 480, doc
    j.shot("phone-register-next-id")
    # Once no field is being typed in, the button is at the thumb again.
    page.set_viewport_size({"width": 390, "height": 844})
    page.locator("#id_doc_number").blur()
    box = _box(button)
    assert box["y"] + box["h"] <= 844


@phone_only
def test_the_register_button_is_disabled_while_a_registration_is_sent(open_page, journey_db, phone_world):
    j = _registration(open_page, phone_world)
    page = j.page
    console = []
    page.on("console", lambda m: console.append(m.text))
    held = []

    def hold(route):
        if route.request.method == "POST" and route.request.url.endswith("/register/"):
            held.append(route)
        else:
            route.continue_()

    page.route("**/register/", hold)
    _fill_traveller(page, 2)
    page.locator("#id_destination_text").fill("")
    page.locator("#id_destination_text").press_sequentially("清华园")
    expect(page.locator("#dest-results button.pick").first).to_be_visible()
    j.press(page.locator("#dest-results button.pick").first)
    button = page.locator("button.reg-submit")
    j.press(button)
    expect(button).to_be_disabled()
    assert len(held) == 1
    held[0].continue_()
    expect(page.locator("#result")).to_be_visible()
    expect(button).to_be_enabled()
    assert not [m for m in console if "hx-disabled-elt" in m or "returned no matches" in m], console
