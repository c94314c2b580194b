import datetime as dt

from conftest import QINGHUAYUAN
from fangkong.followups.models import FollowUp, FollowUpDayCount, HealthCheck, Referral
from fangkong.followups.selectors import followup_counts
from fangkong.followups.services import followup_transfer, health_check_record

from .conftest import DAY1


def test_home_to_central_ends_one_and_starts_the_other(quarantine, qinghuayuan_worker, clock):
    day3 = DAY1 + dt.timedelta(days=2)
    clock.at(day3, 13)  # day 3, between the windows; day 3 morning was never recorded
    new = followup_transfer(
        user=qinghuayuan_worker,
        followup=quarantine,
        kind="central_quarantine",
        reason="家中不具备隔离条件",
        site_name="淇滨区隔离酒店",
    )
    quarantine.refresh_from_db()
    assert quarantine.status == "transferred" and quarantine.ended_on == day3
    assert new.kind == "central_quarantine" and new.transferred_from == quarantine and new.start_date == day3
    assert new.planned_end == quarantine.planned_end  # what remained of the period
    old = HealthCheck.objects.filter(followup=quarantine)
    assert old.filter(status="missed").count() == 5  # days 1-2 both, day 3 morning
    assert old.filter(status="cancelled").count() == 23
    assert HealthCheck.objects.filter(followup=new, slot_date=day3).count() == 1  # day 3 afternoon
    counts = followup_counts(prefix=QINGHUAYUAN, day=day3)
    assert counts.in_measure["home_quarantine"] == 0 and counts.in_measure["central_quarantine"] == 1
    assert counts.checks_missed == 1 and counts.checks_overdue == 0


def test_an_open_referral_moves_with_the_person(quarantine, qinghuayuan_worker, clock):
    clock.at(DAY1, 9)
    check = HealthCheck.objects.get(followup=quarantine, slot_date=DAY1, slot=0)
    health_check_record(user=qinghuayuan_worker, check=check, temperature="38.0")
    new = followup_transfer(
        user=qinghuayuan_worker,
        followup=quarantine,
        kind="central_quarantine",
        reason="发热，转集中隔离",
        site_name="隔离点A",
    )
    assert Referral.objects.get().followup == new and new.status == "escalated"
    assert FollowUp.objects.filter(status__in=["active", "extended", "escalated"]).count() == 1
    assert FollowUpDayCount.objects.exists()
