import datetime as dt
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from conftest import QINGHUAYUAN
from fangkong.core.models import Throttle
from fangkong.people.services import household_create
from fangkong.screening.models import CoverageCount
from fangkong.screening.selectors import coverage_summary
from fangkong.screening.services import visit_record

from .helpers import a_campaign


def test_rebuild_coverage_restores_the_counters(qinghuayuan_worker):
    c = a_campaign(qinghuayuan_worker)
    h = household_create(user=qinghuayuan_worker, division_code=QINGHUAYUAN, address="1号")
    visit_record(user=qinghuayuan_worker, campaign=c, household=h, result="none")
    CoverageCount.objects.all().delete()
    out = StringIO()
    call_command("screening", "rebuild-coverage", stdout=out)
    assert "1 rows" in out.getvalue() and coverage_summary(prefix=QINGHUAYUAN).screened == 1


def test_purge_throttle_forgets_expired_windows(db):
    Throttle.objects.create(
        key="k", window="self-report.minute@202001010800", count=3, expires_at=timezone.now() - dt.timedelta(hours=1)
    )
    Throttle.objects.create(
        key="k", window="checkpoint.lookup@209901010800", count=1, expires_at=timezone.now() + dt.timedelta(minutes=5)
    )
    out = StringIO()
    call_command("screening", "purge-throttle", stdout=out)
    assert "removed: 1" in out.getvalue()
    assert list(Throttle.objects.values_list("window", flat=True)) == ["checkpoint.lookup@209901010800"]
