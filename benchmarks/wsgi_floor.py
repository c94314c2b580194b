"""The floor under a checkpoint registration: what this machine does with the
same work and no Django. Used by ``passages.py --floor-seconds``; not part of
Fangkong, never served to anyone.

A bare WSGI app under the same gunicorn (workers × threads) that, for each
form posted, does what a registration does with the same statements against
the same tables: reads the session, the user and the checkpoint, looks the
person up by blind index, then in one transaction takes the advisory lock,
reads pending arrivals FOR UPDATE and inserts the arrival (inbound), the
passage and the audit entries; it encrypts the ID number and the phone
(AES-GCM) and computes the blind indexes (HMAC-SHA256) as the vault does, and
answers a small HTML fragment. It does not validate the ID number, the phone,
the plate or the temperature, check permissions, or render a template: the
figure is the hardware's and the driver's share, not a product.

Column values it does not compute are copied from the newest row of each
table (the registration phase that runs first wrote them)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import threading
import uuid
from urllib.parse import parse_qs

import psycopg
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from psycopg.types.json import Jsonb

DSN = os.environ.get("FLOOR_DSN", "")
CHECKPOINT = int(os.environ.get("FLOOR_CHECKPOINT", "1"))
USERNAME = os.environ.get("FLOOR_USERNAME", "bench_checkpoint")
_AEAD = AESGCM(os.urandom(32))
_HMAC_KEY = os.urandom(32)
_local = threading.local()


def _connection():
    conn = getattr(_local, "conn", None)
    if conn is None:
        # Client-side binding, as Django's PostgreSQL backend does by default.
        conn = _local.conn = psycopg.connect(DSN, cursor_factory=psycopg.ClientCursor)
        _local.templates = {}
        for table in ("screening_arrival", "checkpoints_passage", "audit_auditentry"):
            cur = conn.execute(f"SELECT * FROM {table} ORDER BY id DESC LIMIT 1")
            names = [d.name for d in cur.description]
            _local.templates[table] = ([n for n in names if n != "id"], dict(zip(names, cur.fetchone(), strict=False)))
        _local.user_id = conn.execute("SELECT id FROM accounts_user WHERE username = %s", [USERNAME]).fetchone()[0]
        conn.commit()
    return conn


def _encrypt(text: str) -> str:
    nonce = os.urandom(12)
    return (nonce + _AEAD.encrypt(nonce, text.encode(), None)).hex()


def _index(text: str) -> str:
    return hmac.new(_HMAC_KEY, text.encode(), hashlib.sha256).hexdigest()[:40]


def _insert(cur, table: str, values: dict) -> int:
    columns, template = _local.templates[table]
    row = {**template, **values}
    params = [Jsonb(row[c]) if isinstance(row[c], (dict, list)) else row[c] for c in columns]
    cur.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))}) RETURNING id", params
    )
    return cur.fetchone()[0]


def app(environ, start_response):
    conn = _connection()
    body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
    session_key = environ.get("HTTP_COOKIE", "").partition("sessionid=")[2][:32] or "none"
    now = dt.datetime.now(dt.UTC)
    cur = conn.cursor()
    cur.execute(
        "SELECT session_data, expire_date FROM django_session WHERE session_key = %s AND expire_date > %s",
        [session_key, now],
    )
    cur.fetchall()
    cur.execute("SELECT * FROM accounts_user WHERE id = %s", [_local.user_id])
    cur.fetchall()
    cur.execute("SELECT * FROM checkpoints_checkpoint WHERE id = %s", [CHECKPOINT])
    cur.fetchall()
    doc, phone = form.get("doc_number", ""), form.get("phone", "")
    doc_index = _index(doc)
    cur.execute(
        "SELECT id, doc_index, name, phone_cipher, phone_index, phone_masked FROM people_person "
        "WHERE doc_index IN (%s)",
        [doc_index],
    )
    cur.fetchall()
    identity = {
        "doc_cipher": _encrypt(doc),
        "doc_index": doc_index,
        "doc_masked": doc[:6] + "********" + doc[-4:],
        "phone_cipher": _encrypt(phone),
        "phone_index": _index(phone),
        "name": form.get("name", "")[:50],
    }
    lock = int.from_bytes(hashlib.blake2b(doc_index.encode(), digest_size=8).digest(), "big", signed=True)
    cur.execute("SELECT count(pg_advisory_xact_lock(k)) FROM unnest(%s::bigint[]) AS t(k)", [[lock]])
    cur.execute(
        "SELECT * FROM screening_arrival WHERE doc_index IN (%s) AND status = %s ORDER BY id FOR UPDATE",
        [doc_index, "pending"],
    )
    cur.fetchall()
    arrival = None
    if form.get("direction") == "in":
        arrival = _insert(
            cur, "screening_arrival", {**identity, "created_at": now, "division_code": form.get("destination", "")[:15]}
        )
    passage = _insert(
        cur,
        "checkpoints_passage",
        {
            **identity,
            "arrival_id": arrival,
            "registered_at": now,
            "client_key": form.get("client_key") or str(uuid.uuid4()),
        },
    )
    _insert(
        cur, "audit_auditentry", {"at": now, "object_id": str(passage), "detail": {"direction": form.get("direction")}}
    )
    if arrival:
        _insert(cur, "audit_auditentry", {"at": now, "object_id": str(arrival), "detail": {"source": "passage"}})
    conn.commit()
    out = (
        f'<div id="result"><h2>{identity["name"]}</h2><p>{identity["doc_masked"]}</p></div>'
        f'<input id="id_client_key" hx-swap-oob="true" value="{uuid.uuid4()}">'
    ).encode()
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(out)))])
    return [out]
