"""The audit trail's hash chain: each entry is sealed by an ``AuditSeal`` row
carrying ``seq`` (its place in the chain) and ``chain``, an HMAC of the entry's
facts and of the previous seal's chain, so a changed, removed or inserted row
breaks the chain from there on (``fangkong audit verify`` finds the first
broken link, and entries left without a seal).

The HMAC key is derived from ``settings.DATA_KEY`` (HKDF, its own purpose), so
someone who can write to the database but does not hold the data key cannot
recompute the chain after altering a row.

Sealing is not part of the business transaction that inserts the entry. On
PostgreSQL the entry is inserted with no lock at all; right after its
transaction commits (``transaction.on_commit``) a separate short transaction
takes the chain lock (a transaction-level advisory lock), reads the last seal
and inserts the new seals, and commits: that transaction locks nothing else, so
it cannot deadlock with a business transaction, and audited writes are no
longer serialized for the rest of their transactions. Entries whose process
died between its commit and its seal are sealed by ``fangkong audit seal`` (run
every minute by ``fangkong serve``'s worker), in id order. On SQLite the
database has one writer at a time (IMMEDIATE transactions take the write lock
at BEGIN), so the seals are inserted in the inserting transaction itself: no
new lock, and no entry ever waits for its seal.

The algorithm is frozen: changing it breaks the verification of existing rows
(the chains computed in the ``chain`` column of migration 0005 were moved to
the seals unchanged).
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache, partial

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.db import DatabaseError, IntegrityError, connections, transaction

logger = logging.getLogger(__name__)

TABLE = "audit_auditentry"
SEALS = "audit_auditseal"
# pg_advisory_xact_lock key of the chain's sealers ("fk-audit" as bytes).
LOCK_KEY = 0x666B2D6175646974
GENESIS = "0" * 64

# The columns the chain covers, in order (the id is not: the order of the chain
# is the order of the seals' seq).
COLUMNS = (
    "at",
    "actor_id",
    "actor_username",
    "role",
    "actor_division_code",
    "action",
    "object_type",
    "object_id",
    "division_code",
    "reason",
    "detail",
    "ip",
)


@lru_cache(maxsize=4)
def _key(data_key: str) -> bytes:
    master = base64.urlsafe_b64decode(data_key.encode() + b"=" * (-len(data_key) % 4))
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"fangkong-audit", info=b"audit-chain").derive(master)


def _current_key() -> bytes:
    from django.conf import settings

    return _key(settings.DATA_KEY)


def _plain(value):
    """JSON values as both databases give them back (PostgreSQL's jsonb prints
    an integral float as an integer)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def aware(at) -> dt.datetime:
    """A row's time in UTC (SQLite gives raw text, in UTC)."""
    if isinstance(at, str):
        at = dt.datetime.fromisoformat(at)
    return at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)


def _canonical(row: dict) -> bytes:
    at = aware(row["at"]).isoformat(timespec="microseconds")
    detail = row["detail"]
    if isinstance(detail, str):
        detail = json.loads(detail or "{}")
    ip = row["ip"]
    ip = str(ipaddress.ip_address(str(ip))) if ip else ""
    values = [
        at,
        row["actor_id"],
        row["actor_username"] or "",
        row["role"] or "",
        row["actor_division_code"] or "",
        row["action"] or "",
        row["object_type"] or "",
        row["object_id"] or "",
        row["division_code"] or "",
        row["reason"] or "",
        _plain(detail or {}),
        ip,
    ]
    return json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def digest(previous: str, row: dict, key: bytes | None = None) -> str:
    """The hash of an entry (its columns as a dict) following ``previous``."""
    mac = hmac.new(key or _current_key(), previous.encode() + b"\n", hashlib.sha256)
    mac.update(_canonical(row))
    return mac.hexdigest()


def _row_of(entry) -> dict:
    return {"id": entry.pk, **{c: getattr(entry, c) for c in COLUMNS}}


def _head_of(found) -> tuple[int, str]:
    if not found or found[0] is None:
        return 0, GENESIS
    return found[0], found[1]


def _head(connection) -> tuple[int, str]:
    """Inside a transaction: take the chain lock, then the last seal's seq and
    chain. On PostgreSQL one statement: ``audit_seal_head()`` (migration 0008)
    takes the advisory lock, then reads with a fresh snapshot, so it sees a
    seal committed by the transaction it waited for."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT seq, chain FROM audit_seal_head()")
        else:
            cursor.execute(f"SELECT seq, chain FROM {SEALS} ORDER BY seq DESC LIMIT 1")
        return _head_of(cursor.fetchone())


def _insert_sql(rows: list[dict], head: tuple[int, str]) -> tuple[str, list]:
    """The INSERT of the seals of ``rows`` (an entry's id and COLUMNS), chained
    in order after ``head`` (statements of 500 rows, joined by ``;``)."""
    seq, previous = head
    key = _current_key()
    seals = []
    for row in rows:
        previous = digest(previous, row, key)
        seq += 1
        seals.append((seq, row["id"], previous))
    statements = [
        f"INSERT INTO {SEALS} (seq, entry_id, chain) VALUES " + ", ".join(["(%s, %s, %s)"] * len(seals[i : i + 500]))
        for i in range(0, len(seals), 500)
    ]
    return "; ".join(statements), [v for seal in seals for v in seal]


def _seal(connection, rows: list[dict], head: tuple[int, str] | None = None) -> int:
    """Inside a transaction: seal ``rows`` after the head."""
    if not rows:
        return 0
    sql, params = _insert_sql(rows, head or _head(connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    return len(rows)


def seal_inserted(entries: list, using: str = "default") -> None:
    """Call right after inserting ``entries``, inside the inserting transaction:
    SQLite seals them now (its writer holds the write lock already); other
    databases seal them after the commit, in a transaction of their own."""
    connection = connections[using]
    rows = [_row_of(e) for e in entries]
    if connection.vendor == "sqlite":
        _seal(connection, rows)
    else:
        transaction.on_commit(partial(_seal_after_commit, rows, using), using=using)


def _seal_after_commit(rows: list[dict], using: str) -> None:
    # The business transaction has committed: a failure here must not fail the
    # request; the entries stay unsealed until `fangkong audit seal`.
    connection = connections[using]
    try:
        try:
            if connection.vendor == "postgresql" and connection.get_autocommit():
                _seal_in_two_statements(connection, rows)
            else:  # run inside a transaction (the tests' callbacks)
                with transaction.atomic(using=using):
                    _seal(connection, rows)
        except IntegrityError:  # sealed meanwhile by `audit seal`: seal what is left
            seal_pending(using, ids=[r["id"] for r in rows])
    except DatabaseError:
        logger.exception("audit entries %s left unsealed; `fangkong audit seal` seals them", [r["id"] for r in rows])


def _seal_in_two_statements(connection, rows: list[dict]) -> None:
    """PostgreSQL, in autocommit: the sealing transaction in two round trips,
    ``BEGIN`` with the head, then the seals with ``COMMIT`` (Django's client-side
    binding cursor sends several statements at once); as ``atomic`` would, but
    with neither BEGIN nor COMMIT a round trip of its own (the passage hot path)."""
    with connection.cursor() as cursor:
        try:
            cursor.execute("BEGIN; SELECT seq, chain FROM audit_seal_head()")
            cursor.nextset()
            sql, params = _insert_sql(rows, _head_of(cursor.fetchone()))
            cursor.execute(sql + "; COMMIT", params)
        except BaseException:
            with contextlib.suppress(DatabaseError):
                cursor.execute("ROLLBACK")
            raise


def _unsealed_sql(connection, *, since: bool, before: bool, n_ids: int, limit: int | None) -> str:
    qn = connection.ops.quote_name
    where = [f"NOT EXISTS (SELECT 1 FROM {SEALS} s WHERE s.entry_id = e.id)"]
    if since:
        where.append("e.at >= %s")
    if before:
        where.append("e.at < %s")
    if n_ids:
        where.append(f"e.id IN ({', '.join(['%s'] * n_ids)})")
    sql = (
        f"SELECT e.id, {', '.join('e.' + qn(c) for c in COLUMNS)} FROM {TABLE} e "
        f"WHERE {' AND '.join(where)} ORDER BY e.id"
    )
    return sql + (f" LIMIT {int(limit)}" if limit else "")


def seal_pending(
    using: str = "default",
    *,
    since: dt.datetime | None = None,
    before: dt.datetime | None = None,
    ids: list[int] | None = None,
    batch: int = 1000,
) -> int:
    """Seal committed entries that have none (their process died between its
    commit and its seal), in id order, a batch per short transaction under the
    chain lock. ``since``/``before`` bound the entries' time; ``ids`` names
    them. Returns how many were sealed."""
    connection = connections[using]
    names = ("id", *COLUMNS)
    params = [connection.ops.adapt_datetimefield_value(v) for v in (since, before) if v is not None] + list(ids or [])
    sql = _unsealed_sql(
        connection, since=since is not None, before=before is not None, n_ids=len(ids or []), limit=batch
    )
    total = 0
    while True:
        with transaction.atomic(using=using):
            head = _head(connection)
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                rows = [dict(zip(names, r, strict=False)) for r in cursor.fetchall()]
            total += _seal(connection, rows, head)
        if len(rows) < batch:
            return total


def unsealed(using: str = "default", *, before: dt.datetime | None = None, show: int = 10) -> tuple[int, list[int]]:
    """How many entries have no seal (written before ``before``), and the first ids."""
    connection = connections[using]
    sql = _unsealed_sql(connection, since=False, before=before is not None, n_ids=0, limit=None)
    params = [connection.ops.adapt_datetimefield_value(before)] if before is not None else []
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({sql}) u", params)
        n = cursor.fetchone()[0]
        cursor.execute(sql + f" LIMIT {int(show)}", params)
        first = [r[0] for r in cursor.fetchall()]
    return n, first


@dataclass(frozen=True)
class Break:
    id: int
    at: dt.datetime | None  # None: the sealed entry is gone
    checked: int


def rows_in_order(using: str = "default", batch: int = 5000) -> Iterator[dict]:
    """Every seal in seq order with its entry's id and columns (``id`` None
    when the entry is gone, ``entry_id`` then names it)."""
    connection = connections[using]
    qn = connection.ops.quote_name
    names = ("seq", "entry_id", "chain", "id", *COLUMNS)
    sql = (
        f"SELECT s.seq, s.entry_id, s.chain, e.id, {', '.join('e.' + qn(c) for c in COLUMNS)} "
        f"FROM {SEALS} s LEFT JOIN {TABLE} e ON e.id = s.entry_id "
        f"WHERE s.seq > %s ORDER BY s.seq LIMIT {int(batch)}"
    )
    last = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(sql, [last])
            rows = [dict(zip(names, r, strict=False)) for r in cursor.fetchall()]
        if not rows:
            return
        yield from rows
        last = rows[-1]["seq"]


def first_break(rows: Iterable[dict] | None = None, using: str = "default") -> tuple[Break | None, int]:
    """The first sealed entry whose hash does not follow from its predecessor's
    (a row altered, removed before it, or inserted; or the entry itself gone),
    and how many seals were checked. ``rows`` as ``rows_in_order`` gives them."""
    key = _current_key()
    previous = GENESIS
    n = 0
    for row in rows if rows is not None else rows_in_order(using):
        n += 1
        if row["id"] is None:
            return Break(row["entry_id"], None, n), n
        if row["chain"] != digest(previous, row, key):
            return Break(row["id"], aware(row["at"]), n), n
        previous = row["chain"]
    return None, n
