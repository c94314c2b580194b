import dataclasses
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from conftest import QINGHUAYUAN, new_resident_id
from fangkong.core.models import Throttle
from fangkong.core.throttle import Throttled
from fangkong.screening.models import Arrival
from fangkong.screening.services import (
    SELF_REPORT_PER_DAY,
    SELF_REPORT_PER_MINUTE,
    SelfReport,
    self_report_submit,
    self_report_throttle,
)

from .helpers import an_arrival


def a_report(**changes) -> SelfReport:
    base = SelfReport(
        name="孙七",
        doc_number=new_resident_id("420102"),
        phone="13900001234",
        origin_code="42",
        arrived_on=timezone.localdate() - dt.timedelta(days=1),
        destination_code=QINGHUAYUAN,
        address="泰山路8号院1号楼",
        travel_mode="train",
        travel_number="G507",
    )
    return dataclasses.replace(base, **changes)


def test_a_self_report_lands_in_the_community_queue(hebi):
    a = self_report_submit(report=a_report())
    assert a.source == "self_report" and a.division_code == QINGHUAYUAN and a.created_by is None
    assert a.origin_name == "湖北省" and a.address == "泰山路8号院1号楼" and a.note == "本人申报"


def test_a_family_member_may_report(hebi):
    assert self_report_submit(report=a_report(reporter="family")).note == "家属代为申报"


def test_a_report_of_someone_already_waiting_merges(hebi):
    number = new_resident_id("420102")
    first = an_arrival(number=number)
    a = self_report_submit(report=a_report(doc_number=number))
    assert a.pk == first.pk and a.reports == 2 and Arrival.objects.count() == 1


@pytest.mark.parametrize(
    "field,value",
    [
        ("doc_number", "420102199001011234"),
        ("doc_number", "12345"),
        ("phone", "12345"),
        ("phone", ""),
        ("origin_code", "4106"),
        ("origin_code", "00"),
        ("destination_code", "410621002"),
        ("destination_code", "110105001001"),
        ("destination_code", "<script>"),
        ("address", " "),
        ("arrived_on", None),
        ("travel_mode", "rocket"),
    ],
)
def test_bad_input_is_reported_by_field_and_nothing_saved(hebi, field, value):
    with pytest.raises(ValidationError) as exc:
        self_report_submit(report=a_report(**{field: value}))
    assert field in exc.value.message_dict
    assert not Arrival.objects.exists()


def test_an_arrival_date_in_the_future_is_refused(hebi):
    with pytest.raises(ValidationError) as exc:
        self_report_submit(report=a_report(arrived_on=timezone.localdate() + dt.timedelta(days=1)))
    assert "arrived_on" in exc.value.message_dict


def test_the_throttle_allows_a_few_a_minute(db):
    now = timezone.now().replace(second=30)
    for _ in range(SELF_REPORT_PER_MINUTE):
        self_report_throttle(client="10.0.0.1", now=now)
    with pytest.raises(Throttled) as exc:
        self_report_throttle(client="10.0.0.1", now=now)
    assert 0 < exc.value.retry_after <= 60 and "提交太频繁" in str(exc.value)
    self_report_throttle(client="10.0.0.2", now=now)  # another client is not affected


def test_the_throttle_caps_a_day(db):
    start = timezone.localtime().replace(hour=8, minute=0, second=30)
    for i in range(SELF_REPORT_PER_DAY):
        self_report_throttle(client="10.0.0.3", now=start + dt.timedelta(minutes=i))
    with pytest.raises(Throttled):
        self_report_throttle(client="10.0.0.3", now=start + dt.timedelta(minutes=SELF_REPORT_PER_DAY + 1))


def test_the_throttle_never_stores_the_address(db):
    self_report_throttle(client="10.9.8.7")
    assert Throttle.objects.count() == 2  # a minute and a day window
    assert not Throttle.objects.filter(key__contains="10.9.8.7").exists()
    assert not Throttle.objects.filter(window__contains="10.9.8.7").exists()


@pytest.mark.skipif(
    __import__("django.conf", fromlist=["settings"]).settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
    reason="concurrent writers need PostgreSQL (SQLite serializes writes)",
)
def test_two_reports_of_the_same_person_at_once_merge(committed_db):
    import threading

    from django.db import connection

    number = new_resident_id("420102")
    barrier = threading.Barrier(4)
    errors = []

    def submit():
        try:
            barrier.wait()
            self_report_submit(report=a_report(doc_number=number))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    a = Arrival.objects.get()
    assert a.reports == 4
