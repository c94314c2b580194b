"""The two rules of the arrivals queue, kept in one place so every source
applies the same ones:

- ``arrival_flags``: what an arrival is flagged for (fever, a risk-area origin
  on the day of arrival), whatever reported it — a checkpoint passage, a
  self-report, a door-to-door visit or an imported list;
- ``passage_queues``: whether an inbound checkpoint passage puts an arrival
  into the destination community's queue (``ArrivalRule``, kept by the city
  HQ; a resident passing their own village gate does not).

Both run on the passage hot path without a query of their own: the risk
levels come from the caller (already loaded for the passage) or the
per-process cache of ``checkpoints.services.current_risk_levels``, and the
queue rule is cached per process for ``RULE_CACHE_SECONDS``."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from decimal import InvalidOperation

from django.conf import settings
from django.utils import timezone

from fangkong.lib.vitals import is_fever

from .choices import ArrivalFlag


def arrival_flags(
    *, temperature=None, origin_code: str = "", arrived_on: dt.date, risk_levels: dict[str, str] | None = None
) -> list[str]:
    """The flags of one arrival, sorted: ``fever`` for a temperature of 37.3 ℃
    or more; ``risk_area`` when the origin (or its province) is a risk area on
    ``arrived_on``. ``risk_levels``: the risk levels that apply on that day,
    if the caller has them (``current_risk_levels(arrived_on)``); else they are
    read (cached per process)."""
    flags = []
    if temperature is not None:
        try:
            if is_fever(temperature):
                flags.append(ArrivalFlag.FEVER.value)
        except InvalidOperation:
            pass
    if origin_code:
        # Imported here: checkpoints.services imports screening (passages queue arrivals).
        from fangkong.checkpoints.services import current_risk_levels, risk_level_for

        if risk_levels is None:
            # Only today's list is cached per process (the passages' hot path reads it).
            risk_levels = current_risk_levels(arrived_on, cached=arrived_on == timezone.localdate())
        if risk_level_for(origin_code, risk_levels):
            flags.append(ArrivalFlag.RISK_AREA.value)
    return sorted(flags)


# ---------------------------------------------------------------- which passages queue an arrival


@dataclass(frozen=True)
class QueueRule:
    """A snapshot of ``ArrivalRule``: which inbound passages queue an arrival."""

    everyone: bool = False
    outside_city: bool = True
    risk_area: bool = True
    fever: bool = True
    not_registered: bool = True


# Read on every inbound registration: kept per process for a few seconds (a
# change made in this process clears it at once; other processes see it within
# RULE_CACHE_SECONDS). Off under tests: a test's rolled-back rule must not
# outlive it.
RULE_CACHE_SECONDS = 0 if settings.TESTING else 30
_rule_cache: dict[str, tuple[float, QueueRule]] = {}


def clear_rule_cache() -> None:
    _rule_cache.clear()


def queue_rule() -> QueueRule:
    """The current queue rule (the defaults until HQ saves one)."""
    now = time.monotonic()
    hit = _rule_cache.get("rule")
    if hit is not None and hit[0] > now:
        return hit[1]
    from .models import ArrivalRule

    row = ArrivalRule.objects.filter(pk=ArrivalRule.SINGLETON).first()
    rule = row.snapshot() if row is not None else QueueRule()
    if RULE_CACHE_SECONDS:
        _rule_cache["rule"] = (now + RULE_CACHE_SECONDS, rule)
    return rule


def from_outside_city(origin_code: str) -> bool:
    """Whether an origin lies outside this city. A province alone (e.g. "41")
    says nothing about the city, so it counts as outside."""
    from fangkong.regions.selectors import city_code

    return not (origin_code or "").startswith(city_code())


def passage_queues(
    rule: QueueRule, *, origin_code: str, flags: list[str], home_code: str, destination_code: str
) -> bool:
    """Whether an inbound passage bound for ``destination_code`` queues an
    arrival there. ``home_code``: the division of the person in the registry
    ("" if unknown). The passage is recorded either way."""
    if rule.everyone:
        return True
    if rule.outside_city and from_outside_city(origin_code):
        return True
    if rule.risk_area and ArrivalFlag.RISK_AREA in flags:
        return True
    if rule.fever and ArrivalFlag.FEVER in flags:
        return True
    return rule.not_registered and not (home_code and home_code.startswith(destination_code[:12]))
