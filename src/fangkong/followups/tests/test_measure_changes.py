"""Weakening a measure (a lighter kind, an earlier end) needs the release rules
and a second person; stricter or equal changes apply at once."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from conftest import login
from fangkong.approvals.models import ApprovalRequest
from fangkong.approvals.services import approval_decide
from fangkong.followups.models import FollowUp, HealthCheck
from fangkong.followups.services import followup_extend, followup_transfer, health_check_record

from .conftest import DAY1
from .test_api import Api

OPEN = ["active", "extended", "escalated"]


def _unchanged(quarantine):
    quarantine.refresh_from_db()
    assert quarantine.status == "active" and quarantine.kind == "home_quarantine"
    assert FollowUp.objects.count() == 1


def test_the_attack_one_day_of_monitoring_is_refused_with_a_reason(client, quarantine, qinghuayuan_worker, clock):
    clock.at(DAY1, 10)
    response = Api(client, qinghuayuan_worker).post(
        f"/api/v1/followups/{quarantine.pk}/transfer",
        {"kind": "health_monitoring", "days": 1, "reason": "居家隔离改监测"},
    )
    assert response.status_code == 422
    assert "14" in str(response.json()["errors"]["days"])
    _unchanged(quarantine)
    assert not ApprovalRequest.objects.filter(kind="followup_weaken").exists()


def test_a_lighter_measure_waits_for_a_second_person(client, quarantine, qinghuayuan_worker, qinghuayuan_head, clock):
    clock.at(DAY1, 10)
    response = Api(client, qinghuayuan_worker).post(
        f"/api/v1/followups/{quarantine.pk}/transfer",
        {"kind": "health_monitoring", "days": 14, "reason": "居家隔离改监测"},
    )
    assert response.status_code == 202 and response.json()["status"] == "pending"
    _unchanged(quarantine)
    approval = ApprovalRequest.objects.get(pk=response.json()["id"])
    with pytest.raises(PermissionDenied):
        approval_decide(user=qinghuayuan_worker, approval=approval, approve=True, reason="自己批")
    _unchanged(quarantine)
    approval_decide(user=qinghuayuan_head, approval=approval, approve=True, reason="经核实可改为监测")
    quarantine.refresh_from_db()
    new = FollowUp.objects.get(status__in=OPEN)
    assert quarantine.status == "transferred" and new.transferred_from == quarantine
    assert new.kind == "health_monitoring" and new.days == 14 and new.start_date == DAY1


def test_a_weakening_defaults_to_the_policy_days(quarantine, qinghuayuan_worker, qinghuayuan_head, clock):
    clock.at(DAY1 + dt.timedelta(days=12), 13)
    for check in HealthCheck.objects.filter(followup=quarantine, window_end__lte=clock.now):
        check.status = "done"
        check.temperature = "36.5"
        check.save()
    approval = followup_transfer(
        user=qinghuayuan_worker, followup=quarantine, kind="health_monitoring", reason="隔离期将满，转健康监测"
    )
    assert isinstance(approval, ApprovalRequest) and approval.payload["days"] == 14


def test_an_overdue_check_blocks_a_weakening_like_a_release(quarantine, qinghuayuan_worker, clock):
    clock.at(DAY1, 13)  # the morning check was never recorded
    with pytest.raises(ValidationError) as exc:
        followup_transfer(
            user=qinghuayuan_worker, followup=quarantine, kind="health_monitoring", days=14, reason="改监测"
        )
    assert "逾期" in str(exc.value)
    _unchanged(quarantine)


def test_fever_in_the_last_days_blocks_a_weakening(quarantine, qinghuayuan_worker, clock):
    clock.at(DAY1, 9)
    health_check_record(
        user=qinghuayuan_worker,
        check=HealthCheck.objects.get(followup=quarantine, slot_date=DAY1, slot=0),
        temperature="38.1",
    )
    with pytest.raises(ValidationError, match="转诊|发热"):
        followup_transfer(
            user=qinghuayuan_worker, followup=quarantine, kind="health_monitoring", days=14, reason="改监测"
        )


def test_a_shorter_period_of_the_same_measure_waits_for_a_second_person(quarantine, qinghuayuan_worker, clock):
    clock.at(DAY1, 10)
    followup_extend(user=qinghuayuan_worker, followup=quarantine, days=14, reason="延长观察")
    result = followup_transfer(
        user=qinghuayuan_worker, followup=quarantine, kind="home_quarantine", days=14, reason="缩短到14天"
    )
    assert isinstance(result, ApprovalRequest)
    quarantine.refresh_from_db()
    assert quarantine.status == "extended" and quarantine.days == 28


def test_a_stricter_change_for_the_rest_of_the_period_applies_at_once(quarantine, qinghuayuan_worker, clock):
    clock.at(DAY1 + dt.timedelta(days=2), 10)
    new = followup_transfer(
        user=qinghuayuan_worker,
        followup=quarantine,
        kind="central_quarantine",
        reason="不具备居家条件",
        site_name="隔离酒店",
    )
    assert isinstance(new, FollowUp) and new.planned_end == quarantine.planned_end


def test_a_stricter_kind_ending_earlier_is_a_weakening(quarantine, qinghuayuan_worker, clock):
    clock.at(DAY1 + dt.timedelta(days=2), 10)
    with pytest.raises(ValidationError) as exc:
        followup_transfer(
            user=qinghuayuan_worker,
            followup=quarantine,
            kind="central_quarantine",
            days=3,
            reason="转集中3天",
            site_name="隔离酒店",
        )
    assert "days" in exc.value.message_dict
    _unchanged(quarantine)


def test_the_page_asks_for_approval_and_changes_nothing(client, quarantine, qinghuayuan_worker, clock):
    clock.at(DAY1, 10)
    login(client, qinghuayuan_worker)
    response = client.post(
        reverse("followups:transfer", args=[quarantine.pk]),
        {"kind": "health_monitoring", "reason": "改为健康监测", "days": "14"},
        follow=True,
    )
    assert "审批" in response.content.decode()
    _unchanged(quarantine)
    assert ApprovalRequest.objects.filter(kind="followup_weaken", status="pending").count() == 1
    page = client.get(reverse("followups:detail", args=[quarantine.pk])).content.decode()
    assert "已申请减轻或缩短措施" in page


def test_the_page_shows_a_below_policy_refusal(client, quarantine, qinghuayuan_worker, clock):
    clock.at(DAY1, 10)
    login(client, qinghuayuan_worker)
    response = client.post(
        reverse("followups:transfer", args=[quarantine.pk]),
        {"kind": "health_monitoring", "reason": "改为健康监测", "days": "1"},
        follow=True,
    )
    assert "不能少于政策规定的 14 天" in response.content.decode()
    _unchanged(quarantine)


def test_a_release_and_a_weakening_are_not_pending_together(quarantine, qinghuayuan_worker, clock):
    clock.at(DAY1, 10)
    followup_transfer(user=qinghuayuan_worker, followup=quarantine, kind="health_monitoring", days=14, reason="改监测")
    with pytest.raises(ValidationError, match="已有待审批"):
        followup_transfer(
            user=qinghuayuan_worker, followup=quarantine, kind="health_monitoring", days=20, reason="再次申请"
        )
