"""The audit trail's append-only triggers, lifted and put back around the test
suite's flushes (pytest-django empties tables between committed-data tests,
which the triggers refuse). The SQL is the latest migration's that sets them."""

from __future__ import annotations

import importlib

_MIGRATION = "fangkong.audit.migrations.0008_chain2_audit_seals"


def _sql(vendor: str) -> tuple[list[str], list[str]] | None:
    migration = importlib.import_module(_MIGRATION)
    return {
        "postgresql": ([migration.PG_DOWN], [migration.PG_UP]),
        "sqlite": (list(migration.SQLITE_DOWN), list(migration.SQLITE_UP)),
    }.get(vendor)


def set_triggers(connection, enabled: bool) -> None:
    """Drop the triggers, and with ``enabled`` create them again."""
    sql = _sql(connection.vendor)
    if sql is None:
        return
    down, up = sql
    with connection.cursor() as cursor:
        for statement in down + (up if enabled else []):
            cursor.execute(statement)
