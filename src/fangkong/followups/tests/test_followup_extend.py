import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from fangkong.core.models import StatusChange
from fangkong.followups.models import FollowUpDayCount, HealthCheck
from fangkong.followups.services import followup_extend

from .conftest import DAY1


def test_extending_adds_the_days_checks_and_history(quarantine, qinghuayuan_worker, clock):
    clock.at(DAY1 + dt.timedelta(days=10), 9)
    f = followup_extend(user=qinghuayuan_worker, followup=quarantine, days=7, reason="同住人确诊，延长观察")
    assert f.status == "extended" and f.days == 21 and f.planned_end == DAY1 + dt.timedelta(days=21)
    assert HealthCheck.objects.filter(followup=f).count() == 42
    last = HealthCheck.objects.filter(followup=f).order_by("-slot_date").first()
    assert last.slot_date == DAY1 + dt.timedelta(days=20)
    change = StatusChange.objects.filter(object_type="followups.followup").last()
    assert change.to_status == "extended" and "延长7天" in change.reason
    assert sum(FollowUpDayCount.objects.values_list("checks_due", flat=True)) == 42


def test_extending_needs_a_reason_and_sensible_days(quarantine, qinghuayuan_worker, clock):
    clock.at(DAY1, 9)
    with pytest.raises(ValidationError):
        followup_extend(user=qinghuayuan_worker, followup=quarantine, days=7, reason="")
    with pytest.raises(ValidationError):
        followup_extend(user=qinghuayuan_worker, followup=quarantine, days=0, reason="延长")
    assert HealthCheck.objects.count() == 28
