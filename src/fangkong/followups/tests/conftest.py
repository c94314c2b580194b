"""Fixtures for the followups tests: a second worker at 清华园社区 (the community
head who approves releases), a clock that can be moved, and a follow-up."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from conftest import QINGHUAYUAN


@pytest.fixture
def qinghuayuan_head(hebi):
    """Another 清华园社区 cadre: the second person for two-person approvals."""
    from fangkong.accounts.models import Assignment, User

    user, _ = User.objects.get_or_create(username="qinghuayuan_head", defaults={"full_name": "清华园书记"})
    Assignment.objects.get_or_create(user=user, role="grid", division_id=QINGHUAYUAN)
    return user


class Clock:
    """Moves the time (``timezone.now``, ``localdate``, a field's
    ``default=timezone.now``) with time-machine; it stands still between moves."""

    def __init__(self, traveller: time_machine.Traveller, now: dt.datetime):
        self.traveller = traveller
        self.now = now

    def set(self, when: dt.datetime) -> dt.datetime:
        if timezone.is_naive(when):
            when = timezone.make_aware(when, timezone.get_default_timezone())
        self.now = when
        self.traveller.move_to(when)
        return when

    def at(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return self.set(dt.datetime(day.year, day.month, day.day, hour, minute))

    def advance(self, **kwargs) -> dt.datetime:
        return self.set(self.now + dt.timedelta(**kwargs))


@pytest.fixture
def clock():
    now = timezone.now()
    with time_machine.travel(now, tick=False) as traveller:
        yield Clock(traveller, now)


DAY1 = dt.date(2020, 2, 1)


@pytest.fixture
def quarantine(clock, qinghuayuan_worker, zhang_san):
    """张三 in 14 days' home quarantine, started 2020-02-01 at 08:00."""
    from fangkong.followups.services import followup_start

    clock.at(DAY1, 8)
    return followup_start(
        user=qinghuayuan_worker,
        person=zhang_san,
        kind="home_quarantine",
        reason="武汉返回，14天内",
        source_ref="arrival:1",
    )
