"""The pages: each renders for the grid worker, is a 404 for the 西马庄村 worker,
and writes what it should (audit, exports masked and watermarked)."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from conftest import login
from fangkong.audit.models import AuditEntry
from fangkong.followups.models import DeliveryRequest, FollowUp, HealthCheck, Referral
from fangkong.followups.services import delivery_request_create, health_check_record

from .conftest import DAY1


@pytest.fixture
def fever(quarantine, qinghuayuan_worker, clock):
    clock.at(DAY1, 9)
    check = HealthCheck.objects.get(followup=quarantine, slot_date=DAY1, slot=0)
    health_check_record(user=qinghuayuan_worker, check=check, temperature="37.8")
    return Referral.objects.get()


@pytest.fixture
def delivery(quarantine, qinghuayuan_worker, clock):
    clock.at(DAY1, 9)
    return delivery_request_create(
        user=qinghuayuan_worker,
        person=quarantine.person,
        category="food",
        items="大米",
        needed_by=clock.now + dt.timedelta(hours=2),
    )[0]


def _pages(f, check, referral, delivery):
    return [
        reverse("followups:detail", args=[f.pk]),
        reverse("followups:check_record", args=[check.pk]),
        reverse("followups:referral_detail", args=[referral.pk]),
        reverse("followups:delivery_detail", args=[delivery.pk]),
    ]


def test_every_page_renders_for_the_grid_worker(client, qinghuayuan_worker, quarantine, fever, delivery, clock):
    clock.at(DAY1, 15)
    login(client, qinghuayuan_worker)
    check = HealthCheck.objects.get(followup=quarantine, slot_date=DAY1, slot=1)
    urls = [
        reverse(n)
        for n in (
            "followups:today",
            "followups:list",
            "followups:checks",
            "followups:referrals",
            "followups:deliveries",
            "followups:start",
            "followups:policy",
        )
    ]
    urls += [reverse("followups:checks") + f"?state={s}" for s in ("due_now", "due_today", "done", "late")]
    urls += _pages(quarantine, check, fever, delivery)
    urls.append(reverse("followups:start") + f"?person={quarantine.person_id}")
    urls.append(reverse("followups:delivery_create") + f"?person={quarantine.person_id}")
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url


def test_an_outsider_gets_404_on_every_record_page(client, ximazhuang_worker, quarantine, fever, delivery, clock):
    clock.at(DAY1, 15)
    login(client, ximazhuang_worker)
    check = HealthCheck.objects.get(followup=quarantine, slot_date=DAY1, slot=1)
    for url in _pages(quarantine, check, fever, delivery):
        assert client.get(url).status_code == 404, url
    posts = [
        reverse("followups:check_record", args=[check.pk]),
        reverse("followups:extend", args=[quarantine.pk]),
        reverse("followups:transfer", args=[quarantine.pk]),
        reverse("followups:release", args=[quarantine.pk]),
        reverse("followups:referral_close", args=[fever.pk]),
        reverse("followups:delivery_take", args=[delivery.pk]),
        reverse("followups:delivery_deliver", args=[delivery.pk]),
    ]
    for url in posts:
        assert (
            client.post(
                url,
                {"temperature": "36.5", "reason": "越权", "outcome": "越权", "days": 3, "kind": "central_quarantine"},
            ).status_code
            == 404
        ), url
    assert client.get(reverse("followups:start") + f"?person={quarantine.person_id}").status_code == 404
    assert HealthCheck.objects.get(pk=check.pk).status == "due"
    assert Referral.objects.get().status == "open" and DeliveryRequest.objects.get().status == "open"


def test_an_outsider_sees_nothing_in_the_lists(client, ximazhuang_worker, quarantine, fever, delivery, clock):
    clock.at(DAY1 + dt.timedelta(days=1), 13)
    login(client, ximazhuang_worker)
    for name in (
        "followups:today",
        "followups:list",
        "followups:checks",
        "followups:referrals",
        "followups:deliveries",
    ):
        page = client.get(reverse(name)).content.decode()
        assert "张三" not in page, name
    for name in (
        "followups:export",
        "followups:checks_export",
        "followups:referrals_export",
        "followups:deliveries_export",
    ):
        wb = load_workbook(io.BytesIO(client.get(reverse(name)).content))
        assert "张三" not in str([c.value for row in wb.active.iter_rows() for c in row]), name


def test_the_today_page_puts_overdue_checks_escalations_and_deliveries_in_order(
    client, qinghuayuan_worker, quarantine, fever, delivery, clock
):
    clock.at(DAY1 + dt.timedelta(days=1), 9)  # day 1 afternoon is overdue; day 2 morning is open
    login(client, qinghuayuan_worker)
    page = client.get(reverse("followups:today")).content.decode()
    positions = [
        page.index(marker)
        for marker in ('id="checks"', "逾期未测", "当前时段待测", 'id="referrals"', 'id="deliveries"')
    ]
    assert positions == sorted(positions)
    assert page.count("张三") >= 4  # overdue check, due check, referral, delivery
    assert reverse("followups:referral_detail", args=[fever.pk]) in page


def test_recording_a_check_on_the_page(client, qinghuayuan_worker, quarantine, clock):
    clock.at(DAY1, 9)
    login(client, qinghuayuan_worker)
    check = HealthCheck.objects.get(followup=quarantine, slot_date=DAY1, slot=0)
    url = reverse("followups:check_record", args=[check.pk])
    response = client.post(
        url, {"temperature": "36.6", "symptoms": [], "client_key": "page-1", "next": reverse("followups:today")}
    )
    assert response.status_code == 302 and response["Location"] == reverse("followups:today")
    check.refresh_from_db()
    assert check.status == "done" and str(check.temperature) == "36.6"
    again = client.post(url, {"temperature": "36.9", "client_key": "page-2"})
    assert again.status_code == 400 and "不能重复登记" in again.content.decode()


def test_a_bad_temperature_is_shown_next_to_the_field(client, qinghuayuan_worker, quarantine, clock):
    clock.at(DAY1, 9)
    login(client, qinghuayuan_worker)
    check = HealthCheck.objects.get(followup=quarantine, slot_date=DAY1, slot=0)
    response = client.post(reverse("followups:check_record", args=[check.pk]), {"temperature": "43.5"})
    assert response.status_code == 400 and "35.0℃到42.0℃" in response.content.decode()
    assert 'value="43.5"' in response.content.decode()


def test_a_fever_on_the_page_says_a_referral_was_raised(client, qinghuayuan_worker, quarantine, clock):
    clock.at(DAY1, 9)
    login(client, qinghuayuan_worker)
    check = HealthCheck.objects.get(followup=quarantine, slot_date=DAY1, slot=0)
    response = client.post(
        reverse("followups:check_record", args=[check.pk]), {"temperature": "37.8", "symptoms": ["cough"]}, follow=True
    )
    assert "已生成发热门诊转诊" in response.content.decode() and Referral.objects.exists()


def test_starting_a_measure_on_the_page(client, qinghuayuan_worker, zhang_san, clock):
    clock.at(DAY1, 8)
    login(client, qinghuayuan_worker)
    url = reverse("followups:start")
    assert "张三" in client.get(url + "?q=张三").content.decode()
    response = client.post(
        url,
        {
            "person": zhang_san.pk,
            "kind": "home_quarantine",
            "reason": "武汉返回",
            "place": "",
            "start_date": "2020-02-01",
            "days": "",
        },
    )
    f = FollowUp.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("followups:detail", args=[f.pk])
    assert f.checks.count() == 28
    bad = client.post(
        url, {"person": zhang_san.pk, "kind": "central_quarantine", "reason": "再来", "site_name": "酒店"}
    )
    assert bad.status_code == 400 and "转移" in bad.content.decode()


def test_extend_transfer_and_release_on_the_detail_page(client, qinghuayuan_worker, quarantine, clock):
    clock.at(DAY1, 9)
    login(client, qinghuayuan_worker)
    client.post(reverse("followups:extend", args=[quarantine.pk]), {"days": 3, "reason": "补充观察"})
    quarantine.refresh_from_db()
    assert quarantine.days == 17
    response = client.post(reverse("followups:release", args=[quarantine.pk]), {"reason": "提前解除"}, follow=True)
    assert "期限未满" in response.content.decode()
    response = client.post(
        reverse("followups:transfer", args=[quarantine.pk]),
        {"kind": "central_quarantine", "reason": "转集中", "site_name": "隔离酒店"},
    )
    new = FollowUp.objects.get(transferred_from=quarantine)
    assert response["Location"] == reverse("followups:detail", args=[new.pk])


def test_viewing_a_followup_is_audited(client, qinghuayuan_worker, quarantine):
    login(client, qinghuayuan_worker)
    client.get(reverse("followups:detail", args=[quarantine.pk]))
    assert AuditEntry.objects.filter(action="view", object_type="followups.followup").count() == 1


@pytest.mark.parametrize(
    "name", ["followups:export", "followups:checks_export", "followups:referrals_export", "followups:deliveries_export"]
)
def test_exports_are_masked_watermarked_and_audited(
    client, qinghuayuan_worker, quarantine, fever, delivery, clock, name
):
    clock.at(DAY1 + dt.timedelta(days=1), 9)
    login(client, qinghuayuan_worker)
    url = reverse(name) + ("?state=done&day=2020-02-01" if name == "followups:checks_export" else "")
    response = client.get(url)
    assert response.status_code == 200
    rows = [[c.value for c in row] for row in load_workbook(io.BytesIO(response.content)).active.iter_rows()]
    assert "导出人" in rows[0][0] and any("张三" in str(r) for r in rows)
    text = str(rows)
    assert "138****1234" in text or name == "followups:deliveries_export" or "****" in text
    assert "13812341234" not in text
    assert AuditEntry.objects.filter(action="export").count() == 1


def test_an_inspector_may_look_but_not_export_or_record(client, inspector, quarantine, clock):
    clock.at(DAY1, 9)
    login(client, inspector)
    assert client.get(reverse("followups:detail", args=[quarantine.pk])).status_code == 200
    assert client.get(reverse("followups:export")).status_code == 403
    check = HealthCheck.objects.get(followup=quarantine, slot_date=DAY1, slot=0)
    assert client.post(reverse("followups:check_record", args=[check.pk]), {"temperature": "36.5"}).status_code == 403


def test_the_referral_is_closed_on_its_page(client, qinghuayuan_worker, fever):
    login(client, qinghuayuan_worker)
    client.post(reverse("followups:referral_close", args=[fever.pk]), {"outcome": "复测正常，排除"})
    fever.refresh_from_db()
    assert fever.status == "closed"


def test_a_delivery_is_taken_and_delivered_on_its_page(client, qinghuayuan_worker, quarantine, clock):
    clock.at(DAY1, 9)
    login(client, qinghuayuan_worker)
    response = client.post(
        reverse("followups:delivery_create"),
        {
            "person": quarantine.person_id,
            "category": "medicine",
            "items": "降压药",
            "needed_by": "2020-02-01T12:00",
            "client_key": "dk-1",
        },
    )
    d = DeliveryRequest.objects.get()
    assert response["Location"] == reverse("followups:delivery_detail", args=[d.pk])
    client.post(reverse("followups:delivery_take", args=[d.pk]), {"volunteer_name": "志愿者王"})
    client.post(reverse("followups:delivery_deliver", args=[d.pk]), {"note": "已送到"})
    d.refresh_from_db()
    assert d.status == "delivered" and d.volunteer_name == "志愿者王"


def test_hq_sets_the_policy_and_a_grid_worker_cannot(client, hq_officer, qinghuayuan_worker):
    from fangkong.followups.services import policy_days

    login(client, qinghuayuan_worker)
    assert client.post(reverse("followups:policy"), {"home_quarantine": "7"}).status_code == 403
    login(client, hq_officer)
    client.post(reverse("followups:policy"), {"home_quarantine": "21"})
    assert policy_days("home_quarantine") == 21


def test_clinic_staff_see_the_checks_and_referrals_but_no_screening_sections(client, clinic_staff, fever):
    login(client, clinic_staff)
    page = client.get(reverse("followups:today")).content.decode()
    assert 'id="arrivals"' not in page and 'id="referrals"' in page and "张三" in page


def test_the_today_page_has_the_arrivals_queue_flagged_first(client, qinghuayuan_worker, checkpoint_staff):
    from conftest import QINGHUAYUAN, new_resident_id
    from fangkong.people.identity import recorded_identity
    from fangkong.screening.services import arrival_record

    for name, temperature in (("孙小美", None), ("钱多多", Decimal("38.0"))):
        arrival_record(
            actor=checkpoint_staff,
            division_code=QINGHUAYUAN,
            source="passage",
            temperature=temperature,
            identity=recorded_identity(name=name, doc_number=new_resident_id("420102")),
        )
    login(client, qinghuayuan_worker)
    page = client.get(reverse("followups:today")).content.decode()
    assert page.index('id="arrivals"') < page.index("钱多多") < page.index("孙小美") < page.index('id="checks"')


def test_release_through_the_approvals_page_needs_a_second_person(
    client, qinghuayuan_worker, qinghuayuan_head, quarantine, clock
):
    from fangkong.approvals.models import ApprovalRequest

    from .helpers import record_all

    record_all(qinghuayuan_worker, quarantine, clock)
    clock.at(DAY1 + dt.timedelta(days=14), 9)
    login(client, qinghuayuan_worker)
    detail = client.get(reverse("followups:detail", args=[quarantine.pk])).content.decode()
    assert "申请解除" in detail
    client.post(reverse("followups:release", args=[quarantine.pk]), {"reason": "14天期满，体温正常"})
    approval = ApprovalRequest.objects.get(kind="quarantine_release")
    assert "解除隔离/监测" in client.get(reverse("approvals:list")).content.decode()
    client.post(reverse("approvals:decide", args=[approval.pk]), {"decision": "approve", "reason": "自己批准"})
    quarantine.refresh_from_db()
    assert quarantine.status == "active"
    login(client, qinghuayuan_head)
    assert "去审批" in client.get(reverse("followups:detail", args=[quarantine.pk])).content.decode()
    client.post(reverse("approvals:decide", args=[approval.pk]), {"decision": "approve", "reason": "同意解除"})
    quarantine.refresh_from_db()
    assert quarantine.status == "released"


EVIL = ["https://evil.example/x", "//evil.example/x", "/\\evil.example/x"]


@pytest.mark.parametrize("nxt", EVIL)
def test_no_followup_form_redirects_off_the_site(client, qinghuayuan_worker, quarantine, fever, delivery, clock, nxt):
    clock.at(DAY1, 15)
    login(client, qinghuayuan_worker)
    check = HealthCheck.objects.get(followup=quarantine, slot_date=DAY1, slot=1)
    posts = [
        (reverse("followups:check_record", args=[check.pk]), {"temperature": "36.5"}, reverse("followups:today")),
        (
            reverse("followups:referral_close", args=[fever.pk]),
            {"outcome": "已排除"},
            reverse("followups:referral_detail", args=[fever.pk]),
        ),
        (
            reverse("followups:delivery_take", args=[delivery.pk]),
            {},
            reverse("followups:delivery_detail", args=[delivery.pk]),
        ),
        (
            reverse("followups:delivery_deliver", args=[delivery.pk]),
            {},
            reverse("followups:delivery_detail", args=[delivery.pk]),
        ),
        (
            reverse("followups:delivery_cancel", args=[delivery.pk]),
            {"reason": "不需要了"},
            reverse("followups:delivery_detail", args=[delivery.pk]),
        ),
    ]
    for url, data, default in posts:
        response = client.post(url, {**data, "next": nxt})
        assert response.status_code == 302 and response["Location"] == default, url


def test_the_clinic_today_page_shows_only_what_it_can_act_on(client, clinic_staff, quarantine, fever, delivery, clock):
    clock.at(DAY1, 15)
    login(client, clinic_staff)
    page = client.get(reverse("followups:today")).content.decode()
    assert reverse("followups:referral_detail", args=[fever.pk]) in page  # a clinic picks referrals up
    assert reverse("followups:delivery_detail", args=[delivery.pk]) not in page and 'id="deliveries"' not in page
    assert 'id="checks"' not in page


def test_the_grid_worker_today_page_still_lists_checks_and_deliveries(
    client, qinghuayuan_worker, quarantine, delivery, clock
):
    clock.at(DAY1, 15)
    login(client, qinghuayuan_worker)
    page = client.get(reverse("followups:today")).content.decode()
    assert reverse("followups:delivery_detail", args=[delivery.pk]) in page and 'id="checks"' in page


@pytest.mark.parametrize("who", ["qinghuayuan_worker", "clinic_staff", "inspector", "hq_officer"])
def test_the_policy_page_is_linked_from_the_followups_nav(client, who, request):
    login(client, request.getfixturevalue(who))
    page = client.get(reverse("followups:list")).content.decode()
    assert f'href="{reverse("followups:policy")}"' in page


def test_the_inspector_today_page_lists_nothing_to_act_on(client, inspector, quarantine, fever, delivery, clock):
    clock.at(DAY1, 15)
    login(client, inspector)
    page = client.get(reverse("followups:today")).content.decode()
    assert reverse("followups:referral_detail", args=[fever.pk]) not in page
    assert 'id="checks"' not in page and 'id="deliveries"' not in page and "今日页只列出可以办理的事项" in page
