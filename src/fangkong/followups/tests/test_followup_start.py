import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from fangkong.audit.models import AuditEntry
from fangkong.core.models import StatusChange
from fangkong.followups.models import FollowUp, FollowUpDayCount, HealthCheck
from fangkong.followups.services import followup_start, measure_policy_set

from .conftest import DAY1


def test_it_schedules_two_checks_a_day_for_fourteen_days(quarantine):
    f = quarantine
    assert f.status == "active" and f.days == 14 and f.planned_end == DAY1 + dt.timedelta(days=14)
    assert f.division_code == f.person.division_code and f.place == "泰山路12号院3号楼2单元301"
    checks = list(HealthCheck.objects.filter(followup=f).order_by("slot_date", "slot"))
    assert len(checks) == 28 and {c.status for c in checks} == {"due"}
    first = checks[0]
    assert first.slot_date == DAY1 and first.slot == 0
    assert (first.window_start.astimezone().hour, first.window_end.astimezone().hour) == (7, 12)
    assert checks[-1].slot_date == DAY1 + dt.timedelta(days=13) and checks[-1].slot == 1


def test_it_writes_history_audit_and_counts(quarantine, qinghuayuan_worker):
    assert [s.to_status for s in StatusChange.objects.filter(object_type="followups.followup")] == ["active"]
    assert AuditEntry.objects.filter(object_type="followups.followup", action="create").count() == 1
    assert FollowUpDayCount.objects.get(division_code=quarantine.division_code, day=DAY1).started_home == 1
    assert sum(FollowUpDayCount.objects.values_list("checks_due", flat=True)) == 28


def test_slots_already_over_are_not_scheduled(clock, qinghuayuan_worker, zhang_san):
    clock.at(DAY1, 15)
    f = followup_start(
        user=qinghuayuan_worker, person=zhang_san, kind="health_monitoring", reason="密接的家属", days=14
    )
    assert HealthCheck.objects.filter(followup=f).count() == 27  # day 1 afternoon + 13 full days


def test_the_duration_comes_from_the_current_policy(clock, hq_officer, qinghuayuan_worker, zhang_san):
    clock.at(DAY1, 6)
    measure_policy_set(user=hq_officer, kind="central_quarantine", days=21)
    f = followup_start(
        user=qinghuayuan_worker,
        person=zhang_san,
        kind="central_quarantine",
        reason="高风险地区",
        site_name="淇滨区隔离酒店",
    )
    assert f.days == 21 and HealthCheck.objects.filter(followup=f).count() == 42


def test_a_grid_worker_cannot_change_the_policy(qinghuayuan_worker):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        measure_policy_set(user=qinghuayuan_worker, kind="home_quarantine", days=7)


def test_a_person_is_under_one_measure_at_a_time(quarantine, qinghuayuan_worker, zhang_san):
    with pytest.raises(ValidationError) as exc:
        followup_start(user=qinghuayuan_worker, person=zhang_san, kind="health_monitoring", reason="再来一次")
    assert "转移" in str(exc.value)
    assert FollowUp.objects.count() == 1


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"kind": "lockdown"}, "kind"),
        ({"reason": ""}, "reason"),
        ({"kind": "central_quarantine"}, "site_name"),
        ({"days": 0}, "days"),
        ({"days": 365}, "days"),
        ({"start_date": dt.date(2019, 1, 1)}, "start_date"),
    ],
)
def test_bad_input_is_reported_by_field_and_nothing_is_saved(clock, qinghuayuan_worker, zhang_san, kwargs, field):
    clock.at(DAY1, 8)
    args = {"kind": "home_quarantine", "reason": "武汉返回", **kwargs}
    with pytest.raises(ValidationError) as exc:
        followup_start(user=qinghuayuan_worker, person=zhang_san, **args)
    assert field in exc.value.message_dict
    assert not FollowUp.objects.exists() and not HealthCheck.objects.exists()


def test_an_outsider_cannot_start_a_measure_for_someone_else(ximazhuang_worker, zhang_san):
    with pytest.raises(Http404):
        followup_start(user=ximazhuang_worker, person=zhang_san, kind="home_quarantine", reason="越权")


def test_an_inspector_may_look_but_not_start(inspector, zhang_san):
    with pytest.raises(Http404):
        followup_start(user=inspector, person=zhang_san, kind="home_quarantine", reason="督查")
