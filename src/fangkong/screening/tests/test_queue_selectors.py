import datetime as dt
from decimal import Decimal

from django.utils import timezone

from conftest import QINGHUAYUAN, XIMAZHUANG, new_resident_id
from fangkong.people.identity import recorded_identity
from fangkong.screening.models import Campaign, Visit
from fangkong.screening.selectors import arrival_queue, visit_revisits
from fangkong.screening.services import arrival_record


def _arrival(code=QINGHUAYUAN, flags=None, source="passage"):
    ident = recorded_identity(name="钱多多", doc_number=new_resident_id("420102"))
    return arrival_record(
        actor=None, division_code=code, identity=ident, source=source, temperature=Decimal("37.9") if flags else None
    )[0]


def test_the_queue_puts_flagged_arrivals_first_then_newest(qinghuayuan_worker):
    old = _arrival()
    flagged = _arrival(flags=["fever"])
    new = _arrival()
    assert list(arrival_queue(user=qinghuayuan_worker)) == [flagged, new, old]


def test_the_queue_shows_only_pending_by_default(qinghuayuan_worker):
    a = _arrival()
    a.status = "dismissed"
    a.save(update_fields=["status"])
    assert list(arrival_queue(user=qinghuayuan_worker)) == []
    assert list(arrival_queue(user=qinghuayuan_worker, status="dismissed")) == [a]


def test_an_outsider_sees_nothing_of_another_county(ximazhuang_worker, qinghuayuan_worker):
    _arrival()
    mine = _arrival(code=XIMAZHUANG)
    assert list(arrival_queue(user=ximazhuang_worker)) == [mine]


def test_checkpoint_staff_do_not_see_the_queue(checkpoint_staff):
    _arrival()
    assert list(arrival_queue(user=checkpoint_staff)) == []


def test_revisits_are_households_last_found_with_nobody_home_in_an_open_campaign(
    qinghuayuan_worker, household_qhy, ximazhuang_worker
):
    today = timezone.localdate()
    open_ = Campaign.objects.create(
        division_code=QINGHUAYUAN, name="一轮排查", starts_on=today, ends_on=today + dt.timedelta(days=2)
    )
    ended = Campaign.objects.create(
        division_code=QINGHUAYUAN,
        name="上一轮",
        starts_on=today - dt.timedelta(days=9),
        ends_on=today - dt.timedelta(days=7),
    )
    v = Visit.objects.create(campaign=open_, household=household_qhy, division_code=QINGHUAYUAN, result="nobody_home")
    Visit.objects.create(campaign=ended, household=household_qhy, division_code=QINGHUAYUAN, result="nobody_home")
    assert list(visit_revisits(user=qinghuayuan_worker)) == [v]
    assert list(visit_revisits(user=ximazhuang_worker)) == []
    v.result = "none"
    v.save(update_fields=["result"])
    assert list(visit_revisits(user=qinghuayuan_worker)) == []
