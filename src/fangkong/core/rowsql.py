"""Whole-row SELECTs and small INSERTs whose SQL is built once, for the few
statements every checkpoint registration runs.

The ORM compiles a query again each time it runs: for a one-row lookup by key
that is ≈ 0.35 ms of CPU on top of ≈ 0.2 ms for the round trip itself, and a
checkpoint registration runs eight such statements (session, user, checkpoint,
person, pending arrival, three INSERTs). Here the SQL text, the column list and
the value converters are worked out once per model and database alias, from the
model's own metadata (no column is written by hand), and rows come back as
model instances through ``Model.from_db`` with the backend's and the fields'
converters applied — what the ORM would have returned.

Use it only where a profile shows the statement matters; everywhere else the
ORM's readability wins. Tests (core/tests/test_rowsql.py) compare every result
with the ORM's on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import AutoField, Model

IN_CHUNK = 500


def _integer_range(field: Any, connection: BaseDatabaseWrapper) -> tuple[int, int] | None:
    target = field.target_field if field.is_relation else field
    limits: tuple[int, int] | None = connection.ops.integer_field_ranges.get(target.get_internal_type())
    return limits


_OPERATORS = {"=": "= %s", ">": "> %s", ">=": ">= %s", "<": "< %s", "<=": "<= %s", "in": "IN ({in})"}


class RowSelect:
    """``SELECT <the model's columns> FROM <its table> WHERE <where>``.

    ``where`` maps field names to operators (``=``, ``>``, ``>=``, ``<``,
    ``<=``, ``in``), ANDed in order: ``{"doc_index": "in", "status": "="}``.
    The columns come from the fields (``Model._meta.get_field(name).column``),
    so a renamed or removed field fails when the statement is declared (at
    import), not when it runs. Values are given in the same order and adapted
    as the ORM adapts them (a datetime on SQLite, say); the ``in`` condition
    (at most one) takes the list given to ``rows_in``. ``order_by``: field
    names, ``-name`` for descending. ``fields``: attribute names to load
    (default all concrete fields; the primary key is always loaded); the
    others are deferred as with ``.only()``. ``for_update`` adds FOR UPDATE
    where the database supports it (PostgreSQL; SQLite's write lock
    serializes writers anyway). An integer outside its column's range matches
    nothing, as with the ORM's exact lookups.
    """

    def __init__(
        self,
        model: type[Model],
        where: Mapping[str, str],
        *,
        fields: Sequence[str] | None = None,
        order_by: Sequence[str] = (),
        for_update: bool = False,
    ) -> None:
        if not where or any(op not in _OPERATORS for op in where.values()):
            raise ValueError(f"where: field name → one of {sorted(_OPERATORS)}")
        if list(where.values()).count("in") > 1:
            raise ValueError("where: at most one 'in' condition")
        self.model = model
        meta = model._meta
        self.conditions: list[tuple[Any, str]] = [(meta.get_field(name), op) for name, op in where.items()]
        self.slots = ["{in}" if op == "in" else "%s" for _field, op in self.conditions]
        self.param_fields: list[Any] = [field for field, _op in self.conditions]
        self.order: list[tuple[Any, bool]] = [
            (meta.get_field(name.removeprefix("-")), name.startswith("-")) for name in order_by
        ]
        self.for_update = for_update
        if fields is None:
            self.fields = list(meta.concrete_fields)
        else:
            # In the model's order, as Model.from_db expects for a partial row.
            wanted = {meta.get_field(name) for name in fields} | {meta.pk}
            self.fields = [f for f in meta.concrete_fields if f in wanted]
        self.attnames = [f.attname for f in self.fields]
        self._plans: dict[tuple[str, int], tuple[str, list[Any]]] = {}

    def _plan(self, using: str, n_in: int) -> tuple[str, list[Any]]:
        plan = self._plans.get((using, n_in))
        if plan is None:
            connection = connections[using]
            qn = connection.ops.quote_name
            table = self.model._meta.db_table
            # (A concrete field's column is never None; django-stubs types it optional.)
            columns = ", ".join(f"{qn(table)}.{qn(f.column)}" for f in self.fields)  # type: ignore[arg-type]
            where = " AND ".join(f"{qn(field.column)} {_OPERATORS[op]}" for field, op in self.conditions)
            where = where.replace("{in}", ", ".join(["%s"] * n_in))
            sql = f"SELECT {columns} FROM {qn(table)} WHERE {where}"
            if self.order:
                sql += " ORDER BY " + ", ".join(
                    qn(field.column) + (" DESC" if desc else "") for field, desc in self.order
                )
            if self.for_update and connection.features.has_select_for_update:
                sql += " FOR UPDATE"
            converters = []
            for i, field in enumerate(self.fields):
                col = field.get_col(table)
                found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
                if found:
                    converters.append((i, found, col))
            plan = self._plans[(using, n_in)] = (sql, converters)
        return plan

    def _run(self, using: str | None, in_values: Sequence[Any] | None, params: Sequence[Any]) -> list[Any]:
        using = using or router.db_for_read(self.model)
        connection = connections[using]
        if len(params) != len(self.slots) - (in_values is not None):
            raise TypeError(f"{len(self.slots)} placeholders, {len(params)} values")
        args: list[Any] = []
        values = iter(params)
        for slot, field in zip(self.slots, self.param_fields, strict=False):
            if slot == "{in}" and in_values is None:
                raise TypeError("{in} takes its values from rows_in()")
            given = list(in_values) if slot == "{in}" and in_values is not None else [next(values)]
            limits = _integer_range(field, connection)
            if limits:
                # As the ORM's lookups: a number the column cannot hold matches
                # nothing (SQLite would raise OverflowError).
                given = [v for v in given if not isinstance(v, int) or limits[0] <= v <= limits[1]]
                if not given:
                    return []
                if slot == "{in}":
                    in_values = given
            args += [field.get_db_prep_value(v, connection) for v in given]
        sql, converters = self._plan(using, len(in_values or ()))
        with connection.cursor() as cursor:
            cursor.execute(sql, args)
            rows = cursor.fetchall()
        result = []
        for row in rows:
            if converters:
                row = list(row)
                for i, functions, col in converters:
                    value = row[i]
                    for convert in functions:
                        value = convert(value, col, connection)
                    row[i] = value
            result.append(self.model.from_db(using, self.attnames, row))
        return result

    def rows(self, *params: Any, using: str | None = None) -> list[Any]:
        return self._run(using, None, params)

    def one(self, *params: Any, using: str | None = None) -> Any:
        """The first row, or None."""
        found = self._run(using, None, params)
        return found[0] if found else None

    def rows_in(self, values: Sequence[Any], *params: Any, using: str | None = None) -> list[Any]:
        """Rows for ``where`` with ``{in}`` standing for ``values`` (``params``
        fill the other placeholders): one statement per IN_CHUNK values, under
        SQLite's limit on parameters (``order_by`` holds within each)."""
        found = []
        for i in range(0, len(values), IN_CHUNK):
            found += self._run(using, values[i : i + IN_CHUNK], params)
        return found


_insert_plans: dict[tuple[type[Model], str, int], tuple[str, list[Any], bool]] = {}


SMALL_INSERT = 20


def insert(objs: Sequence[Model], *, using: str | None = None) -> None:
    """INSERT new instances of one model as ``bulk_create`` does (``pre_save``
    with add=True, so auto_now_add fields are filled; primary keys set from
    RETURNING). It sends no signals — no ``pre_save``/``post_save``, as
    ``bulk_create`` — so a model whose writes need a receiver (counts, caches,
    ``scope_stamp``) must not go through it. Up to SMALL_INSERT rows go in one statement built
    once per model and row count; more go through ``bulk_create`` in batches
    of 500 (on PostgreSQL it sends them as arrays, which is what large lists
    want)."""
    if not objs:
        return
    model = type(objs[0])
    using = using or router.db_for_write(model)
    if len(objs) > SMALL_INSERT:
        model._default_manager.db_manager(using).bulk_create(objs, batch_size=500)
        return
    connection = connections[using]
    key = (model, using, len(objs))
    plan = _insert_plans.get(key)
    if plan is None:
        meta = model._meta
        fields = [f for f in meta.concrete_fields if not isinstance(f, AutoField)]
        qn = connection.ops.quote_name
        row = "(" + ", ".join(["%s"] * len(fields)) + ")"
        sql = (
            f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "  # type: ignore[arg-type]
            f"VALUES {', '.join([row] * len(objs))}"
        )
        returning = isinstance(meta.pk, AutoField) and connection.features.can_return_rows_from_bulk_insert
        if returning:
            sql += f" RETURNING {qn(meta.pk.column)}"  # type: ignore[arg-type]
        plan = _insert_plans[key] = (sql, fields, returning)
    sql, fields, returning = plan
    params = [f.get_db_prep_save(f.pre_save(obj, True), connection=connection) for obj in objs for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = [r[0] for r in cursor.fetchall()] if returning else []
    for i, obj in enumerate(objs):
        if ids:
            obj.pk = ids[i]
        obj._state.adding = False
        obj._state.db = using
