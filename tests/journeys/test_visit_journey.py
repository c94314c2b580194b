"""A grid worker's revisit, through the real pages: the today page lists a
household where nobody was home → the visit form shows one "register one
more" toggle at a time and the people found only for "returnees found" →
saved, the worker is back on the today page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def revisit_world(qinghuayuan_worker, household_qhy):
    import datetime as dt

    from django.utils import timezone

    from fangkong.screening.services import campaign_start, visit_record

    today = timezone.localdate()
    campaign = campaign_start(
        user=qinghuayuan_worker,
        division_code=household_qhy.division_code[:12],
        name="第一轮入户排查",
        starts_on=today,
        ends_on=today + dt.timedelta(days=2),
    )
    visit_record(user=qinghuayuan_worker, campaign=campaign, household=household_qhy, result="nobody_home")
    return campaign


def test_a_revisit_from_the_today_page(journey, revisit_world, household_qhy):
    from fangkong.screening.models import Visit

    journey.log_in("qinghuayuan_worker")
    journey.go("/followups/today/")
    page = journey.page
    with page.expect_navigation():
        journey.press(page.locator("#revisits a.fu-tap", has_text=household_qhy.address))
    found = page.locator("#found-people")
    expect(found).to_be_hidden()  # no result chosen yet
    journey.press(page.locator("label.chip", has=page.locator("input[value=returnees]")))
    expect(found).to_be_visible()
    toggles = page.locator("details.more > summary")
    expect(toggles.nth(0)).to_be_visible()
    expect(toggles.nth(1)).to_be_hidden()  # one toggle at a time
    journey.press(toggles.nth(0))
    expect(toggles.nth(1)).to_be_visible()
    assert toggles.nth(0).inner_text() != toggles.nth(1).inner_text()
    journey.press(page.locator("label.chip", has=page.locator("input[value=none]")))
    expect(found).to_be_hidden()
    journey.shot("visit-form")
    with page.expect_navigation():
        journey.press(page.locator("button.reg-submit"))
    assert page.url.endswith("/followups/today/")
    assert Visit.objects.get().result == "none"
