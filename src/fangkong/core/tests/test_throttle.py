"""core.throttle: the one request limit. Counted in the database (one atomic
upsert per limit), so every server process shares it; keys are keyed hashes,
never the address, number or user they stand for; expired windows go away."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from fangkong.core import throttle
from fangkong.core.models import Throttle
from fangkong.core.throttle import Limit, Throttled

SRC = Path(__file__).resolve().parents[3]
AT = dt.datetime(2020, 2, 3, 12, 30, 10, tzinfo=dt.UTC)  # 20:30:10 in Hebi


def test_a_limit_allows_its_cap_then_refuses_until_the_window_ends(db):
    limit = Limit("test.minute", cap=3, seconds=60)
    for _ in range(3):
        throttle.hit("203.0.113.7", limit, now=AT)
    with pytest.raises(Throttled) as refused:
        throttle.hit("203.0.113.7", limit, now=AT)
    assert refused.value.retry_after == 50 and refused.value.limit == limit
    throttle.hit("203.0.113.7", limit, now=AT + dt.timedelta(seconds=50))  # the next window


def test_each_subject_has_its_own_count(db):
    limit = Limit("test.minute", cap=1, seconds=60)
    throttle.hit("203.0.113.7", limit, now=AT)
    throttle.hit("203.0.113.8", limit, now=AT)
    with pytest.raises(Throttled):
        throttle.hit("203.0.113.7", limit, now=AT)


def test_limits_are_counted_in_order_and_the_first_passed_refuses(db):
    minute, day = Limit("test.minute", cap=2, seconds=60), Limit("test.day", cap=3, seconds=86400)
    for i in range(3):
        throttle.hit("c", minute, day, now=AT + dt.timedelta(minutes=i))
    with pytest.raises(Throttled) as refused:
        throttle.hit("c", minute, day, now=AT + dt.timedelta(minutes=3))
    # A day window ends at local midnight (Hebi: UTC+8), 3 h 26 min 50 s after 20:33:10.
    assert refused.value.limit == day and refused.value.retry_after == 3 * 3600 + 26 * 60 + 50


def test_a_refused_request_is_not_counted_in_the_limits_after_it(db):
    minute, day = Limit("test.minute", cap=1, seconds=60), Limit("test.day", cap=5, seconds=86400)
    throttle.hit("c", minute, day, now=AT)
    for _ in range(3):
        with pytest.raises(Throttled):
            throttle.hit("c", minute, day, now=AT)
    assert Throttle.objects.get(window__startswith="test.day").count == 1


def test_the_table_holds_no_address_number_or_user_in_clear(db):
    throttle.hit("41061119800101011X", Limit("test.minute", cap=5, seconds=60), now=AT)
    row = Throttle.objects.get()
    assert "41061119800101011X" not in row.key + row.window and "0101011" not in row.key
    assert len(row.key) == 64 and row.window == "test.minute@202002032030"
    assert row.expires_at == AT.replace(second=0) + dt.timedelta(minutes=1)


def test_opening_a_window_forgets_the_expired_ones(db):
    limit = Limit("test.minute", cap=5, seconds=60)
    throttle.hit("a", limit, now=AT)
    throttle.hit("b", limit, now=AT)
    throttle.hit("a", limit, now=AT + dt.timedelta(minutes=1))  # a new window: the old ones have expired
    assert list(Throttle.objects.values_list("window", "count")) == [("test.minute@202002032031", 1)]


def test_purge_forgets_expired_windows_only(db):
    limit = Limit("test.minute", cap=5, seconds=60)
    throttle.hit("b", limit)
    throttle.hit("a", limit, now=AT)  # long ago
    assert throttle.purge() == 1 and Throttle.objects.count() == 1


def test_the_refusal_says_when_to_try_again_in_the_users_language(db):
    from django.utils import translation

    limit = Limit("test.minute", cap=1, seconds=60)
    throttle.hit("c", limit, now=AT)
    with pytest.raises(Throttled) as refused:
        throttle.hit("c", limit, now=AT)
    assert str(refused.value) == "请求过于频繁，请 50 秒后再试。"
    with translation.override("en"):
        assert str(refused.value) == "Too many requests: please try again in 50 seconds."


def test_a_limit_may_say_what_it_limits(db):
    from django.utils.translation import gettext_lazy

    limit = Limit(
        "test.lookup",
        cap=1,
        seconds=600,
        message=gettext_lazy("身份证查询过于频繁：每10分钟最多 %(cap)s 次，请 %(seconds)s 秒后再试。"),
    )
    throttle.hit("7", limit, now=AT)
    with pytest.raises(Throttled) as refused:
        throttle.hit("7", limit, now=AT)
    assert str(refused.value) == "身份证查询过于频繁：每10分钟最多 1 次，请 590 秒后再试。"


# ---------------------------------------------------------------- two real processes

WORKER = """
import sys
import django
django.setup()
from fangkong.core import throttle
limit = throttle.Limit("test.race", cap=int(sys.argv[1]), seconds=86400)
print("ready", flush=True)
sys.stdin.readline()
allowed = 0
for _ in range(int(sys.argv[2])):
    try:
        throttle.hit("198.51.100.1", limit)
        allowed += 1
    except throttle.Throttled:
        pass
print(allowed, flush=True)
"""


def _worker_env(**database) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "FANGKONG_SQLITE_PATH")}
    return {
        **env,
        "PYTHONPATH": str(SRC),
        "DJANGO_SETTINGS_MODULE": "fangkong.settings",
        "FANGKONG_TESTING": "1",
        "FANGKONG_SECRET_KEY": settings.SECRET_KEY,
        "FANGKONG_DATA_KEY": settings.DATA_KEY,
        **database,
    }


def _race(env: dict, *, cap: int, each: int) -> list[int]:
    """Two OS processes hit the same limit at once, ``each`` times; what each was allowed."""
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(cap), str(each)],
            env=env,
            text=True,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    try:
        for w in workers:
            assert w.stdout is not None and w.stderr is not None and w.stdin is not None
            assert w.stdout.readline().strip() == "ready", w.stderr.read()
        for w in workers:  # both are connected and waiting: go
            assert w.stdin is not None
            w.stdin.write("go\n")
            w.stdin.flush()
        results = []
        for w in workers:
            out, err = w.communicate(timeout=120)
            assert w.returncode == 0, err
            results.append(int(out.strip()))
        return results
    finally:
        for w in workers:
            if w.poll() is None:
                w.kill()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite run")
def test_two_processes_on_one_sqlite_file_are_allowed_the_cap_exactly(tmp_path):
    """The suite's SQLite test database lives in memory, which no other process
    can open: the workers share a file database migrated for the purpose."""
    path = tmp_path / "throttle.sqlite3"
    env = _worker_env(FANGKONG_SQLITE_PATH=str(path))
    migrate = subprocess.run(
        [sys.executable, "-m", "django", "migrate", "core", "-v", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert migrate.returncode == 0, migrate.stderr
    allowed = _race(env, cap=40, each=60)
    assert sum(allowed) == 40
    with sqlite3.connect(path) as db:  # both workers counted every request
        row = db.execute('SELECT "count" FROM core_throttle WHERE "window" LIKE ?', ["test.race@%"]).fetchone()
    assert row == (120,)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL run")
def test_two_processes_on_postgresql_are_allowed_the_cap_exactly(committed_db):
    db = connection.settings_dict
    url = (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    allowed = _race(_worker_env(DATABASE_URL=url), cap=40, each=60)
    assert sum(allowed) == 40
    assert Throttle.objects.get(window__startswith="test.race").count == 120
