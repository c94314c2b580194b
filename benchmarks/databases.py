"""The benchmark's own databases: a fresh SQLite file under var/bench/ and a fresh
PostgreSQL database (fangkong_bench), never the ones the demo or the tests use."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

PROJECT = Path(__file__).resolve().parent.parent
BENCH_DIR = PROJECT / "var" / "bench"
SQLITE_PATH = BENCH_DIR / "fangkong_bench.sqlite3"
POSTGRES_URL = os.environ.get("FANGKONG_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/fangkong_bench")


def environment(db: str) -> dict[str, str]:
    """Environment variables that point Django at the benchmark database."""
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    env["FANGKONG_VAR_DIR"] = str(BENCH_DIR)
    env["DJANGO_SETTINGS_MODULE"] = "fangkong.settings"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT / "src"), env.get("PYTHONPATH")]))
    if db == "postgres":
        env["DATABASE_URL"] = POSTGRES_URL
    else:
        env["FANGKONG_SQLITE_PATH"] = str(SQLITE_PATH)
    return env


def _pg_admin():
    import psycopg

    parts = urlsplit(POSTGRES_URL)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    return psycopg.connect(admin, autocommit=True), name


def postgres_available() -> bool:
    import psycopg

    try:
        conn, _name = _pg_admin()
    except psycopg.OperationalError:
        return False
    conn.close()
    return True


def create(db: str) -> None:
    """A fresh, empty database."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    if db == "postgres":
        from psycopg import sql

        conn, name = _pg_admin()
        with conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    else:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)


def drop(db: str) -> None:
    if db == "postgres":
        from psycopg import sql

        conn, name = _pg_admin()
        with conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    else:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)


def exists(db: str) -> bool:
    if db == "postgres":
        conn, name = _pg_admin()
        with conn:
            return bool(conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone())
    return SQLITE_PATH.exists()
