"""Fixtures for the few screening tests that need committed data (concurrent
writers on PostgreSQL)."""

import pytest
from django.db import connection


def _audit_triggers(enabled: bool) -> None:
    """The audit trail is append-only in the database; the flush after a
    committed-data test needs its triggers lifted, and back afterwards."""
    import importlib

    migration = importlib.import_module("fangkong.audit.migrations.0002_append_only_triggers")
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(migration.PG_DOWN)
        if enabled:
            cursor.execute(migration.PG_UP)


@pytest.fixture
def restore_after_flush(django_db_setup, django_db_blocker):
    """Set up before (so torn down after) pytest-django's flush: puts the audit
    triggers and the Hebi divisions back."""
    yield
    from conftest import _ensure_hebi

    with django_db_blocker.unblock():
        _audit_triggers(True)
        _ensure_hebi()


@pytest.fixture
def committed_db(restore_after_flush, transactional_db):
    from conftest import _ensure_hebi

    _ensure_hebi()
    yield
    _audit_triggers(False)


