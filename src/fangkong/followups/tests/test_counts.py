"""The command-level counts are exact: compared, prefix by prefix and day by
day, with counts of raw rows, and the maintained roll-up equals a rebuild."""

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from conftest import QINGHUAYUAN, XIMAZHUANG, new_resident_id
from fangkong.followups.models import (
    DeliveryRequest,
    FollowUp,
    FollowUpDayCount,
    HealthCheck,
    Referral,
)
from fangkong.followups.recount import recount
from fangkong.followups.selectors import followup_counts, followup_counts_for_user
from fangkong.followups.services import (
    delivery_cancel,
    delivery_mark_delivered,
    delivery_request_create,
    followup_extend,
    followup_start,
    followup_transfer,
    health_check_record,
    referral_close,
)
from fangkong.people.services import household_create, person_create

from .conftest import DAY1

GRID = QINGHUAYUAN + "001"


def _local(ts):
    return timezone.localtime(ts).date() if ts else None


def raw_counts(prefix, day, now):
    fu = [f for f in FollowUp.objects.all() if f.division_code.startswith(prefix)]
    checks = [c for c in HealthCheck.objects.all() if c.division_code.startswith(prefix) and c.slot_date == day]
    refs = [r for r in Referral.objects.all() if r.division_code.startswith(prefix)]
    dels = [d for d in DeliveryRequest.objects.all() if d.division_code.startswith(prefix)]

    def left(r):
        return _local(r.picked_up_at or r.closed_at)

    in_measure = {}
    for k in ("home_quarantine", "central_quarantine", "health_monitoring", "medical_observation"):
        in_measure[k] = sum(
            1 for f in fu if f.kind == k and f.start_date <= day and (f.ended_on is None or f.ended_on > day)
        )
    return {
        "in_measure": in_measure,
        "started": sum(1 for f in fu if f.start_date == day),
        "ended": sum(1 for f in fu if f.ended_on == day),
        "checks_due": sum(1 for c in checks if c.status != "cancelled"),
        "checks_done": sum(1 for c in checks if c.status == "done"),
        "checks_late": sum(1 for c in checks if c.status == "done" and c.late),
        "checks_overdue": sum(1 for c in checks if c.status == "due" and c.window_end <= now),
        "checks_missed": sum(1 for c in checks if c.status == "missed"),
        "referrals_opened": sum(1 for r in refs if _local(r.opened_at) == day),
        "referrals_open": sum(1 for r in refs if _local(r.opened_at) <= day and not (left(r) and left(r) <= day)),
        "referrals_closed": sum(1 for r in refs if r.status == "closed" and _local(r.closed_at) == day),
        "deliveries_requested": sum(1 for d in dels if _local(d.requested_at) == day),
        "deliveries_done": sum(1 for d in dels if _local(d.delivered_at) == day),
        "deliveries_open": sum(
            1
            for d in dels
            if _local(d.requested_at) <= day
            and not any(x and x <= day for x in (_local(d.delivered_at), _local(d.cancelled_at)))
        ),
    }


def as_dict(c):
    return {
        k: getattr(c, k)
        for k in (
            "in_measure",
            "started",
            "ended",
            "checks_due",
            "checks_done",
            "checks_late",
            "checks_overdue",
            "checks_missed",
            "referrals_opened",
            "referrals_open",
            "referrals_closed",
            "deliveries_requested",
            "deliveries_done",
            "deliveries_open",
        )
    }


@pytest.fixture
def busy_city(clock, qinghuayuan_worker, ximazhuang_worker, household_qhy, household_xmz):
    """A week of work in 清华园社区 (and one of its grids) and 西马庄村."""
    clock.at(DAY1, 8)
    grid_home = household_create(user=qinghuayuan_worker, division_code=GRID, address="泰山路1号")
    people = []
    for i, (user, hh) in enumerate(
        [
            (qinghuayuan_worker, household_qhy),
            (qinghuayuan_worker, household_qhy),
            (qinghuayuan_worker, grid_home),
            (ximazhuang_worker, household_xmz),
            (ximazhuang_worker, household_xmz),
        ]
    ):
        p = person_create(
            user=user, household=hh, name="返乡" + "甲乙丙丁戊"[i], doc_number=new_resident_id(), relation="other"
        )
        people.append((user, p))
    kinds = ["home_quarantine", "health_monitoring", "home_quarantine", "home_quarantine", "medical_observation"]
    fus = [followup_start(user=u, person=p, kind=k, reason="返乡") for (u, p), k in zip(people, kinds, strict=False)]
    for day in range(5):
        for slot, hour in ((0, 9), (1, 15)):
            clock.at(DAY1 + dt.timedelta(days=day), hour)
            for i, f in enumerate(fus):
                f.refresh_from_db()
                if not f.is_open or (i + day + slot) % 4 == 0:
                    continue  # skipped: overdue
                check = HealthCheck.objects.get(followup=f, slot_date=DAY1 + dt.timedelta(days=day), slot=slot)
                t = "37.9" if (i, day, slot) in {(0, 1, 0), (3, 2, 1)} else "36.4"
                health_check_record(user=people[i][0], check=check, temperature=t)
        if day == 1:
            late = (
                HealthCheck.objects.filter(
                    division_code__startswith=QINGHUAYUAN, status="due", window_end__lte=clock.now
                )
                .order_by("window_end")
                .first()
            )
            health_check_record(user=qinghuayuan_worker, check=late, temperature="36.5")
            referral_close(user=qinghuayuan_worker, referral=Referral.objects.get(followup=fus[0]), outcome="排除")
            d, _ = delivery_request_create(
                user=qinghuayuan_worker,
                person=people[0][1],
                category="food",
                items="米",
                needed_by=clock.now + dt.timedelta(hours=2),
            )
            d2, _ = delivery_request_create(
                user=qinghuayuan_worker,
                person=people[2][1],
                category="medicine",
                items="药",
                needed_by=clock.now + dt.timedelta(hours=2),
            )
        if day == 2:
            delivery_mark_delivered(user=qinghuayuan_worker, delivery=d)
            delivery_cancel(user=qinghuayuan_worker, delivery=d2, reason="不需要了")
            fus[2] = followup_transfer(
                user=qinghuayuan_worker, followup=fus[2], kind="central_quarantine", reason="转集中", site_name="隔离点"
            )
        if day == 3:
            followup_extend(user=ximazhuang_worker, followup=fus[4], days=3, reason="延长")
    clock.at(DAY1 + dt.timedelta(days=4), 17)
    return fus


@pytest.mark.parametrize("prefix", ["4106", "410611", "410611005", QINGHUAYUAN, GRID, "410621", XIMAZHUANG])
def test_counts_equal_raw_row_counts_for_every_prefix_and_day(busy_city, clock, prefix):
    for offset in range(-1, 7):
        day = DAY1 + dt.timedelta(days=offset)
        assert as_dict(followup_counts(prefix=prefix, day=day)) == raw_counts(prefix, day, clock.now), (prefix, day)


def test_the_scenario_is_not_trivial(busy_city, clock):
    c = followup_counts(prefix="4106", day=DAY1 + dt.timedelta(days=2))
    assert c.checks_overdue and c.checks_done and c.checks_missed and c.ended and c.referrals_opened
    assert followup_counts(prefix="4106", day=DAY1).checks_late


def test_the_maintained_roll_up_equals_a_rebuild_from_raw_rows(busy_city):
    def snapshot():
        return sorted(
            tuple(r.values())
            for r in FollowUpDayCount.objects.values(
                *[f.column for f in FollowUpDayCount._meta.concrete_fields if f.column != "id"]
            )
            if any(v for k, v in r.items() if k not in ("division_code", "day"))
        )

    maintained = snapshot()
    recount()
    assert snapshot() == maintained
    recount(QINGHUAYUAN)
    assert snapshot() == maintained


def test_counts_for_a_user_are_limited_to_their_jurisdiction(busy_city, ximazhuang_worker, county_officer):
    with pytest.raises(Http404):
        followup_counts_for_user(user=ximazhuang_worker, prefix="410611", day=DAY1)
    assert followup_counts_for_user(user=county_officer, prefix=QINGHUAYUAN, day=DAY1).started == 3
