"""Many rows in one statement, for the few hot paths where the ORM's per-object work dominates (an
import of a mailbox writes hundreds of thousands of rows).

`rows_insert` takes plain values and writes them with one prepared statement run for every row
(`executemany`: SQLite's C loop, psycopg's pipeline), after the same conversion Django applies to each
field (`get_db_prep_save`); `on_conflict` adds SQLite's and PostgreSQL's shared `ON CONFLICT` clause.
Everything else goes through the ORM.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from operator import attrgetter
from typing import Any

from django.db import connection, models
from django.db.models import Model


def rows_insert(
    model: type[Model],
    fields: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    on_conflict: str = "",
) -> None:
    """INSERT `rows` (values in the order of `fields`, field names as on the model) into `model`'s table.
    `on_conflict`: SQL after `ON CONFLICT`, e.g. "(a_id, b_id) DO NOTHING" (column names, quoted by
    the caller where needed; `excluded.<column>` names the row that was refused)."""
    meta = model._meta
    columns: list[Any] = [meta.get_field(name) for name in fields]  # concrete fields, by the caller's word
    prepared = [
        [field.get_db_prep_save(value, connection) for field, value in zip(columns, row, strict=True)]
        for row in rows
    ]
    if prepared:
        _execute_many(meta.db_table, [f.column for f in columns], prepared, on_conflict=on_conflict)


# Fields whose Python value is already what the database driver takes (no conversion to do per row).
_PLAIN = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.FloatField,
)


def objects_insert(objects: Sequence[Model], *, ignore_conflicts: bool = False) -> None:
    """INSERT unsaved model instances of one model, every concrete field but an automatic key, with
    one prepared statement (`rows_insert`): what `bulk_create` writes, without its per-value SQL
    building. For the rows nobody reads back in the same transaction by key (they get none here,
    unless `keys_reserve` gave them one): messages, events, interactions of an import's batch. Related
    objects must be saved already. `ignore_conflicts`: a row that breaks a unique constraint is
    skipped (as `bulk_create`'s)."""
    if not objects:
        return
    meta = objects[0]._meta
    keyed = all(obj.pk is not None for obj in objects)  # keys reserved by `keys_reserve`: written too
    fields = [
        f for f in meta.concrete_fields if keyed or not (f.primary_key and isinstance(f, models.AutoField))
    ]
    values = [_value_of(f) for f in fields]
    rows = []
    for obj in objects:
        obj._prepare_related_fields_for_save(operation_name="objects_insert")  # type: ignore[attr-defined]
        rows.append([value(obj) for value in values])
    _execute_many(
        meta.db_table, [f.column for f in fields], rows, on_conflict="DO NOTHING" if ignore_conflicts else ""
    )
    for obj in objects:
        obj._state.adding, obj._state.db = False, connection.alias


def _value_of(field: models.Field) -> Callable[[Model], Any]:
    """How one field's database value is read off an instance: what `Field.pre_save` and
    `get_db_prep_save` give, the shortest way for the kinds of field that need no conversion."""
    name = field.attname
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return lambda obj: field.get_db_prep_save(field.pre_save(obj, True), connection)
    if isinstance(field, _PLAIN) or field.is_relation:  # a key: the related row's key, as is
        return attrgetter(name)
    if type(field) is models.DateTimeField:
        adapt = connection.ops.adapt_datetimefield_value
        return lambda obj: adapt(getattr(obj, name))
    return lambda obj: field.get_db_prep_save(getattr(obj, name), connection)


def keys_reserve(model: type[Model], count: int) -> list[int]:
    """`count` new primary keys for `model`, nobody else's: from the sequence on PostgreSQL; on SQLite
    after the highest key ever given (the table's AUTOINCREMENT counter), which is safe because the
    caller's transaction holds the database's write lock (IMMEDIATE transactions, config/settings.py).
    Only inside a transaction, whose commit makes them taken."""
    if not connection.in_atomic_block:
        raise RuntimeError("keys_reserve needs a transaction")
    if count <= 0:
        return []
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        quote = connection.ops.quote_name
        cursor.execute(f"SELECT MAX({quote(column)}) FROM {quote(table)}")  # noqa: S608
        highest = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        first = max(highest, row[0] if row else 0) + 1
    return list(range(first, first + count))


def _execute_many(table: str, columns: list[str], rows: list[list[Any]], *, on_conflict: str) -> None:
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    if on_conflict:
        sql += f" ON CONFLICT {on_conflict}"
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
