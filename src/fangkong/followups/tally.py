"""Keeping FollowUpDayCount exact: every service that changes a counted fact
calls ``bump`` in its own transaction. One upsert statement per (code, day),
the same SQL on SQLite and PostgreSQL; rows are touched in (code, day) order
so concurrent services never deadlock on them."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import connection

from .models import FollowUpDayCount

COLUMNS = tuple(
    f.column for f in FollowUpDayCount._meta.concrete_fields if f.column not in ("id", "division_code", "day")
)


def bump(changes: dict[tuple[str, dt.date], dict[str, int]]) -> None:
    """Add ``changes[(division_code, day)][column]`` to the roll-up."""
    table = FollowUpDayCount._meta.db_table
    with connection.cursor() as cursor:
        for (code, day), deltas in sorted(changes.items()):
            deltas = {c: n for c, n in deltas.items() if n}
            if not deltas:
                continue
            unknown = set(deltas) - set(COLUMNS)
            if unknown:
                raise ValueError(f"unknown counters: {unknown}")
            cols = sorted(deltas)
            zero = [c for c in COLUMNS if c not in deltas]
            sql = (
                f"INSERT INTO {table} (division_code, day, {', '.join(cols + zero)}) "
                f"VALUES (%s, %s, {', '.join(['%s'] * (len(cols) + len(zero)))}) "
                f"ON CONFLICT (division_code, day) DO UPDATE SET "
                + ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in cols)
            )
            cursor.execute(sql, [code, day, *[deltas[c] for c in cols], *[0] * len(zero)])


def bump_one(code: str, day: dt.date, **deltas: int) -> None:
    bump({(code, day): deltas})


class Changes:
    """Collects counter changes, then applies them in one ordered pass."""

    def __init__(self):
        self._d: dict[tuple[str, dt.date], dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def add(self, code: str, day: dt.date, column: str, n: int = 1) -> None:
        self._d[(code, day)][column] += n

    def apply(self) -> None:
        bump({k: dict(v) for k, v in self._d.items()})
