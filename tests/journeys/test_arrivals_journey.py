"""The arrivals flow end to end, through the real pages:

a checkpoint worker registers a feverish traveller from 武汉 bound for 清华园社区
→ the 清华园社区 grid worker finds the arrival at the top of their today page,
confirms the returnee (home quarantine starts) → records the checks, one with
37.8 °C → the referral appears → the 西马庄村 worker reaches none of it → after
the period, release asked by the grid worker is refused to that same worker and
approved by a second 清华园 worker.

"After the period" uses what the app offers: the measure policy (HQ, set up by
service) makes home quarantine 4 days, and the clock moves the way the
followups tests move it (``timezone.now``), which the live server thread shares.
Health checks are only scheduled for windows that have not ended yet, so a
quarantine started in the past would have no checks to record: the clock is
the only way to live through a period with its checks.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

import conftest as root

pytestmark = pytest.mark.browser

TRAVELLER = "孙建国"
POLICY_DAYS = 4


class FlowingClock:
    """The time moved with time-machine, still flowing from where it is put (so
    sessions, windows and ordering behave); the live server runs in this process."""

    def __init__(self, traveller: time_machine.Traveller):
        self.traveller = traveller

    def at(self, day: dt.date, hour: int, minute: int = 0) -> None:
        target = timezone.make_aware(
            dt.datetime(day.year, day.month, day.day, hour, minute), timezone.get_default_timezone()
        )
        self.traveller.move_to(target)


@pytest.fixture
def clock():
    with time_machine.travel(timezone.now(), tick=True) as traveller:
        yield FlowingClock(traveller)


def csrf_token(journey) -> str:
    return next(c["value"] for c in journey.page.context.cookies() if c["name"] == "csrftoken")


def submit(journey, button) -> None:
    with journey.page.expect_navigation():
        journey.press(button)


@pytest.fixture
def arrivals_world(
    clock, hq_officer, county_officer, checkpoint_staff, qinghuayuan_worker, ximazhuang_worker, household_qhy
):
    """The set-up, by services: day 1 is today at 09:00 (the morning check window);
    鹤壁东站 with checkpoint_staff on shift; 武汉 a high-risk area; home
    quarantine 4 days; a second 清华园 grid worker (the approver); an earlier,
    unflagged arrival for 清华园 and one of 西马庄村's own."""
    from fangkong.checkpoints.services import (
        PassageIn,
        checkpoint_create,
        passage_register,
        risk_area_create,
        shift_create,
    )
    from fangkong.followups.services import measure_policy_set

    day1 = timezone.localdate()
    clock.at(day1, 9)
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
        volunteers="志愿者甲",
    )
    risk_area_create(actor=hq_officer, origin_code="4201", level="high", starts_on=day1 - dt.timedelta(days=3))
    measure_policy_set(user=hq_officer, kind="home_quarantine", days=POLICY_DAYS)
    approver = root._user("qinghuayuan_head", "grid", root.QINGHUAYUAN, "清华园书记")
    for name, destination in (("钱多多", root.QINGHUAYUAN), ("赵帅", root.XIMAZHUANG)):
        passage_register(
            actor=checkpoint_staff,
            checkpoint=cp,
            passage=PassageIn(
                direction="in",
                temperature="36.5",
                doc_number=root.new_resident_id("410102"),
                name=name,
                phone="13600001111",
                origin="4101",
                destination=destination,
                purpose="return_home",
            ),
        )
    return {"day1": day1, "checkpoint": cp, "approver": approver, "household": household_qhy}


def test_feverish_traveller_from_checkpoint_to_release(open_page, arrivals_world, clock):
    from fangkong.approvals.models import ApprovalRequest
    from fangkong.followups.models import FollowUp, Referral
    from fangkong.screening.models import Arrival

    day1, cp, household = arrivals_world["day1"], arrivals_world["checkpoint"], arrivals_world["household"]

    # ------------------------------------------------ the checkpoint registers the traveller
    staff = open_page()
    staff.log_in("checkpoint_staff")
    # The home page leads a checkpoint worker to the checkpoint of their shift.
    staff.go("/")
    with staff.page.expect_navigation():
        staff.press(staff.page.locator(".duty-shift", has_text="鹤壁东站").get_by_role("link", name="登记通行"))
    page = staff.page
    assert page.url.endswith(f"/checkpoints/{cp.pk}/register/")
    expect(page.locator("h1")).to_have_text("鹤壁东站")
    page.fill("#id_doc_number", root.new_resident_id("420102", dt.date(1985, 6, 1), "M"))
    page.fill("#id_name", TRAVELLER)
    page.fill("#id_phone", "13900001234")
    page.fill("#id_temperature", "37.9")
    page.fill("#id_plate", "F88888")
    page.fill("#id_origin", "武汉")
    page.locator("#id_destination_text").press_sequentially("清华园")
    pick = page.locator("#dest-results button.pick", has_text="清华园社区")
    expect(pick).to_be_visible()
    staff.press(pick)
    expect(page.locator("#id_destination")).to_have_value(root.QINGHUAYUAN)
    staff.press(page.locator("label.chip", has=page.locator("input[value=return_home]")))
    first_key = page.locator("#id_client_key").get_attribute("value")
    # With the page script the registration is one request: no page load.
    with page.expect_response(lambda r: r.request.method == "POST" and "/register/" in r.url) as posted:
        staff.press(page.locator("button.reg-submit"))
    assert posted.value.status == 200
    assert page.url.endswith(f"/checkpoints/{cp.pk}/register/")
    result = page.locator("#result")
    expect(result).to_have_class(re.compile(r"\balert\b"))
    expect(result.locator("h2")).to_contain_text("发热 37.9℃")
    expect(result.locator("h2")).to_contain_text("武汉")
    expect(result.locator(".reg-people")).to_contain_text(TRAVELLER)
    expect(result.locator(".reg-people")).to_contain_text("清华园社区 已推送")
    steps = result.locator("ol.reg-steps")
    expect(steps).to_contain_text("请该人员在卡点临时留观区等候，不得放行或自行离开")
    expect(steps).to_contain_text("10分钟后复测体温")
    expect(steps).to_contain_text("立即拨打120")
    expect(result.get_by_role("link", name="记录复测")).to_be_visible()
    staff.shot("arrivals-checkpoint-fever")
    # The form is empty for the next person, under a new client key.
    expect(page.locator("#id_doc_number")).to_have_value("")
    expect(page.locator("#id_temperature")).to_have_value("")
    expect(page.locator("#id_client_key")).not_to_have_value(first_key or "")
    # A mistake for the next person: the form comes back with the error and what was typed.
    page.fill("#id_name", "错一位")
    page.fill("#id_temperature", "43")
    with page.expect_response(lambda r: r.request.method == "POST" and "/register/" in r.url):
        staff.press(page.locator("button.reg-submit"))
    expect(page.locator("#reg-form")).to_contain_text("体温应在35.0℃到42.0℃之间")
    expect(page.locator("#id_name")).to_have_value("错一位")
    expect(page.locator("#result")).to_have_count(0)
    expect(page.locator("#id_doc_number")).to_be_focused()  # the first field to fix
    arrival = Arrival.objects.get(name=TRAVELLER)
    assert arrival.division_code == root.QINGHUAYUAN and set(arrival.flag_list()) >= {"fever", "risk_area"}

    # ------------------------------------------------ 清华园社区: the arrival heads the today page
    worker = open_page()
    worker.log_in("qinghuayuan_worker")
    worker.go("/followups/today/")
    items = worker.page.locator("#arrivals li.fu-item")
    expect(items).to_have_count(2)
    top = items.first
    expect(top).to_contain_text(TRAVELLER)
    expect(top).to_have_class(re.compile(r"\bfu-overdue\b"))
    expect(top.locator(".fu-badge")).to_have_text(["发热", "风险地区"])
    expect(items.nth(1)).to_contain_text("钱多多")
    expect(items.nth(1).locator(".fu-badge")).to_have_count(0)
    worker.shot("arrivals-today-arrival")

    with worker.page.expect_navigation():
        worker.press(top.locator("a.fu-tap"))
    page = worker.page
    assert page.url.endswith(f"/screening/arrivals/{arrival.pk}/")
    expect(page.locator("h1")).to_contain_text(TRAVELLER)
    expect(page.locator(".flag-guidance").first).to_be_visible()
    with page.expect_navigation():
        worker.press(page.locator("#confirm-returnee"))
    expect(page.locator("h1")).to_have_text("核实返乡人员")
    expect(page.locator("#proposal [data-measure]")).to_have_attribute("data-measure", "home_quarantine")
    expect(page.locator("input[name=measure][value=home_quarantine]")).to_be_checked()
    page.select_option("#id_household", label=household.address)
    worker.shot("arrivals-confirm-form")
    submit(worker, page.get_by_role("button", name="确认核实"))
    expect(page.locator(".msg")).to_contain_text(f"已核实返乡人员 {TRAVELLER}：居家隔离")
    expect(page.locator("h1")).to_contain_text(TRAVELLER)
    followup = FollowUp.objects.get(person__name=TRAVELLER)
    assert (followup.kind, followup.start_date, followup.days) == ("home_quarantine", day1, POLICY_DAYS)

    # ------------------------------------------------ day 1 morning: 37.8 °C → a referral
    worker.go("/followups/today/")
    expect(worker.page.locator("#arrivals li.fu-item")).to_have_count(1)  # 钱多多 only
    due = worker.page.locator("#checks li.fu-item", has_text=TRAVELLER)
    expect(due).to_have_count(1)
    with worker.page.expect_navigation():
        worker.press(due.locator("a.fu-tap"))
    page.fill("#id_temperature", "37.8")
    submit(worker, page.get_by_role("button", name="提交"))
    assert page.url.split("?")[0].endswith("/followups/today/")
    expect(page.locator(".msg-warning")).to_contain_text(f"{TRAVELLER} 体温 37.8 ℃：已生成发热门诊转诊")
    referral_item = page.locator("#referrals li.fu-item", has_text=TRAVELLER)
    expect(referral_item).to_be_visible()
    expect(page.locator(".fu-jump a[href='#referrals']")).to_have_class(re.compile(r"\bfu-alert\b"))
    worker.shot("arrivals-today-referral")
    referral = Referral.objects.get(followup=followup)

    with page.expect_navigation():
        worker.press(referral_item.locator("a.fu-tap"))
    expect(page.locator("h1")).to_contain_text("发热门诊转诊")
    expect(page.locator("main")).to_contain_text("37.8℃")

    # ------------------------------------------------ 西马庄村 sees none of it
    outsider = open_page()
    outsider.log_in("ximazhuang_worker")
    for path in (
        f"/screening/arrivals/{arrival.pk}/",
        f"/screening/arrivals/{arrival.pk}/confirm/",
        f"/followups/{followup.pk}/",
        f"/followups/referrals/{referral.pk}/",
    ):
        response = outsider.go(path)
        assert response.status == 404, path
        expect(outsider.page.locator("h1")).to_have_text("未找到")
        expect(outsider.page.locator("main")).not_to_contain_text(TRAVELLER)
    outsider.shot("arrivals-outsider-404")
    outsider.go("/followups/today/")
    expect(outsider.page.locator("#arrivals li.fu-item")).to_have_count(1)
    expect(outsider.page.locator("#arrivals")).to_contain_text("赵帅")  # their own: the list is not just empty
    expect(outsider.page.locator("main")).not_to_contain_text(TRAVELLER)
    expect(outsider.page.locator("#referrals")).to_contain_text("没有待处理的转诊")
    for path in (
        "/screening/?status=",
        "/screening/returnees/",
        "/followups/?status=",
        "/followups/referrals/?status=",
        "/followups/checks/?state=done",
    ):
        outsider.go(path)
        expect(outsider.page.locator("main")).not_to_contain_text(TRAVELLER)
    response = outsider.page.request.post(
        outsider.base_url + f"/followups/referrals/{referral.pk}/close/",
        form={"outcome": "越权关闭"},
        headers={"X-CSRFToken": csrf_token(outsider)},
    )
    assert response.status == 404

    # The referral is closed by the grid worker after the doctor's call.
    page.fill("#id_outcome", "复测36.9℃，经医生电话问诊排除")
    submit(worker, page.get_by_role("button", name="关闭转诊"))
    expect(page.locator(".msg-success")).to_contain_text("转诊已关闭")

    # ------------------------------------------------ the period is over: late checks, release
    planned_end = day1 + dt.timedelta(days=POLICY_DAYS)
    clock.at(planned_end, 9, 30)
    worker.go("/followups/today/")  # days later: the idle session has expired
    assert "/login/" in worker.page.url
    worker.log_in("qinghuayuan_worker")
    worker.go("/followups/today/")
    overdue = worker.page.locator("#checks li.fu-item.fu-overdue", has_text=TRAVELLER)
    expect(overdue).to_have_count(POLICY_DAYS * 2 - 1)
    worker.shot("arrivals-today-overdue")
    for n in range(POLICY_DAYS * 2 - 1):
        with worker.page.expect_navigation():
            worker.press(overdue.first.locator("a.fu-tap"))
        expect(worker.page.locator(".fu-slotline .fu-badge")).to_contain_text("补录")
        worker.page.fill("#id_temperature", "36.5")
        submit(worker, worker.page.get_by_role("button", name="提交"))
        expect(worker.page.locator(".msg-success")).to_contain_text(f"已登记 {TRAVELLER} 36.5 ℃（补录）")
        expect(overdue).to_have_count(POLICY_DAYS * 2 - 2 - n)

    worker.go(f"/followups/{followup.pk}/")
    page = worker.page
    expect(page.locator("main")).to_contain_text(f"已完成 {POLICY_DAYS * 2} / {POLICY_DAYS * 2} 次")
    expect(page.locator(".fu-slot-fever")).to_have_count(1)
    release = page.locator("#release")
    submit(worker, release.get_by_role("button", name="申请解除（需另一人审批）"))
    expect(page.locator(".msg-success")).to_contain_text("已提交解除申请")
    expect(release).to_contain_text("清华园张 已申请解除，等待另一名人员审批")
    expect(release.get_by_role("link", name="去审批")).to_have_count(0)
    approval = ApprovalRequest.objects.get(kind="quarantine_release", object_id=str(followup.pk), status="pending")

    worker.go("/approvals/")
    row = worker.page.locator("#approvals tbody tr", has_text="清华园张")
    expect(row).to_contain_text("等待他人审批")
    expect(row.get_by_role("button", name="批准")).to_have_count(0)
    worker.shot("arrivals-approval-own")
    forged = worker.page.request.post(
        worker.base_url + f"/approvals/{approval.pk}/decide/",
        form={"decision": "approve", "reason": "自己批准"},
        headers={"X-CSRFToken": csrf_token(worker)},
    )
    assert forged.ok  # redirected back to the list with the refusal
    assert "不能审批自己提出的申请" in forged.text()
    approval.refresh_from_db()
    followup.refresh_from_db()
    assert approval.status == "pending" and followup.status != "released"

    # ------------------------------------------------ a second 清华园 worker approves
    approver = open_page()
    approver.log_in("qinghuayuan_head")
    approver.go("/approvals/")
    row = approver.page.locator("#approvals tbody tr", has_text="清华园张")
    row.locator("input[name=reason]").fill("期满无发热，同意解除")
    submit(approver, row.get_by_role("button", name="批准"))
    expect(approver.page.locator(".msg-success")).to_contain_text("已批准")
    approver.go(f"/followups/{followup.pk}/")
    expect(approver.page.locator("h1 .fu-status")).to_have_text("已解除")
    expect(approver.page.locator("#release")).to_have_count(0)
    expect(approver.page.locator(".fu-history")).to_contain_text("清华园张 申请，清华园书记 批准")
    approver.shot("arrivals-released")
    followup.refresh_from_db()
    assert followup.status == "released" and followup.ended_on == planned_end
