"""When health checks are due: the daily check windows and the slots of a period.

The windows come from ``settings.FANGKONG_CHECK_WINDOWS`` if set, else the
environment variable of the same name, else ``07:00-12:00,14:00-19:00``
(morning and afternoon, Asia/Shanghai). A slot is one window on one day; its
index in the list is stored on the check (0 = morning, 1 = afternoon)."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

DEFAULT_WINDOWS = "07:00-12:00,14:00-19:00"
# Release needs no fever in this many last days of the period.
NO_FEVER_DAYS = 3

_WINDOW = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class Window:
    start: dt.time
    end: dt.time


def parse_windows(text: str) -> tuple[Window, ...]:
    """'07:00-12:00,14:00-19:00' → two windows; raises ImproperlyConfigured on a bad value."""
    windows = []
    for part in (text or "").split(","):
        m = _WINDOW.match(part)
        if not m:
            raise ImproperlyConfigured(f"FANGKONG_CHECK_WINDOWS: {part!r} is not HH:MM-HH:MM")
        h1, m1, h2, m2 = (int(g) for g in m.groups())
        try:
            w = Window(dt.time(h1, m1), dt.time(h2, m2))
        except ValueError:
            raise ImproperlyConfigured(f"FANGKONG_CHECK_WINDOWS: {part!r} is not a time of day") from None
        if w.end <= w.start:
            raise ImproperlyConfigured(f"FANGKONG_CHECK_WINDOWS: {part!r} ends before it starts")
        if windows and w.start < windows[-1].end:
            raise ImproperlyConfigured("FANGKONG_CHECK_WINDOWS: windows must be in order and not overlap")
        windows.append(w)
    if not windows:
        raise ImproperlyConfigured("FANGKONG_CHECK_WINDOWS: at least one window is needed")
    return tuple(windows)


def check_windows() -> tuple[Window, ...]:
    text = (
        getattr(settings, "FANGKONG_CHECK_WINDOWS", None) or os.environ.get("FANGKONG_CHECK_WINDOWS") or DEFAULT_WINDOWS
    )
    return parse_windows(text)


@dataclass(frozen=True)
class Slot:
    day: dt.date
    index: int
    window_start: dt.datetime
    window_end: dt.datetime


def _at(day: dt.date, t: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, t), timezone.get_default_timezone())


def slots(first_day: dt.date, days: int, *, not_ended_before: dt.datetime | None = None) -> list[Slot]:
    """Every slot of ``days`` days from ``first_day``; slots whose window ended
    before ``not_ended_before`` are left out (nobody could have done them)."""
    windows = check_windows()
    result = []
    for d in range(days):
        day = first_day + dt.timedelta(days=d)
        for i, w in enumerate(windows):
            s = Slot(day, i, _at(day, w.start), _at(day, w.end))
            if not_ended_before is None or s.window_end > not_ended_before:
                result.append(s)
    return result


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[00:00, next 00:00) of a local day, as aware datetimes."""
    return _at(day, dt.time(0)), _at(day + dt.timedelta(days=1), dt.time(0))
