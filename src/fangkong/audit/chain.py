"""The audit trail's hash chain: each entry carries an HMAC of its own facts and
of the previous entry's hash, so a changed, removed or inserted row breaks the
chain from there on (``fangkong audit verify`` finds the first broken link).

The HMAC key is derived from ``settings.DATA_KEY`` (HKDF, its own purpose), so
someone who can write to the database but does not hold the data key cannot
recompute the chain after altering a row.

Linking is done by the writer, in the writer's transaction, under a lock that
serializes writers of the trail (PostgreSQL: a transaction-level advisory lock;
SQLite: the write lock its IMMEDIATE transactions take at BEGIN), so two
concurrent writers never link to the same predecessor: take the lock, read the
last hash, compute, insert, commit.

The algorithm is frozen: changing it breaks the verification of existing rows.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import ipaddress
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.db import connections

TABLE = "audit_auditentry"
# pg_advisory_xact_lock key of the audit trail's writers ("fk-audit" as bytes).
LOCK_KEY = 0x666B2D6175646974
GENESIS = "0" * 64

# The columns the chain covers, in order (the id is not: it is known only after
# the INSERT; the order of ids is the order of the chain).
COLUMNS = ("at", "actor_id", "actor_username", "role", "actor_division_code", "action", "object_type", "object_id",
           "division_code", "reason", "detail", "ip")


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
    values = [at, row["actor_id"], row["actor_username"] or "", row["role"] or "", row["actor_division_code"] or "",
              row["action"] or "", row["object_type"] or "", row["object_id"] or "", row["division_code"] or "",
              row["reason"] or "", _plain(detail or {}), ip]
    return json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def digest(previous: str, row: dict, key: bytes | None = None) -> str:
    """The hash of an entry (its columns as a dict) following ``previous``."""
    mac = hmac.new(key or _current_key(), previous.encode() + b"\n", hashlib.sha256)
    mac.update(_canonical(row))
    return mac.hexdigest()


def _row_of(entry) -> dict:
    return {c: getattr(entry, c) for c in COLUMNS}


def lock_and_last(using: str = "default") -> str:
    """Inside a transaction: take the trail's write lock, then the last hash."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        cursor.execute(f"SELECT chain FROM {TABLE} ORDER BY id DESC LIMIT 1")
        found = cursor.fetchone()
    return (found[0] if found else "") or GENESIS


def link(entries: list, using: str = "default") -> None:
    """Set ``chain`` on new entries, in the order they will be inserted. Call
    inside the transaction that inserts them, right before the INSERT."""
    previous = lock_and_last(using)
    key = _current_key()
    for e in entries:
        e.chain = previous = digest(previous, _row_of(e), key)


@dataclass(frozen=True)
class Break:
    id: int
    at: dt.datetime
    checked: int


def rows_in_order(using: str = "default", batch: int = 5000) -> Iterator[dict]:
    """Every entry's columns in id order (raw SQL: also for the migration)."""
    connection = connections[using]
    names = ("id", "chain", *COLUMNS)
    sql = (f"SELECT {', '.join(connection.ops.quote_name(c) for c in names)} FROM {TABLE} "
           f"WHERE id > %s ORDER BY id LIMIT {int(batch)}")
    last = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(sql, [last])
            rows = [dict(zip(names, r)) for r in cursor.fetchall()]
        if not rows:
            return
        yield from rows
        last = rows[-1]["id"]


def first_break(rows: Iterable[dict] | None = None, using: str = "default") -> tuple[Break | None, int]:
    """The first entry whose hash does not follow from its predecessor's (a row
    altered, removed before it, or inserted), and how many entries were checked."""
    key = _current_key()
    previous = GENESIS
    n = 0
    for row in rows if rows is not None else rows_in_order(using):
        n += 1
        if row["chain"] != digest(previous, row, key):
            return Break(row["id"], aware(row["at"]), n), n
        previous = row["chain"]
    return None, n


def chain_existing(using: str = "default") -> int:
    """Compute the chain for rows written before it existed (migration): every
    row in id order. The append-only triggers must be lifted by the caller."""
    key = _current_key()
    previous = GENESIS
    n = 0
    connection = connections[using]
    pending: list[tuple[str, int]] = []
    for row in rows_in_order(using):  # keyset batches: the updates do not disturb them
        previous = digest(previous, row, key)
        pending.append((previous, row["id"]))
        n += 1
        if len(pending) >= 5000:
            _write_chain(connection, pending)
            pending = []
    _write_chain(connection, pending)
    return n


def _write_chain(connection, pending: list[tuple[str, int]]) -> None:
    if pending:
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {TABLE} SET chain = %s WHERE id = %s", pending)
