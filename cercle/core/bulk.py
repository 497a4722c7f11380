"""Many rows in one statement, for the few hot paths where the ORM's per-object work dominates (an
import of a mailbox writes hundreds of thousands of rows).

`rows_insert` takes plain values and writes them with one prepared statement run for every row
(`executemany`: SQLite's C loop, psycopg's pipeline), after the same conversion Django applies to each
field (`get_db_prep_save`); `on_conflict` adds SQLite's and PostgreSQL's shared `ON CONFLICT` clause.
Everything else goes through the ORM.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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
    columns = [meta.get_field(name) for name in fields]
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
    building. For the rows nobody reads back in the same transaction by key (they get none here):
    messages, events, interactions of an import's batch. Related objects must be saved already.
    `ignore_conflicts`: a row that breaks a unique constraint is skipped (as `bulk_create`'s)."""
    if not objects:
        return
    meta = objects[0]._meta
    fields = [f for f in meta.concrete_fields if not (f.primary_key and isinstance(f, models.AutoField))]
    plain = [isinstance(f, _PLAIN) and not f.is_relation for f in fields]
    rows = []
    for obj in objects:
        obj._prepare_related_fields_for_save(operation_name="objects_insert")
        rows.append(
            [
                f.pre_save(obj, True) if is_plain else f.get_db_prep_save(f.pre_save(obj, True), connection)
                for f, is_plain in zip(fields, plain, strict=True)
            ]
        )
    _execute_many(
        meta.db_table, [f.column for f in fields], rows, on_conflict="DO NOTHING" if ignore_conflicts else ""
    )


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
