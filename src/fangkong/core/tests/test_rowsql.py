"""core.rowsql: statements built once must return and write exactly what the
ORM would, on SQLite and on PostgreSQL (the suite runs on both)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import FieldDoesNotExist
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import QIBIN
from fangkong.audit.models import AuditEntry
from fangkong.checkpoints.models import Checkpoint, Passage
from fangkong.core import rowsql
from fangkong.core.rowsql import RowSelect, insert
from fangkong.screening.models import Arrival

pytestmark = pytest.mark.django_db


def _values(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


@pytest.fixture
def registered(checkpoint_staff, hq_officer):
    """A carload of two registered at a city checkpoint, bound for 清华园社区,
    one with fever: passages with every kind of column, and their arrivals."""
    from fangkong.checkpoints.services import checkpoint_create, passage_register
    from fangkong.checkpoints.tests.conftest import passage

    cp = checkpoint_create(actor=hq_officer, level="city", division_code=QIBIN, name="鹤壁东站", kind="railway_station")
    reg = passage_register(
        actor=checkpoint_staff,
        checkpoint=cp,
        passage=passage(client_key="k-1"),
        passengers=[passage(temperature="38.1", name="孙小美", phone="")],
    )
    return cp, reg.passages


def test_one_returns_what_the_orm_returns_for_every_column(registered):
    cp, passages = registered
    for model, pk in ((Passage, passages[1].pk), (Checkpoint, cp.pk), (Arrival, passages[1].arrival_id)):
        row = RowSelect(model, {"id": "="}).one(pk)
        orm = model.objects.get(pk=pk)
        assert type(row) is model and row._state.adding is False and row._state.db == "default"
        assert _values(row) == _values(orm)
    fever = RowSelect(Passage, {"id": "="}).one(passages[1].pk)
    assert fever.temperature == Decimal("38.1") and fever.fever is True and isinstance(fever.registered_at, dt.datetime)
    assert fever.registered_at.tzinfo is not None
    assert RowSelect(Passage, {"id": "="}).one(-1) is None


def test_json_ip_and_datetime_columns_come_back_converted(hq_officer):
    from fangkong.audit.services import entry

    e = entry(hq_officer, "export", None, object_type="person", division_code="4106")
    e.detail, e.ip = {"rows": 3, "名称": ["甲", None]}, "10.0.0.7"
    insert([e])
    row = RowSelect(AuditEntry, {"id": "="}).one(e.pk)
    assert _values(row) == _values(AuditEntry.objects.get(pk=e.pk))
    assert row.detail == {"rows": 3, "名称": ["甲", None]} and row.ip == "10.0.0.7"


def test_rows_in_with_other_params_order_and_chunked_lists(registered):
    _cp, passages = registered
    docs = [p.doc_index for p in passages]
    select = RowSelect(Arrival, {"doc_index": "in", "status": "="}, order_by=["id"])
    found = select.rows_in(docs, "pending")
    assert [a.pk for a in found] == sorted(p.arrival_id for p in passages)
    assert select.rows_in(docs, "handled") == []
    assert select.rows_in(docs[:1], "pending")[0].doc_index == docs[0]
    with CaptureQueriesContext(connection) as ctx:
        assert select.rows_in([], "pending") == []
    assert len(ctx.captured_queries) == 0


def test_only_some_fields_defers_the_others(registered):
    _cp, passages = registered
    select = RowSelect(Passage, {"doc_index": "in"}, fields=("name", "doc_index"))
    (row,) = select.rows_in([passages[0].doc_index])
    assert row.pk == passages[0].pk and row.name == passages[0].name
    assert "plate" in row.get_deferred_fields() and "name" not in row.get_deferred_fields()
    assert row.plate == passages[0].plate  # loaded on access, as with .only()


def test_for_update_only_where_the_database_has_it(registered):
    _cp, passages = registered
    select = RowSelect(Arrival, {"id": "="}, for_update=True)
    with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
        assert select.one(passages[0].arrival_id).pk == passages[0].arrival_id
    assert ctx.captured_queries[-1]["sql"].endswith("FOR UPDATE") is connection.features.has_select_for_update


def test_params_are_adapted_as_the_orm_adapts_them(db):
    """An aware datetime compared with a datetime column (stored as text on
    SQLite): the session that has expired one second ago is not found."""
    now = timezone.now()
    Session.objects.create(session_key="a" * 32, session_data="x", expire_date=now - dt.timedelta(seconds=1))
    Session.objects.create(session_key="b" * 32, session_data="y", expire_date=now + dt.timedelta(seconds=1))
    live = RowSelect(Session, {"session_key": "=", "expire_date": ">"})
    assert live.one("a" * 32, now) is None
    assert live.one("b" * 32, now).session_data == "y"


def test_conditions_name_fields_and_a_renamed_one_fails_where_it_is_declared():
    with pytest.raises(FieldDoesNotExist):
        RowSelect(Passage, {"id": "=", "no_such_field": "="})
    with pytest.raises(FieldDoesNotExist):
        RowSelect(Passage, {"id": "="}, order_by=["-no_such_field"])
    with pytest.raises(ValueError):
        RowSelect(Passage, {"id": "like"})
    with pytest.raises(ValueError):
        RowSelect(Passage, {"id": "in", "arrival": "in"})
    with pytest.raises(TypeError):
        RowSelect(Passage, {"id": "="}).one()


def test_the_sql_quotes_each_fields_column(registered):
    _cp, passages = registered
    select = RowSelect(Passage, {"arrival": "=", "registered_at": "<="}, order_by=["-registered_at", "id"])
    qn = connection.ops.quote_name
    sql, _converters = select._plan("default", 0)
    assert f"WHERE {qn('arrival_id')} = %s AND {qn('registered_at')} <= %s" in sql
    assert sql.endswith(f"ORDER BY {qn('registered_at')} DESC, {qn('id')}")
    assert [p.pk for p in select.rows(passages[1].arrival_id, timezone.now())] == [passages[1].pk]


def _audit(user, n: int, action: str = "view") -> list[AuditEntry]:
    from fangkong.audit.services import entry

    return [
        entry(user, action, None, object_type="person", object_id=str(i), division_code="4106", detail={"i": i})
        for i in range(n)
    ]


def test_insert_writes_what_bulk_create_writes(hq_officer):
    ours, theirs = _audit(hq_officer, 3), _audit(hq_officer, 3)
    for o, t in zip(ours, theirs, strict=False):
        t.at = o.at
    with CaptureQueriesContext(connection) as ctx:
        insert(ours)
    assert len(ctx.captured_queries) == 1
    AuditEntry.objects.bulk_create(theirs)
    assert all(o.pk and o._state.adding is False and o._state.db == "default" for o in ours)
    assert len({o.pk for o in ours}) == 3
    for o, t in zip(ours, theirs, strict=False):
        a, b = _values(AuditEntry.objects.get(pk=o.pk)), _values(AuditEntry.objects.get(pk=t.pk))
        assert a.pop("id") != b.pop("id")
        assert a == b
        assert AuditEntry.objects.get(pk=o.pk).detail == o.detail


def test_insert_of_a_row_with_dates_decimals_and_foreign_keys(registered):
    _cp, passages = registered
    a = Arrival.objects.get(pk=passages[1].arrival_id)
    copy = Arrival(**{f.attname: getattr(a, f.attname) for f in Arrival._meta.concrete_fields if f.attname != "id"})
    insert([copy])
    stored = _values(Arrival.objects.get(pk=copy.pk))
    assert stored.pop("id") == copy.pk != a.pk
    original = _values(a)
    original.pop("id")
    assert stored == original and stored["temperature"] == Decimal("38.1")


def test_insert_of_many_goes_through_bulk_create(hq_officer):
    entries = _audit(hq_officer, rowsql.SMALL_INSERT + 5)
    insert(entries)
    assert AuditEntry.objects.filter(pk__in=[e.pk for e in entries]).count() == len(entries)
    insert([])  # nothing to do, no statement


def test_insert_raises_the_integrity_error_of_a_taken_unique_key(registered, checkpoint_staff):
    cp, passages = registered
    again = Passage(
        **{f.attname: getattr(passages[0], f.attname) for f in Passage._meta.concrete_fields if f.attname != "id"}
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        insert([again])  # client_key k-1 is taken
    assert Passage.objects.filter(client_key="k-1").count() == 1


def test_a_number_the_column_cannot_hold_matches_nothing(registered, client, checkpoint_staff):
    """As the ORM's exact lookups (SQLite would raise OverflowError): a huge id
    in a URL is the same 404 as a missing one, never a 500."""
    cp, passages = registered
    by_id = RowSelect(Passage, {"id": "="})
    assert by_id.one(10**20) is None and by_id.one(-(10**20)) is None
    in_list = RowSelect(Passage, {"id": "in"})
    assert [p.pk for p in in_list.rows_in([10**20, passages[0].pk])] == [passages[0].pk]
    assert in_list.rows_in([10**20]) == []
    client.force_login(checkpoint_staff)
    assert client.get(f"/checkpoints/{10**20}/").status_code == 404
    assert client.get(f"/checkpoints/{10**20}/register/").status_code == 404
    assert client.get(f"/checkpoints/{cp.pk}/").status_code == 200


def test_rows_in_sends_long_lists_in_chunks(registered):
    """SQLite's limit on parameters: one statement per IN_CHUNK values."""
    _cp, passages = registered
    docs = [f"missing-{i}" for i in range(2 * rowsql.IN_CHUNK + 10)] + [p.doc_index for p in passages]
    select = RowSelect(Arrival, {"doc_index": "in", "status": "="})
    with CaptureQueriesContext(connection) as ctx:
        found = select.rows_in(docs, "pending")
    assert len(ctx.captured_queries) == 3
    assert sorted(a.pk for a in found) == sorted(p.arrival_id for p in passages)
