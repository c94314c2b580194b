"""Indexes on the tables every passage registration writes to.

A registration inserts a passage, usually an arrival and two audit entries, and
every index on those tables is one more B-tree insertion per row. So they carry
only the indexes some query uses:

- no ``varchar_pattern_ops`` ("_like") twin: Django adds one on PostgreSQL for
  every CharField with ``db_index=True`` or ``unique=True``; it serves only
  LIKE / ``startswith``, and no query uses those on blind indexes, client keys,
  statuses, actions, division codes (ranges, ``lib.codes.prefix_range``) or
  names and pinyin (ranges too). Such fields are indexed through
  ``Meta.indexes`` / ``Meta.constraints`` instead, which get no twin;
- no single-column index that a composite index leading with the same column
  already provides, none on a boolean.

A new index on the three hot tables must be added to ``HOT`` below, knowingly.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection

HOT = {
    "checkpoints_passage": {
        "id",
        "client_key",
        "person_id",
        "vehicle_group",
        "checkpoint_id, registered_at",
        "division_code, registered_at",
        "registered_on, division_code",
    },
    "screening_arrival": {
        "id",
        "doc_index",
        "person_id",
        "division_code, status, flagged",
        "division_code, arrived_on",
        "status, division_code",
        "created_on, division_code",
        "handled_on, division_code",
    },
    "audit_auditentry": {
        "id",
        "at",
        "action",
        "division_code",
        "actor_id, at",
        "object_type, object_id",
    },
}
# Other tables with blind indexes, client keys or division codes that are written in bulk.
LEAN = [
    *HOT,
    "people_person",
    "people_household",
    "followups_followup",
    "followups_referral",
    "followups_deliveryrequest",
]


def _division_scoped():
    from django.apps import apps

    from fangkong.core.models import DivisionScoped

    return [m for m in apps.get_models() if issubclass(m, DivisionScoped)]


def test_division_code_is_indexed_in_meta_only():
    """core.models.DivisionScoped declares division_code without db_index: each
    subclass states in Meta.indexes the index its scoped queries use (a range
    on the code), so no table gets the PostgreSQL "_like" twin."""
    models = _division_scoped()
    assert len(models) >= 14
    for model in models:
        assert not model._meta.get_field("division_code").db_index, model
        assert any(index.fields[0] == "division_code" for index in model._meta.indexes), (
            f"{model._meta.label}: no index leads with division_code"
        )


postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's own indexes")


def _pg_indexes(tables) -> list[tuple[str, str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes "
            "WHERE schemaname = current_schema() AND tablename = ANY(%s) ORDER BY 1, 2",
            [list(tables)],
        )
        return cursor.fetchall()


def _columns(indexdef: str) -> str:
    return re.search(r"USING btree \(([^)]*)\)", indexdef).group(1)


@postgresql_only
@pytest.mark.django_db
def test_no_pattern_ops_twin_on_the_written_tables():
    twins = [(table, name) for table, name, definition in _pg_indexes(LEAN) if "pattern_ops" in definition]
    assert not twins, (
        f"unused varchar_pattern_ops indexes {twins}: declare the field's index in Meta.indexes "
        f"(or its uniqueness in Meta.constraints) instead of db_index=True / unique=True"
    )


@postgresql_only
@pytest.mark.django_db
def test_no_division_code_has_a_pattern_ops_twin():
    tables = [m._meta.db_table for m in _division_scoped()]
    twins = [
        (table, name)
        for table, name, definition in _pg_indexes(tables)
        if "pattern_ops" in definition and _columns(definition).startswith("division_code ")
    ]
    assert not twins, f"unused varchar_pattern_ops indexes on division_code {twins}"


@postgresql_only
@pytest.mark.django_db
def test_the_hot_tables_carry_only_the_indexes_queries_use():
    found: dict[str, set[str]] = {table: set() for table in HOT}
    for table, _name, definition in _pg_indexes(HOT):
        found[table].add(_columns(definition))
    assert found == HOT


@pytest.mark.django_db
def test_the_indexes_the_queries_need_are_there():
    """On both databases (on SQLite a table remake keeps only what the model
    state knows, so the counts index created by raw SQL is checked too)."""
    with connection.cursor() as cursor:

        def indexed(table):
            return {
                (tuple(c["columns"]), bool(c["unique"]))
                for c in connection.introspection.get_constraints(cursor, table).values()
                if c["index"] or c["unique"]
            }

        passage, arrival = indexed("checkpoints_passage"), indexed("screening_arrival")
        person = indexed("people_person")
        names = connection.introspection.get_constraints(cursor, "checkpoints_passage")
    assert (("client_key",), True) in passage
    assert (("vehicle_group",), False) in passage
    assert "passage_day_division" in names
    assert (("doc_index",), False) in arrival
    assert (("doc_index",), True) in person
    assert {
        (("phone_index",), False),
        (("name_pinyin",), False),
        (("name_initials",), False),
        (("division_code",), False),
    } <= person


@pytest.mark.django_db
def test_every_division_scoped_table_has_an_index_leading_with_division_code():
    """On both databases: the scoped range query of each table can use an index."""
    with connection.cursor() as cursor:
        for model in _division_scoped():
            constraints = connection.introspection.get_constraints(cursor, model._meta.db_table).values()
            assert any(c["index"] and c["columns"][:1] == ["division_code"] for c in constraints), model


@postgresql_only
@pytest.mark.django_db
def test_the_queries_of_the_hot_path_and_the_lists_still_find_an_index():
    """With sequential scans priced out, each query's condition on the named
    column must be an index condition (not a filter over a whole index)."""
    from fangkong.audit.models import AuditEntry
    from fangkong.checkpoints.models import Passage
    from fangkong.people.models import Person
    from fangkong.screening.models import Arrival

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    code = {"division_code__gte": "410611005", "division_code__lt": "410611006"}
    queries = {
        # The merge of repeated reports: doc_index is its selective condition.
        "arrival merge": ("doc_index", Arrival.objects.filter(doc_index__in=["a", "b"])),
        "arrival queue": (
            "division_code",
            Arrival.objects.filter(status="pending", **code).order_by("-flagged", "-created_at", "-id"),
        ),
        "arrival list": ("division_code", Arrival.objects.filter(**code).order_by("-flagged", "-created_at", "-id")),
        "arrival counts": (
            "status",
            Arrival.objects.filter(status="pending", division_code__gte="4106", division_code__lt="4107"),
        ),
        "client key": ("client_key", Passage.objects.filter(client_key="k")),
        "carload": ("vehicle_group", Passage.objects.filter(vehicle_group="4f7c9a56-5c61-4a9e-9d53-8f2ad9f5c2a1")),
        "passage list": ("division_code", Passage.objects.filter(**code).order_by("-registered_at", "-id")),
        "audit action": ("action", AuditEntry.objects.filter(action="reveal")),
        "audit place": ("division_code", AuditEntry.objects.filter(**code)),
        "person phone": ("phone_index", Person.objects.filter(phone_index="p")),
        "person pinyin": ("name_pinyin", Person.objects.filter(name_pinyin__gte="zhang", name_pinyin__lt="zhanh")),
        "person initials": ("name_initials", Person.objects.filter(name_initials__gte="zs", name_initials__lt="zt")),
        "person list": ("division_code", Person.objects.filter(**code).order_by("division_code", "id")),
    }
    unserved = {}
    for label, (column, qs) in queries.items():
        plan = qs.explain()
        if not any(line.strip().startswith("Index Cond:") and column in line for line in plan.splitlines()):
            unserved[label] = plan
    assert not unserved, unserved
