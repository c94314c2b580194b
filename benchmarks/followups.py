#!/usr/bin/env python
"""Follow-ups at city scale, on PostgreSQL (runnable alone):

    .venv/bin/python benchmarks/followups.py [--persons 1071429] [--keep] [--json out.json]

1. A fresh database (fangkong_bench_followups), migrated, with the Hebi divisions.
2. Minimal persons (COPY) and one follow-up each (COPY), started over the last
   14 days, so about half of every follow-up's checks lie in the past.
3. The bulk load measured against its target: 28 health checks per follow-up
   (1,071,429 × 28 = 30.0 M rows) by COPY from two processes, then the table's
   indexes and constraints built (two connections) — under 150 s. Past checks
   are recorded (1 % late), 2 % of them overdue; future ones due.
4. The roll-up rebuilt from raw rows, ANALYZE.
5. A township's overdue-check list (followups.selectors.check_list, first page
   of 50 plus its count, as the page shows it) for every township — p95 < 100 ms;
   and, for the record, a community's list and the city's day counts.
6. The database is dropped (unless --keep).

Another engineer's benchmarks/run.py can call ``measure(persons=…)``: it returns
Figure-like dicts (db, name, label, value, unit, target, higher_is_better, detail).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing as mp
import os
import struct
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

PROJECT = Path(__file__).resolve().parent.parent
DB_NAME = os.environ.get("FANGKONG_BENCH_FOLLOWUPS_DB", "fangkong_bench_followups")
SERVER_URL = os.environ.get("FANGKONG_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/fangkong_bench")
FULL_PERSONS = 1_071_429  # × 28 slots = 30.0 M health checks
SLOTS = 28  # 14 days × 2 windows
START_SPREAD_DAYS = 14
OVERDUE_EVERY = 50  # 2 % of past checks never recorded
LATE_EVERY = 100  # 1 % of recorded checks recorded late

LOAD_TARGET_S = 150.0
OVERDUE_P95_TARGET_MS = 100.0
COUNTS_TARGET_MS = 100.0
PAGE = 50


def _url(dbname: str) -> str:
    parts = urlsplit(SERVER_URL)
    return urlunsplit(parts._replace(path="/" + dbname))


def _setup_django() -> None:
    os.environ["DATABASE_URL"] = _url(DB_NAME)
    os.environ.setdefault("FANGKONG_VAR_DIR", str(PROJECT / "var" / "bench"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "fangkong.settings"
    sys.path.insert(0, str(PROJECT / "src"))
    sys.path.insert(0, str(PROJECT))
    import django

    django.setup()


def _conninfo(dbname: str = DB_NAME) -> str:
    return _url(dbname)


def _fresh_database() -> None:
    import psycopg

    with psycopg.connect(_conninfo("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def _drop_database() -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(_conninfo("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


def _figure(name, label, value, unit, target, detail="", higher_is_better=False) -> dict:
    return {
        "db": "postgres",
        "name": name,
        "label": label,
        "value": value,
        "unit": unit,
        "target": target,
        "higher_is_better": higher_is_better,
        "detail": detail,
    }


def _percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


# ---------------------------------------------------------------- generation (COPY text format)


def _ts(d: dt.datetime) -> str:
    return d.isoformat()  # text COPY of the (smaller) person and follow-up tables


def _communities() -> list[str]:
    from fangkong.regions.models import Division

    return list(Division.objects.filter(level="community").order_by("code").values_list("code", flat=True))


def _community_of(i: int, n: int, communities: list[str]) -> str:
    return communities[i * len(communities) // n]


def _secondary_indexes(table: str) -> list[tuple[str, str, str]]:
    """(name, drop, create) for every index of ``table`` but its primary key."""
    import psycopg

    with psycopg.connect(_conninfo()) as conn:
        rows = conn.execute(
            """
            SELECT i.relname, pg_get_indexdef(i.oid), c.conname, pg_get_constraintdef(c.oid)
            FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
            LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid
            WHERE x.indrelid = %s::regclass AND NOT x.indisprimary""",
            [table],
        ).fetchall()
    out = []
    for name, index_def, conname, condef in rows:
        if conname:
            out.append(
                (
                    name,
                    f'ALTER TABLE {table} DROP CONSTRAINT "{conname}"',
                    f'ALTER TABLE {table} ADD CONSTRAINT "{conname}" {condef}',
                )
            )
        else:
            out.append((name, f'DROP INDEX "{name}"', index_def))
    return out


def _copy_persons(n: int, communities: list[str]) -> None:
    import psycopg

    now = _ts(dt.datetime.now(dt.UTC))
    cols = (
        "id, division_code, household_id, name, name_pinyin, name_initials, sex, birth_date, doc_type, "
        "doc_reason, doc_cipher, doc_index, doc_masked, phone_cipher, phone_index, phone_masked, relation, "
        "occupation, tag_elderly_alone, tag_low_income, tag_disabled, tag_pregnant, tag_chronic, created_at, "
        "updated_at, created_by_id"
    )
    tail = f"\tric\t\t\t\\N\t\t\t\t\t\t\tf\tf\tf\tf\tf\t{now}\t{now}\t\\N\n"
    with psycopg.connect(_conninfo()) as conn, conn.cursor() as cur:
        with cur.copy(f"COPY people_person ({cols}) FROM STDIN") as copy:
            buf = []
            for i in range(n):
                pid = i + 1
                buf.append(
                    f"{pid}\t{_community_of(i, n, communities)}\t\\N\t张三\tzhangsan\tzs\t"
                    f"{'M' if i % 2 else 'F'}\t\\N{tail}"
                )
                if len(buf) >= 20_000:
                    copy.write("".join(buf))
                    buf.clear()
            copy.write("".join(buf))
        cur.execute("SELECT setval(pg_get_serial_sequence('people_person', 'id'), %s)", [n])


KINDS = ["home_quarantine"] * 70 + ["health_monitoring"] * 20 + ["central_quarantine"] * 7 + ["medical_observation"] * 3


def _copy_followups(n: int, communities: list[str], today: dt.date) -> None:
    import psycopg

    now = _ts(dt.datetime.now(dt.UTC))
    cols = (
        "id, division_code, person_id, kind, reason, place, site_name, start_date, planned_end, days, "
        "extended_days, status, ended_on, source_ref, transferred_from_id, created_at, created_by_id"
    )
    with psycopg.connect(_conninfo()) as conn, conn.cursor() as cur:
        with cur.copy(f"COPY followups_followup ({cols}) FROM STDIN") as copy:
            buf = []
            for i in range(n):
                start = today - dt.timedelta(days=i % START_SPREAD_DAYS)
                kind = KINDS[i % 100]
                site = "集中隔离点" if kind == "central_quarantine" else ""
                buf.append(
                    f"{i + 1}\t{_community_of(i, n, communities)}\t{i + 1}\t{kind}\t返乡\t\t{site}\t{start}\t"
                    f"{start + dt.timedelta(days=14)}\t14\t0\tactive\t\\N\tbench:{i}\t\\N\t{now}\t\\N\n"
                )
                if len(buf) >= 20_000:
                    copy.write("".join(buf))
                    buf.clear()
            copy.write("".join(buf))
        cur.execute("SELECT setval(pg_get_serial_sequence('followups_followup', 'id'), %s)", [n])


# COPY's binary format: no text parsing of dates, timestamps and numerics on the
# server, which is most of the cost of a row like this one.
_PG_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
_PG_DATE_EPOCH = dt.date(2000, 1, 1)
_NULL = struct.pack(">i", -1)
_EMPTY = struct.pack(">i", 0)
_FALSE, _TRUE = struct.pack(">ib", 1, 0), struct.pack(">ib", 1, 1)
BINARY_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
BINARY_TRAILER = struct.pack(">h", -1)


def _b_ts(value: dt.datetime) -> bytes:
    delta = value - _PG_EPOCH
    return struct.pack(">iq", 8, (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds)


def _b_date(value: dt.date) -> bytes:
    return struct.pack(">ii", 4, (value - _PG_DATE_EPOCH).days)


def _b_text(value: str) -> bytes:
    data = value.encode()
    return struct.pack(">i", len(data)) + data


def _b_numeric_tenths(tenths: int) -> bytes:
    """36.5 °C as PostgreSQL's binary numeric (base-10000 digits, scale 1)."""
    whole, frac = divmod(tenths, 10)
    digits = [whole, frac * 1000] if frac else [whole]
    body = struct.pack(">hhhh", len(digits), 0, 0, 1) + b"".join(struct.pack(">h", d) for d in digits)
    return struct.pack(">i", len(body)) + body


def _slot_suffixes(today: dt.date, now: dt.datetime) -> list[list[tuple]]:
    """For each start offset (0–13 days ago) and slot k (0–27): the row's fields
    after its ids, in binary, in three variants: recorded (ten temperatures),
    recorded late, not recorded."""
    from fangkong.followups.schedule import slots

    table = []
    for offset in range(START_SPREAD_DAYS):
        start = today - dt.timedelta(days=offset)
        row = []
        for s in slots(start, SLOTS // 2):
            base = _b_date(s.day) + struct.pack(">ih", 2, s.index) + _b_ts(s.window_start) + _b_ts(s.window_end)
            due = base + _b_text("due") + _NULL + _NULL + _FALSE + _NULL + _EMPTY + _EMPTY + _NULL
            if s.window_end <= now:
                on_time = _b_ts(s.window_start + dt.timedelta(minutes=40))
                done = [
                    base
                    + _b_text("done")
                    + on_time
                    + _NULL
                    + _FALSE
                    + _b_numeric_tenths(360 + t)
                    + _EMPTY
                    + _EMPTY
                    + _NULL
                    for t in range(10)
                ]
                late = (
                    base
                    + _b_text("done")
                    + _b_ts(s.window_end + dt.timedelta(hours=1))
                    + _NULL
                    + _TRUE
                    + _b_numeric_tenths(365)
                    + _EMPTY
                    + _EMPTY
                    + _NULL
                )
                row.append((True, done, late, due))
            else:
                row.append((False, None, None, due))
        table.append(row)
    return table


HC_COLS = (
    "id, division_code, followup_id, slot_date, slot, window_start, window_end, status, recorded_at, "
    "recorded_by_id, late, temperature, symptoms, note, client_key"
)


def _tails(table: list[list[tuple]]) -> dict[tuple[int, int], list[bytes]]:
    """The 28 row tails of a follow-up depend only on its start offset and on
    fid mod 100 (which past checks are overdue or late): precomputed, so the
    inner loop only joins bytes."""
    tails = {}
    for offset in range(START_SPREAD_DAYS):
        for r in range(100):
            row = []
            for k, (past, done, late, due) in enumerate(table[offset]):
                h = r * 31 + k
                row.append(
                    (due if h % OVERDUE_EVERY == 0 else late if h % LATE_EVERY == 1 else done[h % 10]) if past else due
                )
            tails[(offset, r)] = row
    return tails


def _copy_checks_part(args) -> int:
    """One worker process: COPY (binary) the checks of follow-ups [lo, hi)."""
    lo, hi, n, communities, table = args
    import psycopg

    tails = _tails(table)
    codes = [_b_text(c) for c in communities]
    head = b"\x00\x0f\x00\x00\x00\x08"  # 15 fields; the id is 8 bytes
    fid_len = b"\x00\x00\x00\x08"
    rows = 0
    with psycopg.connect(_conninfo()) as conn, conn.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
        with cur.copy(f"COPY followups_healthcheck ({HC_COLS}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.write(BINARY_HEADER)
            buf = []
            append = buf.append
            for i in range(lo, hi):
                fid = i + 1
                mid = codes[i * len(communities) // n] + fid_len + fid.to_bytes(8, "big")
                base_id = i * SLOTS + 1
                for k, tail in enumerate(tails[(i % START_SPREAD_DAYS, fid % 100)]):
                    append(head + (base_id + k).to_bytes(8, "big") + mid + tail)
                rows += SLOTS
                if len(buf) >= 56_000:
                    copy.write(b"".join(buf))
                    buf.clear()
            buf.append(BINARY_TRAILER)
            copy.write(b"".join(buf))
    return rows


def _healthcheck_index_ddl() -> tuple[list[str], list[list[str]]]:
    """(drop statements, create statements per connection): the table's own
    indexes and constraints, read from the catalog, so the rebuilt table is
    exactly what the migrations made. The partial unique index on client_key
    stays: a bulk load has no client keys, so it costs nothing to keep, where
    rebuilding it would read the whole table once more."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("""
            SELECT c.conname, pg_get_constraintdef(c.oid), c.contype FROM pg_constraint c
            WHERE c.conrelid = 'followups_healthcheck'::regclass AND c.contype IN ('p', 'u')""")
        constraints = cur.fetchall()
        cur.execute("""
            SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
            WHERE x.indrelid = 'followups_healthcheck'::regclass
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)""")
        indexes = [(n, d) for n, d in cur.fetchall() if "client_key" not in d]
    drops = [f'ALTER TABLE followups_healthcheck DROP CONSTRAINT "{name}"' for name, _d, _t in constraints]
    drops += [f'DROP INDEX "{name}"' for name, _d in indexes]
    creates = [
        [f'ALTER TABLE followups_healthcheck ADD CONSTRAINT "{name}" {definition}']
        for name, definition, _t in constraints
    ] + [[definition] for _n, definition in indexes]
    return drops, creates


def _run_ddl(statements: list[str]) -> None:
    import psycopg

    with psycopg.connect(_conninfo(), autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '2GB'")
        # Several builds run at once on two cores: no parallel workers on top.
        conn.execute("SET max_parallel_maintenance_workers = 0")
        for s in statements:
            conn.execute(s)


def load_checks(n: int, communities: list[str], today: dt.date, now: dt.datetime, workers: int = 2) -> tuple[int, dict]:
    drops, creates = _healthcheck_index_ddl()
    phases = {}
    t0 = time.perf_counter()
    _run_ddl(drops)
    bounds = [n * w // workers for w in range(workers + 1)]
    table = _slot_suffixes(today, now)
    parts = [(bounds[w], bounds[w + 1], n, communities, table) for w in range(workers)]
    ctx = mp.get_context("spawn")
    with ctx.Pool(workers) as pool:
        rows = sum(pool.map(_copy_checks_part, parts))
    phases["copy"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    # One connection per index: their table scans run together (synchronized
    # scans) and the sorts use both cores.
    with ctx.Pool(len(creates)) as pool:
        pool.map(_run_ddl, creates)
    phases["indexes"] = time.perf_counter() - t1
    _run_ddl([f"SELECT setval(pg_get_serial_sequence('followups_healthcheck', 'id'), {n * SLOTS})"])
    phases["total"] = time.perf_counter() - t0
    return rows, phases


# ---------------------------------------------------------------- queries


def _township_users(townships: list[str]) -> dict:
    from fangkong.accounts.models import Assignment, User

    users = {}
    for code in townships:
        u, _ = User.objects.get_or_create(username=f"bench_{code}")
        Assignment.objects.get_or_create(user=u, role="township", division_id=code)
        users[code] = u
    return users


def _first_page(user, division: str = "") -> tuple[int, int]:
    """What the overdue page does: the total and the first 50 rows with names."""
    from fangkong.followups.selectors import overdue_checks

    qs = overdue_checks(user=user, division=division)
    total = qs.count()
    rows = list(qs[:PAGE])
    for r in rows:
        _ = r.followup.person.name
    return total, len(rows)


def measure(persons: int = FULL_PERSONS, keep: bool = False, explain: bool = False) -> list[dict]:
    figures: list[dict] = []
    print(
        f"followups benchmark: {persons:,} persons × {SLOTS} slots = {persons * SLOTS:,} health checks, "
        f"PostgreSQL database {DB_NAME}",
        flush=True,
    )
    _fresh_database()
    _setup_django()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    from fangkong.regions.management.commands.divisions import BUNDLED_HEBI
    from fangkong.regions.services import divisions_import

    divisions_import(source=BUNDLED_HEBI)
    communities = _communities()
    print(f"  schema and {len(communities):,} communities: {time.perf_counter() - t:.1f} s", flush=True)
    try:
        today, now = timezone.localdate(), timezone.now()
        t = time.perf_counter()
        # The registry and the follow-ups are the setting, not the measured load:
        # filled with their secondary indexes off, which are then rebuilt.
        secondary = _secondary_indexes("people_person") + _secondary_indexes("followups_followup")
        _run_ddl([drop for _n, drop, _c in secondary])
        _copy_persons(persons, communities)
        _copy_followups(persons, communities, today)
        ctx = mp.get_context("spawn")
        with ctx.Pool(2) as pool:
            pool.map(_run_ddl, [[c for _n, _d, c in secondary[0::2]], [c for _n, _d, c in secondary[1::2]]])
        prep = time.perf_counter() - t
        print(f"  {persons:,} persons and follow-ups (COPY): {prep:.1f} s", flush=True)

        load_before = os.getloadavg()[0]
        rows, phases = load_checks(persons, communities, today, now)
        load_after = os.getloadavg()[0]
        rate = rows / phases["total"]
        print(
            f"  {rows:,} health checks: COPY {phases['copy']:.1f} s (2 processes) + indexes "
            f"{phases['indexes']:.1f} s = {phases['total']:.1f} s ({rate:,.0f} rows/s)",
            flush=True,
        )
        figures.append(
            _figure(
                "followups_load",
                f"bulk load {rows / 1e6:.1f} M health checks (COPY + indexes)",
                round(phases["total"], 1),
                "s",
                LOAD_TARGET_S * rows / (FULL_PERSONS * SLOTS),
                detail=f"copy {phases['copy']:.1f} s, indexes {phases['indexes']:.1f} s, "
                f"{rate:,.0f} rows/s, load average {load_before:.1f}→{load_after:.1f} "
                f"on {os.cpu_count()} cores",
            )
        )
        print(
            f"  (machine load average {load_before:.1f} before, {load_after:.1f} after, {os.cpu_count()} cores: "
            f"other work on this machine slows every figure)",
            flush=True,
        )

        t = time.perf_counter()
        with connection.cursor() as cur:
            # What autovacuum would do after a load: statistics, and the visibility
            # map that lets counts read the partial index alone.
            cur.execute("VACUUM (ANALYZE) followups_healthcheck")
            cur.execute("ANALYZE")
        analyze = time.perf_counter() - t
        from fangkong.followups.recount import recount

        t = time.perf_counter()
        count_rows = recount()
        rebuild = time.perf_counter() - t
        print(
            f"  VACUUM ANALYZE {analyze:.1f} s; roll-up rebuilt from raw rows ({count_rows:,} day rows): "
            f"{rebuild:.1f} s",
            flush=True,
        )
        with connection.cursor() as cur:
            cur.execute("SELECT pg_total_relation_size('followups_healthcheck')")
            size = cur.fetchone()[0]
            cur.execute("SELECT count(*) FROM followups_healthcheck WHERE status = 'due' AND window_end <= now()")
            overdue_total = cur.fetchone()[0]
        print(f"  health-check table with indexes: {size / 2**30:.1f} GiB; overdue now: {overdue_total:,}", flush=True)

        from fangkong.regions.models import Division

        townships = list(Division.objects.filter(level="township").order_by("code").values_list("code", flat=True))
        users = _township_users(townships)
        for code in townships[:3]:
            _first_page(users[code])  # warm-up
        samples, totals = [], []
        for _round in range(5):
            for code in townships:
                t = time.perf_counter()
                total, _n = _first_page(users[code])
                samples.append((time.perf_counter() - t) * 1000)
                totals.append(total)
        p50, p95 = _percentile(samples, 50), _percentile(samples, 95)
        print(
            f"  township overdue list, first page + count, {len(townships)} townships × 5: p50 {p50:.1f} ms, "
            f"p95 {p95:.1f} ms, max {max(samples):.1f} ms (overdue per township {min(totals):,}–{max(totals):,})",
            flush=True,
        )
        figures.append(
            _figure(
                "followups_overdue_township",
                "township overdue-check list p95 (page 1 + count)",
                round(p95, 1),
                "ms",
                OVERDUE_P95_TARGET_MS,
                detail=f"p50 {p50:.1f} ms, max {max(samples):.1f} ms, {len(samples)} requests",
            )
        )

        from fangkong.accounts.models import Assignment, User

        city_user, _ = User.objects.get_or_create(username="bench_city")
        Assignment.objects.get_or_create(user=city_user, role="hq", division_id="4106")
        community_samples = []
        for code in communities[::10]:
            t = time.perf_counter()
            _first_page(city_user, division=code)
            community_samples.append((time.perf_counter() - t) * 1000)
        cp95 = _percentile(community_samples, 95)
        print(
            f"  community overdue list (city user, division filter), {len(community_samples)} communities: "
            f"p95 {cp95:.1f} ms",
            flush=True,
        )
        figures.append(
            _figure(
                "followups_overdue_community",
                "community overdue-check list p95 (page 1 + count)",
                round(cp95, 1),
                "ms",
                OVERDUE_P95_TARGET_MS,
            )
        )

        from fangkong.followups.selectors import followup_counts

        counts_samples = []
        for prefix in ["4106", *townships[:10]]:
            for day in (today, today - dt.timedelta(days=1)):
                t = time.perf_counter()
                followup_counts(prefix=prefix, day=day)
                counts_samples.append((time.perf_counter() - t) * 1000)
        city = followup_counts(prefix="4106", day=today - dt.timedelta(days=1))
        print(
            f"  day counts (city + 10 townships, today and yesterday): max {max(counts_samples):.1f} ms; "
            f"city yesterday: "
            f"{city.people_in_measures:,} under measures, checks due {city.checks_due:,} / done "
            f"{city.checks_done:,} / overdue {city.checks_overdue:,}",
            flush=True,
        )
        figures.append(
            _figure(
                "followups_counts",
                "day counts for a prefix (city, townships), max",
                round(max(counts_samples), 1),
                "ms",
                COUNTS_TARGET_MS,
            )
        )
        if explain:
            from fangkong.followups.selectors import overdue_checks

            qs = overdue_checks(user=users[townships[0]])[:PAGE]
            print(qs.explain(analyze=True, buffers=True))
    finally:
        if keep:
            print(f"  kept database {DB_NAME}", flush=True)
        else:
            _drop_database()
            print(f"  dropped database {DB_NAME}", flush=True)
    return figures


def print_figures(figures: list[dict]) -> None:
    print("-" * 104)
    print(f"{'figure':<62}{'value':>12}{'target':>12}{'ratio':>8}  result")
    print("-" * 104)
    for f in figures:
        ratio = f["value"] / f["target"] if f["target"] else float("inf")
        ok = f["value"] < f["target"]
        print(
            f"{f['label'][:61]:<62}{f['value']:>10.1f}{f['unit']:>2}{f['target']:>10.1f}{f['unit']:>2}"
            f"{ratio:>8.2f}  {'PASS' if ok else 'MISS'}"
        )
    print("-" * 104)
    print("ratio = figure / target; below 1 passes")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=FULL_PERSONS, help="follow-ups (28 checks each)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--explain", action="store_true", help="print the overdue query's plan")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    figures = measure(persons=args.persons, keep=args.keep, explain=args.explain)
    print_figures(figures)
    print(f"({time.perf_counter() - started:.0f} s in all)")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, ensure_ascii=False, indent=2))
    return 0 if all(f["value"] < f["target"] for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
