"""Bulk load of a generated population (``fangkong generate``) into SQLite or PostgreSQL.

Model instances and ``bulk_create`` cost tens of microseconds a row; a city is
1.57 million persons. So rows are written as the generator makes them:
``executemany`` of one INSERT on SQLite, ``COPY … FROM STDIN`` on PostgreSQL,
inside ONE transaction (a failed load leaves nothing behind). Ids are assigned
by the plan (max id + 1 onwards), so households can name their head and
persons their household before either is written; the PostgreSQL sequences are
moved past them afterwards.

Generation is the costly part (AES-GCM and HMAC for every number), so with
``workers`` > 1 batches of communities are generated in forked worker processes
(which never touch the database) while this process writes, with at most a
few batches in flight so memory stays flat.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, connections, transaction
from django.db.models import Max
from django.utils import timezone

from .generator import (
    AS_OF,
    HOUSEHOLD_COLUMNS,
    PERSON_COLUMNS,
    Batch,
    Plan,
    communities_from_db,
    generate_batch,
    make_batches,
    make_plan,
    warm_caches,
)
from .models import Household, Person

Progress = Callable[[int, int, float], None]


class LoadError(Exception):
    pass


@dataclass
class LoadResult:
    plan: Plan
    persons: int
    households: int
    seconds: float
    workers: int


# ------------------------------------------------------------------ columns


def _constant_columns(model, generated: tuple[str, ...], now: dt.datetime) -> list[tuple[str, object]]:
    """Columns the generator does not fill, with the value every generated row gets:
    the timestamps, no creator, and the default of any field added since."""
    constants = []
    for f in model._meta.concrete_fields:
        if f.column in generated:
            continue
        if f.name in ("created_at", "updated_at"):
            value = now
        else:
            value = f.get_default()  # "" for a text field without a default
        if value is None and not f.null:
            raise LoadError(f"{model.__name__}.{f.name} has no default: teach fangkong.people.generator to fill it")
        if value is not None and not isinstance(value, (str, int, float, bool, dt.date)):
            raise LoadError(
                f"{model.__name__}.{f.name}: default {value!r} cannot be bulk-loaded; "
                f"teach fangkong.people.generator to fill it"
            )
        constants.append((f.column, value))
    return constants


def _copy_text(value) -> str:
    """A constant in COPY text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _sqlite_literal(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dt.datetime):
        value = connection.ops.adapt_datetimefield_value(value)
    elif isinstance(value, dt.date):
        value = value.isoformat()
    return "'" + str(value).replace("'", "''") + "'"


# ------------------------------------------------------------------ workers

_WORKER: dict = {}


def _worker_init(plan: Plan, existing, vendor: str, suffixes: tuple[str, str]) -> None:
    _WORKER.update(plan=plan, existing=existing, vendor=vendor, suffixes=suffixes)


def _work(batch: Batch):
    copy = _WORKER["vendor"] == "postgresql"
    households, persons = generate_batch(
        _WORKER["plan"], batch, existing=_WORKER["existing"], copy_suffixes=_WORKER["suffixes"] if copy else None
    )
    if copy:
        return len(households), len(persons), "".join(households), "".join(persons)
    return len(households), len(persons), households, persons


# ------------------------------------------------------------------ writers


class _Writer:
    """Writes batches inside the load's transaction. With ``rebuild`` (a big load
    into empty tables) the secondary indexes, unique and foreign-key constraints
    of the two tables are dropped first and rebuilt at the end, in the same
    transaction, from their own definitions in the database catalogue: sorting
    once is much faster than a million random index insertions."""

    tables = (Household._meta.db_table, Person._meta.db_table)

    def __init__(self, hh_constants, p_constants, rebuild: bool):
        self.rebuild = rebuild
        self.quoted = [connection.ops.quote_name(t) for t in self.tables]
        self.hh_sql = self.statement(Household._meta.db_table, HOUSEHOLD_COLUMNS, hh_constants)
        self.p_sql = self.statement(Person._meta.db_table, PERSON_COLUMNS, p_constants)
        self.recreate: list[str] = []

    def prepare(self, persons: int):
        """Before the transaction."""

    def restore(self):
        """After the transaction, whatever happened."""


class _SqliteWriter(_Writer):
    @staticmethod
    def statement(table, columns, constants):
        names = ", ".join([*columns, *(c for c, _v in constants)])
        values = ", ".join(["?"] * len(columns) + [_sqlite_literal(v) for _c, v in constants])
        return f'INSERT INTO "{table}" ({names}) VALUES ({values})'

    def prepare(self, persons: int):
        connection.ensure_connection()
        raw = connection.connection
        self.saved: dict[str, object] = {}
        # The load is one transaction, so a failure leaves the database as before.
        # synchronous=OFF skips the fsyncs (only an OS crash mid-load could then hurt);
        # a larger page cache keeps the random-order unique index in memory. Foreign
        # keys are checked once at the end (PRAGMA foreign_key_check) rather than row by
        # row. SQLite refuses to change the two inside a caller's transaction: then
        # they stay as they are.
        pragmas = {"cache_size": -min(512 * 1024, 64 * 1024 + persons // 4)}
        if not raw.in_transaction:
            pragmas.update(synchronous=0, foreign_keys=0)
        for pragma, value in pragmas.items():
            self.saved[pragma] = raw.execute(f"PRAGMA {pragma}").fetchone()[0]
            raw.execute(f"PRAGMA {pragma}={value}")

    def begin(self, cursor):
        if self.rebuild:
            raw = connection.connection
            rows = raw.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                f"AND tbl_name IN ({', '.join('?' * len(self.tables))}) ORDER BY name",
                self.tables,
            ).fetchall()
            for name, sql in rows:
                raw.execute(f'DROP INDEX "{name}"')
                self.recreate.append(sql)

    def write(self, cursor, households, persons):
        raw = connection.connection
        raw.executemany(self.hh_sql, households)
        raw.executemany(self.p_sql, persons)

    def finish(self, cursor):
        raw = connection.connection
        for sql in self.recreate:
            raw.execute(sql)
        if self.saved.get("foreign_keys"):
            for table in self.tables:
                bad = raw.execute(f'PRAGMA foreign_key_check("{table}")').fetchmany(5)
                if bad:
                    raise LoadError(f"foreign keys violated in {table}: {bad}")

    def restore(self):
        if connection.connection is not None:
            for pragma, value in self.saved.items():
                connection.connection.execute(f"PRAGMA {pragma}={value}")


class _PostgresWriter(_Writer):
    @staticmethod
    def statement(table, columns, constants):
        return f'COPY "{table}" ({", ".join([*columns, *(c for c, _v in constants)])}) FROM STDIN'

    def begin(self, cursor):
        tables = ", ".join(self.quoted)
        # Writers wait (the ids are ours); readers go on reading the old rows — unless
        # the indexes are rebuilt, which locks the (empty) tables for the load.
        mode = "ACCESS EXCLUSIVE" if self.rebuild else "SHARE ROW EXCLUSIVE"
        cursor.execute(f"LOCK TABLE {tables} IN {mode} MODE")
        cursor.execute("SET LOCAL synchronous_commit = off")
        if not self.rebuild:
            return
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        oids = "(" + ", ".join(f"'{q}'::regclass" for q in self.quoted) + ")"
        # Unique and foreign-key constraints of the two tables (not their primary
        # keys, which other tables' foreign keys point at), then their plain indexes.
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            f"WHERE conrelid IN {oids} AND contype IN ('u', 'f') ORDER BY contype DESC, conname"
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index i "
            f"WHERE indrelid IN {oids} AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) "
            "ORDER BY 1"
        )
        indexes = cursor.fetchall()
        for table, name, _definition in constraints:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
        # Rebuild: unique constraints first, then indexes, then foreign keys (checked once, by a join).
        self.recreate = [
            f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, d in constraints if "FOREIGN KEY" not in d
        ]
        self.recreate += [d for _n, d in indexes]
        self.recreate += [f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, d in constraints if "FOREIGN KEY" in d]

    def write(self, cursor, households: str, persons: str):
        raw = cursor.cursor
        with raw.copy(self.hh_sql) as copy:
            copy.write(households)
        with raw.copy(self.p_sql) as copy:
            copy.write(persons)

    def finish(self, cursor):
        from django.core.management.color import no_style

        for sql in self.recreate:
            cursor.execute(sql)
        for sql in connection.ops.sequence_reset_sql(no_style(), [Household, Person]):
            cursor.execute(sql)
        # Fresh statistics, so the planner knows the tables are no longer empty.
        cursor.execute(f"ANALYZE {', '.join(self.quoted)}")


# ------------------------------------------------------------------ the load


def _max_ids() -> tuple[int, int]:
    return (Household.objects.aggregate(m=Max("id"))["m"] or 0, Person.objects.aggregate(m=Max("id"))["m"] or 0)


def default_workers(persons: int) -> int:
    """Worker processes for generation: none for a small population."""
    if persons < 100_000:
        return 1
    return max(1, min(4, os.cpu_count() or 1))


def populate(
    *,
    persons: int,
    seed: int,
    prefix: str = "4106",
    append: bool = False,
    workers: int | None = None,
    batch_persons: int = 25_000,
    as_of: dt.date = AS_OF,
    progress: Progress | None = None,
    rebuild_indexes: bool | None = None,
    notice: Callable[[str], None] | None = None,
) -> LoadResult:
    """Generate and load ``persons`` persons over the communities under ``prefix``.

    With ``append`` the new persons join an existing registry and numbers already
    registered are skipped; without it the caller makes sure the registry is empty.
    ``rebuild_indexes`` (default: for 100,000 persons or more into empty tables)
    drops the tables' secondary indexes and constraints for the load and rebuilds
    them at the end of it."""
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise LoadError(f"unsupported database: {vendor}")
    communities = communities_from_db(prefix)
    if not communities:
        raise LoadError(f"no villages/communities under {prefix}: import the division codes first")
    existing: frozenset[str] | set[str] = frozenset()
    if append:
        existing = set(
            Person.objects.exclude(doc_index=None).values_list("doc_index", flat=True).iterator(chunk_size=20_000)
        )
    max_hh, max_p = _max_ids()
    try:
        plan = make_plan(
            communities,
            persons=persons,
            seed=seed,
            first_household_id=max_hh + 1,
            first_person_id=max_p + 1,
            as_of=as_of,
        )
    except ValueError as exc:
        raise LoadError(str(exc)) from None
    batches = make_batches(plan, target_persons=batch_persons)
    workers = default_workers(persons) if workers is None else max(1, workers)
    # Forking workers means closing this process's database connection first,
    # which a caller's open transaction must not suffer: then generate here.
    workers = 1 if connection.in_atomic_block else min(workers, len(batches))

    now = timezone.now()
    hh_constants = _constant_columns(Household, HOUSEHOLD_COLUMNS, now)
    p_constants = _constant_columns(Person, PERSON_COLUMNS, now)
    if rebuild_indexes is None:
        rebuild_indexes = persons >= 100_000 and max_hh == 0 and max_p == 0
    writer = (_PostgresWriter if vendor == "postgresql" else _SqliteWriter)(hh_constants, p_constants, rebuild_indexes)
    suffixes = tuple(
        "".join("\t" + _copy_text(v) for _c, v in constants) + "\n" for constants in (hh_constants, p_constants)
    )

    pool = None
    if workers > 1:
        warm_caches(as_of)
        # Forked workers must not share a database connection with this process.
        connections.close_all()
        ctx = multiprocessing.get_context("fork")
        pool = ctx.Pool(workers, initializer=_worker_init, initargs=(plan, existing, vendor, suffixes))
    else:
        _worker_init(plan, existing, vendor, suffixes)

    started = time.perf_counter()
    done_p = done_h = 0
    try:
        writer.prepare(persons)
        with transaction.atomic(), connection.cursor() as cursor:
            writer.begin(cursor)
            if _max_ids() != (max_hh, max_p):
                raise LoadError("the registry changed while the population was planned; run again")
            if pool is None:
                results = (_work(b) for b in batches)
            else:
                results = _bounded(pool, batches, window=workers + 2)
            for n_h, n_p, households, persons_rows in results:
                writer.write(cursor, households, persons_rows)
                done_h += n_h
                done_p += n_p
                if progress:
                    progress(done_p, plan.persons, time.perf_counter() - started)
            if writer.recreate and notice:
                notice(f"rebuilding {len(writer.recreate)} indexes and constraints …")
            t = time.perf_counter()
            writer.finish(cursor)
            if writer.recreate and notice:
                notice(f"indexes and constraints rebuilt in {time.perf_counter() - t:.1f} s")
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
        writer.restore()
    if done_p != plan.persons:
        raise LoadError(f"generated {done_p} persons, planned {plan.persons}")
    return LoadResult(
        plan=plan, persons=done_p, households=done_h, seconds=time.perf_counter() - started, workers=workers
    )


def _bounded(pool, batches: list[Batch], window: int):
    """Results in order, with at most ``window`` batches generated ahead."""
    pending: deque = deque()
    it = iter(batches)
    for batch in it:
        pending.append(pool.apply_async(_work, (batch,)))
        if len(pending) >= window:
            break
    while pending:
        result = pending.popleft().get()
        nxt = next(it, None)
        if nxt is not None:
            pending.append(pool.apply_async(_work, (nxt,)))
        yield result
