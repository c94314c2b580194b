"""Test helpers: record every check of a follow-up the way a worker would."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from fangkong.followups.models import HealthCheck
from fangkong.followups.services import health_check_record


def record_all(user, followup, clock, *, temperature="36.5", fever_on: dt.date | None = None) -> None:
    """Record each due check inside its window (moving the clock), in slot order."""
    for check in HealthCheck.objects.filter(followup=followup, status="due").order_by("window_start"):
        clock.set(timezone.localtime(check.window_start) + dt.timedelta(minutes=30))
        t = "37.9" if fever_on and check.slot_date == fever_on and check.slot == 0 else temperature
        health_check_record(user=user, check=check, temperature=t)
