"""The one request limit: how many requests one client may make in a window
(the public self-report per address, the checkpoint person lookup per user).

Counted in the database (``core.Throttle``), not in the cache: Django's default
cache lives in each server process, so three gunicorn workers would allow
three times the cap. A request is one statement per limit, an upsert that
returns the new count (``INSERT … ON CONFLICT (key, window) DO UPDATE SET
count = count + 1 RETURNING count``): PostgreSQL locks the row, SQLite has one
writer, so concurrent requests in any number of processes get distinct counts
and exactly ``cap`` of them are allowed.

Windows are fixed and aligned to local time (a day window starts at
midnight in the city's time zone). A key is an HMAC of the limit's name and
the client (``SECRET_KEY``), so no address, ID number or user id sits in the
table. Opening a new window deletes the expired ones, so the table holds
about one row per active client and limit; ``purge()`` does the same
(``fangkong screening purge-throttle``).

Call ``hit`` outside the caller's transaction when it may roll back: a
rolled-back hit is not counted."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from fangkong.core.models import Throttle


@dataclass(frozen=True)
class Limit:
    """At most ``cap`` requests per client in each window of ``seconds``.
    ``name`` is stable (it is part of every key and window) and says which limit
    a row belongs to. ``message``: the refusal (gettext_lazy, may use
    ``%(seconds)s`` and ``%(cap)s``); a general one when empty."""

    name: str
    cap: int
    seconds: int
    message: str = ""


class Throttled(Exception):
    """A limit refused the request; ``retry_after`` in seconds (for the
    ``Retry-After`` header), ``str()`` says so in the user's language."""

    def __init__(self, limit: Limit, retry_after: int):
        super().__init__(limit.name)
        self.limit = limit
        self.retry_after = retry_after

    def __str__(self) -> str:
        message = str(self.limit.message) if self.limit.message else _("请求过于频繁，请 %(seconds)s 秒后再试。")
        return message % {"seconds": self.retry_after, "cap": self.limit.cap}


def _key(limit: Limit, subject: str) -> str:
    return salted_hmac("fangkong.core.throttle", f"{limit.name}\x00{subject}", algorithm="sha256").hexdigest()


def _window(limit: Limit, now: dt.datetime) -> tuple[str, dt.datetime]:
    """The window's label and when it ends, aligned to local wall time."""
    local = timezone.localtime(now)
    wall = local.replace(tzinfo=None)
    seconds_in = int((wall - dt.datetime(2000, 1, 1)).total_seconds()) % limit.seconds
    start = wall.replace(microsecond=0) - dt.timedelta(seconds=seconds_in)
    ends = timezone.make_aware(start + dt.timedelta(seconds=limit.seconds), local.tzinfo)
    return f"{limit.name}@{start:%Y%m%d%H%M}", ends


_upserts: dict[str, str] = {}


def _upsert_sql() -> str:
    """Built once from the model; the same statement on SQLite (3.35+) and PostgreSQL."""
    sql = _upserts.get(connection.vendor)
    if sql is None:
        q = connection.ops.quote_name
        table = q(Throttle._meta.db_table)
        key, window, count, expires = (
            q(str(Throttle._meta.get_field(f).column))  # type: ignore[union-attr]
            for f in ("key", "window", "count", "expires_at")
        )
        sql = _upserts[connection.vendor] = (
            f"INSERT INTO {table} ({key}, {window}, {count}, {expires}) VALUES (%s, %s, 1, %s) "
            f"ON CONFLICT ({key}, {window}) DO UPDATE SET {count} = {table}.{count} + 1 RETURNING {count}"
        )
    return sql


def hit(subject: str, *limits: Limit, now: dt.datetime | None = None) -> None:
    """Count one request of ``subject`` (an address, a user id) against each
    limit in turn; raise Throttled for the first whose cap it passes (the
    limits after it are not counted)."""
    now = now or timezone.now()
    refused = None
    with transaction.atomic(), connection.cursor() as cursor:
        for limit in limits:
            window, ends = _window(limit, now)
            cursor.execute(
                _upsert_sql(), [_key(limit, subject), window, connection.ops.adapt_datetimefield_value(ends)]
            )
            (count,) = cursor.fetchall()[0]
            if count == 1:  # a new window: forget the expired ones
                Throttle.objects.filter(expires_at__lte=now).delete()
            if count > limit.cap:
                refused = Throttled(limit, max(1, math.ceil((ends - now).total_seconds())))
                break
    if refused is not None:  # raised after the commit: the count stands
        raise refused


def purge(now: dt.datetime | None = None) -> int:
    """Delete the expired windows; how many."""
    n, _deleted = Throttle.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return n
