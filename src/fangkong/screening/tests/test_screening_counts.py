import datetime as dt

from django.utils import timezone

from conftest import QIBIN, QINGHUAYUAN, TAISHANLU, XIMAZHUANG, XUNXIAN
from fangkong.people.services import household_create
from fangkong.screening.models import Arrival, Returnee
from fangkong.screening.selectors import arrivals_pending_count, screening_counts
from fangkong.screening.services import arrival_dismiss, returnee_confirm, visit_record

from .helpers import a_campaign, an_arrival


def _raw(prefix, day):
    under = Arrival.objects.under(prefix)
    return {
        "arrivals_new": under.filter(created_on=day).count(),
        "self_reports": under.filter(created_on=day, source="self_report").count(),
        "arrivals_handled": under.filter(handled_on=day).count(),
        "arrivals_pending": under.filter(status="pending").count(),
        "returnees": Returnee.objects.under(prefix).filter(confirmed_on=day).count(),
    }


def test_counts_match_raw_rows_for_every_prefix(qinghuayuan_worker, ximazhuang_worker):
    today = timezone.localdate()
    arrivals = [an_arrival() for _ in range(3)] + [an_arrival(source="self_report") for _ in range(2)]
    arrivals += [an_arrival(XIMAZHUANG), an_arrival(XIMAZHUANG, source="self_report")]
    arrival_dismiss(user=qinghuayuan_worker, arrival=arrivals[0], reason="途经")
    returnee_confirm(user=qinghuayuan_worker, arrival=arrivals[1], measure="health_monitoring", measure_reason="返乡")
    returnee_confirm(user=ximazhuang_worker, arrival=arrivals[5], measure="health_monitoring", measure_reason="返乡")
    c = a_campaign(qinghuayuan_worker)
    for i in range(3):
        h = household_create(user=qinghuayuan_worker, division_code=QINGHUAYUAN, address=f"{i}号")
        visit_record(user=qinghuayuan_worker, campaign=c, household=h, result="none" if i else "nobody_home")
    for prefix in ("4106", QIBIN, TAISHANLU, QINGHUAYUAN, XUNXIAN, XIMAZHUANG, "410622"):
        counts = screening_counts(prefix=prefix, day=today)
        raw = _raw(prefix, today)
        assert {k: getattr(counts, k) for k in raw} == raw, prefix
    q = screening_counts(prefix=QINGHUAYUAN, day=today)
    assert (q.households_screened, q.households_revisit, q.households_in_campaigns) == (2, 1, 3)
    assert q.coverage_percent == round(200 / 3, 1)
    assert screening_counts(prefix=XUNXIAN, day=today).households_screened == 0


def test_pending_on_a_past_day_counts_what_was_waiting_then(qinghuayuan_worker):
    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    old = an_arrival()
    Arrival.objects.filter(pk=old.pk).update(created_on=yesterday)
    handled_today = an_arrival()
    Arrival.objects.filter(pk=handled_today.pk).update(created_on=yesterday)
    arrival_dismiss(user=qinghuayuan_worker, arrival=handled_today, reason="重复")
    an_arrival()  # arrived today
    assert arrivals_pending_count(prefix=QINGHUAYUAN, day=yesterday) == 2
    assert arrivals_pending_count(prefix=QINGHUAYUAN, day=today) == 2
    assert screening_counts(prefix=QINGHUAYUAN, day=yesterday).arrivals_new == 2
