"""Declared indicators: the figures the command level reads, per division and
day. Each app declares its own in its AppConfig.ready() with ``register``; a
dashboard reads only this registry (``indicator_values``), never an app's
selectors.

An indicator's ``counts`` is its app's count selector in the one shape every
app offers: ``counts(*, division, day) -> dict[str, int]``, exact (tested
against raw rows) and unscoped; ``key`` picks the indicator's figure from it.
Indicators sharing a selector are counted with one call."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.http import Http404


@dataclass(frozen=True)
class Indicator:
    code: str
    label: Any  # gettext_lazy
    unit: Any  # gettext_lazy: 人, 人次, 次, 件, %
    higher_is_worse: bool
    capability: str  # needed at the division to see it
    counts: Callable[..., dict[str, int]]  # counts(*, division, day) -> {key: n}
    key: str = ""  # the figure in counts' answer; defaults to the code
    table: str = ""  # "app_label.Model" of the maintained count table behind it, if any
    order: int = 0

    def value(self, division_code: str, day: dt.date) -> int:
        """The figure under ``division_code`` on ``day`` (unscoped)."""
        return self.counts(division=division_code, day=day)[self.key or self.code]


_INDICATORS: dict[str, Indicator] = {}


def register(indicator: Indicator) -> None:
    _INDICATORS[indicator.code] = indicator


def indicators() -> list[Indicator]:
    return sorted(_INDICATORS.values(), key=lambda i: (i.order, i.code))


def get(code: str) -> Indicator:
    return _INDICATORS[code]


def indicator_values(user: Any, division_code: str, day: dt.date, codes: Iterable[str] | None = None) -> dict[str, int]:
    """The indicators' figures under ``division_code`` on ``day``, for ``user``:
    with ``codes`` those (an unknown code, or one the user may not see at that
    division, is a 404 like a division outside the jurisdiction); without, every
    indicator the user may see there (none: 404). In registry order."""
    from fangkong.accounts.scoping import user_can_see_code
    from fangkong.lib.codes import is_code

    if not is_code(division_code or ""):
        raise Http404
    if codes is None:
        chosen = [i for i in indicators() if user_can_see_code(user, division_code, i.capability)]
    else:
        codes = list(codes)
        if any(c not in _INDICATORS for c in codes):
            raise Http404
        chosen = [_INDICATORS[c] for c in codes]
        if not all(user_can_see_code(user, division_code, i.capability) for i in chosen):
            raise Http404
    if not chosen:
        raise Http404
    answers: dict[Callable[..., Any], dict[str, int]] = {}
    values = {}
    for i in chosen:
        if i.counts not in answers:
            answers[i.counts] = i.counts(division=division_code, day=day)
        values[i.code] = int(answers[i.counts][i.key or i.code])
    return values
