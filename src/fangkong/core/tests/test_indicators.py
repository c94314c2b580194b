"""Every declared indicator's function equals a raw count of the records, per
division and day, on a small scenario made through the services; and
``indicator_values`` answers only inside the user's jurisdiction."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from conftest import QIBIN, QINGHUAYUAN, TAISHANLU, XIMAZHUANG, XUNXIAN, new_resident_id
from fangkong.core.indicators import get, indicator_values, indicators

EXPECTED = [
    "passages",
    "passages_flagged",
    "passages_fever",
    "arrivals_pending",
    "arrivals_handled",
    "self_reports",
    "returnees",
    "screening_coverage",
    "in_home_quarantine",
    "in_central_quarantine",
    "in_health_monitoring",
    "in_medical_observation",
    "checks_due",
    "checks_done",
    "checks_overdue",
    "referrals_open",
    "deliveries_open",
    "deliveries_overdue",
]


def _local(ts):
    return timezone.localtime(ts).date() if ts else None


def _under(model, division):
    return [r for r in model.objects.all() if r.division_code.startswith(division)]


def _end(day):
    """The moment "at the end of the day" means: midnight after it, or now for today."""
    now = timezone.now()
    if day >= timezone.localdate():
        return now
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def raw(code: str, division: str, day: dt.date) -> int:
    from fangkong.checkpoints.models import Passage
    from fangkong.followups.models import DeliveryRequest, FollowUp, HealthCheck, Referral
    from fangkong.people.models import Household
    from fangkong.screening.models import Arrival, Returnee, Visit

    past = day < timezone.localdate()
    end = _end(day)
    if code.startswith("passages"):
        rows = [p for p in _under(Passage, division) if _local(p.registered_at) == day]
        return sum(
            1
            for p in rows
            if code == "passages"
            or (code == "passages_fever" and p.fever)
            or (code == "passages_flagged" and (p.fever or p.risk_area))
        )
    if code == "arrivals_pending":
        return sum(
            1
            for a in _under(Arrival, division)
            if a.created_on <= day and (a.handled_on is None or a.handled_on > day) and (past or a.status == "pending")
        )
    if code == "arrivals_handled":
        return sum(1 for a in _under(Arrival, division) if a.handled_on == day)
    if code == "self_reports":
        return sum(1 for a in _under(Arrival, division) if a.created_on == day and a.source == "self_report")
    if code == "returnees":
        return sum(1 for r in _under(Returnee, division) if r.confirmed_on == day)
    if code == "screening_coverage":
        households = len(_under(Household, division))
        screened = sum(
            1
            for v in _under(Visit, division)
            if v.screened_on and v.screened_on <= day and v.campaign.starts_on <= day <= v.campaign.ends_on
        )
        return 100 * screened // households if households else 0
    if code.startswith("in_"):
        return sum(
            1
            for f in _under(FollowUp, division)
            if f.kind == code[3:] and f.start_date <= day and (f.ended_on is None or f.ended_on > day)
        )
    if code.startswith("checks_"):
        checks = [c for c in _under(HealthCheck, division) if c.slot_date == day]
        if code == "checks_due":
            return sum(1 for c in checks if c.status != "cancelled")
        if code == "checks_done":
            return sum(1 for c in checks if c.status == "done")
        return sum(1 for c in checks if c.status == "due" and c.window_end <= timezone.now())
    if code == "referrals_open":
        return sum(
            1
            for r in _under(Referral, division)
            if _local(r.opened_at) <= day
            and not (r.picked_up_at or r.closed_at)
            or _local(r.opened_at) <= day < _local(r.picked_up_at or r.closed_at)
        )
    if code.startswith("deliveries_"):
        open_ = [
            d
            for d in _under(DeliveryRequest, division)
            if _local(d.requested_at) <= day
            and not any(x and _local(x) <= day for x in (d.delivered_at, d.cancelled_at))
        ]
        if code == "deliveries_open":
            return len(open_)
        return sum(1 for d in open_ if (d.needed_by < end if past else d.needed_by <= end))
    raise AssertionError(code)


@pytest.fixture
def scenario(
    hq_officer, checkpoint_staff, qinghuayuan_worker, ximazhuang_worker, zhang_san, household_qhy, household_xmz
):
    """Passages yesterday and today at a 淇滨区 checkpoint (some feverish, some
    from a risk area, inbound ones queue arrivals in 清华园社区), self-reports,
    a dismissal, a returnee, follow-ups with a feverish check (a referral), a
    delivery, and a door-to-door campaign with a visit."""
    from fangkong.checkpoints.services import PassageIn, checkpoint_create, passage_register_batch, risk_area_create
    from fangkong.followups.models import HealthCheck
    from fangkong.followups.services import delivery_request_create, followup_start, health_check_record
    from fangkong.people.identity import recorded_identity
    from fangkong.screening.services import (
        arrival_dismiss,
        arrival_record,
        campaign_start,
        returnee_confirm,
        visit_record,
    )

    today = timezone.localdate()
    now = timezone.now()
    risk_area_create(actor=hq_officer, origin_code="4201", level="high", starts_on=today - dt.timedelta(days=30))
    cp = checkpoint_create(actor=hq_officer, level="county", division_code=QIBIN, name="测试卡点", kind="highway")
    items = []
    for i in range(12):
        inbound = i % 3 != 0
        items.append(
            PassageIn(
                direction="in" if inbound else "out",
                temperature="38.1" if i % 4 == 1 else "36.5",
                doc_number=new_resident_id("410102"),
                name="测试",
                origin="4201" if i % 2 else "4101",
                destination=QINGHUAYUAN if inbound else "",
                client_key=f"ind-{i}",
                registered_at=now - dt.timedelta(hours=30 if i % 5 == 0 else 0),
            )
        )
    results = passage_register_batch(actor=checkpoint_staff, checkpoint=cp, items=items)
    assert all(r.status == "created" for r in results), [r.errors for r in results if r.errors]
    for code in (QINGHUAYUAN, XIMAZHUANG, QINGHUAYUAN):
        arrival_record(
            actor=None,
            division_code=code,
            source="self_report",
            origin_code="4201",
            origin_name="湖北省武汉市",
            identity=recorded_identity(name="钱多多", doc_number=new_resident_id("420102"), phone="13600001111"),
        )
    from fangkong.screening.models import Arrival

    pending = list(Arrival.objects.filter(status="pending", division_code=QINGHUAYUAN).order_by("id"))
    arrival_dismiss(user=qinghuayuan_worker, arrival=pending[0], reason="途经")
    returnee_confirm(user=qinghuayuan_worker, arrival=pending[1], measure="health_monitoring", measure_reason="返乡")
    f = followup_start(
        user=qinghuayuan_worker,
        person=zhang_san,
        kind="home_quarantine",
        reason="返乡",
        start_date=today - dt.timedelta(days=1),
    )
    check = HealthCheck.objects.filter(followup=f, slot_date=today).order_by("slot").first()
    if check is not None and check.window_start <= now:
        health_check_record(user=qinghuayuan_worker, check=check, temperature="38.2")
    delivery_request_create(
        user=qinghuayuan_worker, person=zhang_san, category="food", items="米", needed_by=now + dt.timedelta(hours=3)
    )
    campaign = campaign_start(
        user=qinghuayuan_worker,
        division_code=QINGHUAYUAN,
        name="入户排查",
        starts_on=today,
        ends_on=today + dt.timedelta(days=2),
    )
    visit_record(user=qinghuayuan_worker, campaign=campaign, household=household_qhy, result="none")
    return today


def test_every_expected_indicator_is_declared_with_a_label_and_unit():
    assert [i.code for i in indicators()] == EXPECTED
    for i in indicators():
        assert str(i.label) and str(i.unit) and i.capability


@pytest.mark.django_db
def test_each_indicator_equals_a_raw_count_of_the_records(scenario):
    today = scenario
    nonzero = set()
    for division in ("4106", QIBIN, TAISHANLU, QINGHUAYUAN, XUNXIAN, XIMAZHUANG):
        for day in (today - dt.timedelta(days=2), today - dt.timedelta(days=1), today):
            for i in indicators():
                value = i.value(division, day)
                assert value == raw(i.code, division, day), (i.code, division, day)
                if value:
                    nonzero.add(i.code)
    assert {
        "passages",
        "passages_flagged",
        "passages_fever",
        "arrivals_pending",
        "arrivals_handled",
        "self_reports",
        "returnees",
        "screening_coverage",
        "in_home_quarantine",
        "in_health_monitoring",
        "checks_due",
        "deliveries_open",
    } <= nonzero


@pytest.mark.django_db
def test_indicator_values_are_the_functions_values_inside_the_jurisdiction(
    scenario, qinghuayuan_worker, ximazhuang_worker, checkpoint_staff
):
    today = scenario
    values = indicator_values(qinghuayuan_worker, QINGHUAYUAN, today)
    assert values == {i.code: i.value(QINGHUAYUAN, today) for i in indicators()}
    assert indicator_values(qinghuayuan_worker, QINGHUAYUAN, today, codes=["returnees"]) == {
        "returnees": get("returnees").value(QINGHUAYUAN, today)
    }
    for user, division, codes in [
        (ximazhuang_worker, QINGHUAYUAN, None),
        (qinghuayuan_worker, QIBIN, None),
        (qinghuayuan_worker, "41061", None),
        (qinghuayuan_worker, QINGHUAYUAN, ["nope"]),
        (checkpoint_staff, QIBIN, ["returnees"]),
    ]:
        with pytest.raises(Http404):
            indicator_values(user, division, today, codes=codes)
    # A checkpoint worker sees the checkpoint figures only.
    assert list(indicator_values(checkpoint_staff, QIBIN, today)) == ["passages", "passages_flagged", "passages_fever"]
