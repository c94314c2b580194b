import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured

from fangkong.followups.models import HealthCheck
from fangkong.followups.schedule import parse_windows, slots
from fangkong.followups.services import followup_start

from .conftest import DAY1


def test_the_default_is_a_morning_and_an_afternoon_window():
    s = slots(DAY1, 1)
    assert [
        (x.window_start.astimezone().strftime("%H:%M"), x.window_end.astimezone().strftime("%H:%M")) for x in s
    ] == [("07:00", "12:00"), ("14:00", "19:00")]


@pytest.mark.parametrize("text", ["", "7-12", "12:00-07:00", "07:00-12:00,11:00-15:00", "25:00-26:00"])
def test_a_bad_window_setting_fails_loudly(text):
    with pytest.raises(ImproperlyConfigured):
        parse_windows(text)


def test_the_windows_are_configurable(settings, clock, qinghuayuan_worker, zhang_san):
    settings.FANGKONG_CHECK_WINDOWS = "06:00-10:00,12:00-14:00,18:00-21:00"
    clock.at(DAY1, 5)
    f = followup_start(
        user=qinghuayuan_worker, person=zhang_san, kind="health_monitoring", reason="试行三次", days=14
    )  # the policy's minimum
    assert HealthCheck.objects.filter(followup=f).count() == 42
    assert sorted(set(HealthCheck.objects.filter(followup=f).values_list("slot", flat=True))) == [0, 1, 2]


def test_windows_are_in_shanghai_time():
    s = slots(dt.date(2020, 2, 1), 1)[0]
    assert s.window_start.utcoffset() == dt.timedelta(hours=8) and s.window_start.hour == 7
    assert s.window_start.astimezone(dt.UTC).hour == 23
