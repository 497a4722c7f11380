"""Many rows in one statement, for the few hot paths where the ORM's per-object work dominates (an
import of a mailbox writes hundreds of thousands of rows).

`rows_insert` takes plain values and writes them, after the same conversion Django applies to each field
(`get_db_prep_save`), in a few statements: on SQLite, INSERTs of many rows each (one per row would make
the mail's full-text index write a segment per message); `on_conflict` adds SQLite's and PostgreSQL's
shared `ON CONFLICT` clause. On
PostgreSQL, rows without an `ON CONFLICT` go in one `COPY` instead: the server then spends a fraction of
an INSERT's per-row work (no bind, no executor start and end per row), which dominated its share of an
import. A row that breaks a constraint fails the COPY as it fails the INSERT: the same error, and the
caller's transaction rolls back either way. Rows that may clash and are then skipped (`DO NOTHING`) go
in one INSERT of arrays on PostgreSQL (`_insert_arrays`). `instance_new` builds the instances such a batch holds
(several a message) without `Model.__init__`'s general work. Everything else goes through the ORM.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from functools import lru_cache
from operator import attrgetter
from typing import Any, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.models import Model
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init
from django.utils import timezone

M = TypeVar("M", bound=Model)


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
    db = connections[DEFAULT_DB_ALIAS]  # once: each `connection.x` is a look-up of its own
    converters = [_prep_of(field, db) for field in columns]
    prepared = [[prep(value) for prep, value in zip(converters, row, strict=True)] for row in rows]
    if prepared:
        _execute_many(meta.db_table, columns, prepared, on_conflict=on_conflict)


def _prep_of(field: models.Field, db: Any) -> Callable[[Any], Any]:
    """`field.get_db_prep_save(value, db)`, the short way for the values that need no conversion: on
    SQLite a value of the very type the field stores (a str for text, an int for a number or a key, a
    bool), and an aware datetime (converted as `_value_of` does, once per distinct value). Any other value
    goes through Django's own conversion. The ties of an import's batch spent most of their writing
    time in Django's general conversion of each value (through the connection's proxy, each time)."""
    slow = field.get_db_prep_save
    if type(field) is models.DateTimeField:
        adapt = _sqlite_moment(db) if db.vendor == "sqlite" else db.ops.adapt_datetimefield_value

        def moment(value: Any) -> Any:
            if type(value) is datetime and value.tzinfo is not None:
                return adapt(value)
            return slow(value, db)

        return moment
    # Django's own classes only, by exact type: a subclass may convert (an encrypted field does). On
    # SQLite only: PostgreSQL's backend gives numbers their exact type for the driver (Int4, Int2…).
    stored = getattr(field, "target_field", field) if field.is_relation else field
    kind = _UNCONVERTED.get(type(stored))
    if db.vendor != "sqlite":
        kind = None
    if kind is None:
        return lambda value: slow(value, db)
    return lambda value: value if type(value) is kind else slow(value, db)


_UNCONVERTED: dict[type, type] = {
    models.BooleanField: bool,
    models.CharField: str,
    models.TextField: str,
    models.EmailField: str,
    **{
        cls: int
        for cls in (
            models.IntegerField,
            models.BigIntegerField,
            models.SmallIntegerField,
            models.PositiveIntegerField,
            models.PositiveBigIntegerField,
            models.PositiveSmallIntegerField,
            models.AutoField,
            models.BigAutoField,
            models.SmallAutoField,
        )
    },
}


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
    a few statements (`rows_insert`): what `bulk_create` writes, without its per-value SQL
    building. For the rows nobody reads back in the same transaction by key (they get none here,
    unless `keys_reserve` gave them one): messages, events, interactions of an import's batch. Related
    objects must be saved already. `ignore_conflicts`: a row that breaks a unique constraint is
    skipped (as `bulk_create`'s). The rows of one call are written at one moment: an `auto_now_add`
    field gets the same time in each."""
    if not objects:
        return
    db = connections[DEFAULT_DB_ALIAS]  # once: each `connection.x` is a look-up of its own
    meta = objects[0]._meta
    keyed = all(obj.pk is not None for obj in objects)  # keys reserved by `keys_reserve`: written too
    fields = [
        f for f in meta.concrete_fields if keyed or not (f.primary_key and isinstance(f, models.AutoField))
    ]
    values = [_value_of(f, db, timezone.now()) for f in fields]
    relate = _related_keys(meta)
    rows = []
    for obj in objects:
        relate(obj)
        rows.append([value(obj) for value in values])
    _execute_many(meta.db_table, fields, rows, on_conflict="DO NOTHING" if ignore_conflicts else "")
    for obj in objects:
        obj._state.adding, obj._state.db = False, db.alias


def _related_keys(meta: Any) -> Callable[[Model], None]:
    """What `Model._prepare_related_fields_for_save` does before a save, for the fields of this model
    only (its general version looks at every field of every instance): a related object assigned
    before it had a key (a pending request of the batch) gives its key now; one still without a key
    is refused as Django refuses it."""
    if meta.private_fields:  # generic relations: Django's own way
        return lambda obj: obj._prepare_related_fields_for_save(operation_name="objects_insert")  # type: ignore[attr-defined]
    related = [(f.name, f.attname, f.target_field.attname) for f in meta.concrete_fields if f.is_relation]

    def relate(obj: Model) -> None:
        cache, data = obj._state.fields_cache, obj.__dict__
        for name, attname, target in related:
            other = cache.get(name)
            if other is None:
                continue
            if other.pk is None:
                raise ValueError(
                    f"objects_insert() prohibited to prevent data loss due to unsaved related object '{name}'."
                )
            if data.get(attname) is None:
                data[attname] = getattr(other, target)
            elif getattr(other, target) != data[attname]:
                del cache[name]  # the key was changed by hand: the object no longer says which row

    return relate


def _value_of(field: models.Field, db: Any, now: datetime) -> Callable[[Model], Any]:
    """How one field's database value is read off an instance: what `Field.pre_save` and
    `get_db_prep_save` give, the shortest way for the kinds of field that need no conversion (a
    date converted once for all the rows that share it: the batch's messages, events and
    interactions mostly do)."""
    name = field.attname
    if type(field) is models.DateTimeField:
        adapt = _sqlite_moment(db) if db.vendor == "sqlite" else db.ops.adapt_datetimefield_value
        adapted: dict[datetime, Any] = {}

        def moment(value: Any) -> Any:
            if value is None:
                return None
            found = adapted.get(value)
            if found is None:
                found = adapted[value] = adapt(value)
            return found

        if field.auto_now or field.auto_now_add:  # what `pre_save` sets on an instance being added

            def stamped(obj: Model) -> Any:
                setattr(obj, name, now)
                return moment(now)

            return stamped
        return lambda obj: moment(getattr(obj, name))
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return lambda obj: field.get_db_prep_save(field.pre_save(obj, True), db)
    if isinstance(field, _PLAIN) or field.is_relation:  # a key: the related row's key, as is
        return attrgetter(name)
    return lambda obj: field.get_db_prep_save(getattr(obj, name), db)


def _sqlite_moment(db: Any) -> Callable[[datetime], Any]:
    """`adapt_datetimefield_value` of Django's SQLite backend, for the datetimes an import writes (aware,
    with time zones on): the same text, without its general checks at each of a batch's values."""
    adapt = db.ops.adapt_datetimefield_value
    if not settings.USE_TZ:
        return adapt
    zone = db.timezone

    def moment(value: datetime) -> Any:
        if type(value) is not datetime or value.tzinfo is None:
            return adapt(value)  # naive (Django refuses it as it does), or an expression
        return str(value.astimezone(zone).replace(tzinfo=None))

    return moment


def instance_new(model: type[M], **values: Any) -> M:
    """`model(**values)` for the hot paths of an import, which build several instances a message: the
    same unsaved instance (each field given, or its default; a related object given by name is cached
    and its key copied, as its descriptor does), without `Model.__init__`'s general loop over every
    field. What it does not handle goes to `model(**values)`: a model with its own `__init__` or whose
    creation signals have receivers, a name that is not a concrete field's."""
    if (
        model.__init__ is not Model.__init__
        or pre_init.has_listeners(model)
        or post_init.has_listeners(model)
    ):
        return model(**values)
    fixed, dynamic, related = _template(model)
    obj = model.__new__(model)
    state = obj._state = ModelState()
    data = obj.__dict__
    data.update(fixed)
    for name, value in values.items():
        if name in related:
            attname, target = related[name]
            data[attname] = None if value is None else getattr(value, target)
            state.fields_cache[name] = value
        elif name in fixed or name in dynamic:
            data[name] = value
        else:
            return model(**values)
    for attname, default in dynamic.items():
        if attname not in values:
            data[attname] = default()
    return obj


_TEMPLATES: dict[
    type[Model], tuple[dict[str, Any], dict[str, Callable[[], Any]], dict[str, tuple[str, str]]]
] = {}


def _template(
    model: type[Model],
) -> tuple[dict[str, Any], dict[str, Callable[[], Any]], dict[str, tuple[str, str]]]:
    """A model's fields for `instance_new`, once: the defaults that are values (by attribute name), those
    computed at each creation (`timezone.now`, `list`…), and the related fields by name (their key's
    attribute name, and the related model's field the key holds)."""
    found = _TEMPLATES.get(model)
    if found is None:
        fixed: dict[str, Any] = {}
        dynamic: dict[str, Callable[[], Any]] = {}
        related: dict[str, tuple[str, str]] = {}
        field: Any
        for field in model._meta.concrete_fields:
            if field.is_relation:
                related[field.name] = (field.attname, field.target_field.attname)
            if field.has_default() and callable(field.default):
                dynamic[field.attname] = field.default
            else:
                fixed[field.attname] = field.get_default()
        found = _TEMPLATES[model] = (fixed, dynamic, related)
    return found


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


def _execute_many(table: str, fields: list[Any], rows: list[list[Any]], *, on_conflict: str) -> None:
    quote = connection.ops.quote_name
    columns = [f.column for f in fields]
    if connection.vendor == "postgresql":
        if not on_conflict:
            _copy(table, columns, rows)
            return
        if on_conflict.endswith("DO NOTHING") and not any(
            f.get_internal_type() in _NOT_IN_ARRAYS for f in fields
        ):
            _insert_arrays(table, fields, rows, on_conflict)
            return
    head = f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) VALUES "  # noqa: S608
    one = f"({', '.join(['%s'] * len(columns))})"
    tail = f" ON CONFLICT {on_conflict}" if on_conflict else ""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # Many rows a statement: each statement that fires the mail's full-text trigger makes FTS5
            # write what it has tokenized so far as a new segment (at the statement's end), so one
            # statement per row wrote one segment per message, and merging them was most of the index's cost.
            # Written with the driver's own placeholders and sent to the driver's cursor (Django's
            # errors still): Django's rewriting of each `%s` of a statement of thousands of them, at
            # every batch, was a share of a large import's time.
            driver = cursor.cursor
            start = 0
            for size in _sqlite_statement_sizes(len(rows), len(columns)):
                chunk = rows[start : start + size]
                start += size
                with connection.wrap_database_errors:
                    sqlite3.Cursor.execute(
                        driver,
                        _sqlite_insert(head, len(columns), size, tail),
                        [v for row in chunk for v in row],
                    )
            return
        cursor.executemany(head + one + tail, rows)


@lru_cache(maxsize=256)
def _sqlite_insert(head: str, columns: int, rows: int, tail: str) -> str:
    """`head` (INSERT INTO … VALUES) then `rows` rows of `columns` `?` each, then `tail`."""
    one = f"({', '.join(['?'] * columns)})"
    return head + ", ".join([one] * rows) + tail


_SQLITE_ROWS_PER_STATEMENT = 512


def _sqlite_statement_sizes(count: int, columns: int) -> list[int]:
    """How many rows each statement takes, in a few sizes only: full statements of the largest size
    this SQLite allows (`_sqlite_rows_per_statement`), then the rest as powers of two, largest first
    (400 rows: 256, 128, 16). The driver keeps each distinct statement prepared (its cache holds 128):
    one statement per exact row count kept a new prepared INSERT of thousands of parameters for every
    batch, up to tens of megabytes of a large import's memory, and prepared each anew. With these
    sizes a table has at most about ten, reused from batch to batch."""
    step = _sqlite_rows_per_statement(columns)
    sizes = [step] * (count // step)
    rest = count - step * len(sizes)
    size = step
    while rest:
        while size > rest:
            size //= 2
        sizes.append(size)
        rest -= size
    return sizes


def _sqlite_rows_per_statement(columns: int) -> int:
    """As many rows as this SQLite takes parameters in one statement (999 before 3.32, 32,766 after;
    a build may set its own), at most 512, as a power of two."""
    raw = connection.connection
    limit = raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) if hasattr(raw, "getlimit") else 999
    most = max(1, min(_SQLITE_ROWS_PER_STATEMENT, limit // max(1, columns)))
    return 1 << (most.bit_length() - 1)


# Kinds of field whose values do not go in a PostgreSQL array parameter as they are.
_NOT_IN_ARRAYS = {"JSONField", "BinaryField", "ArrayField"}


def _insert_arrays(table: str, fields: list[Any], rows: list[list[Any]], on_conflict: str) -> None:
    """PostgreSQL, rows that may clash and are then skipped (`ON CONFLICT … DO NOTHING`): one INSERT of
    them all, each column sent as one array (`unnest`), which the server reads and plans once where
    executemany has it do both for every row. Two rows of the call that clash with each other: the
    first is written, the second skipped, as executemany's one by one would. (Not for `DO UPDATE`,
    which refuses to change one row twice in a statement.)"""
    quote = connection.ops.quote_name
    arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in fields)
    sql = (
        f"INSERT INTO {quote(table)} ({', '.join(quote(f.column) for f in fields)}) "  # noqa: S608
        f"SELECT * FROM unnest({arrays}) ON CONFLICT {on_conflict}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [list(column) for column in zip(*rows, strict=True)])


def _copy(table: str, columns: list[str], rows: list[list[Any]]) -> None:
    """PostgreSQL: the rows in one `COPY … FROM STDIN`, each value adapted by the connection's own
    adapters (as executemany's parameters are); its errors raised as Django's (IntegrityError…)."""
    quote = connection.ops.quote_name
    sql = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    with connection.cursor() as cursor, connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def commit_lazily() -> None:
    """Let the current transaction's commit return before PostgreSQL has flushed it to disk
    (`synchronous_commit` off, for this transaction only; SQLite's WAL with `synchronous=NORMAL` does
    the like already). For the batches of a mail import or sync, where waiting for the disk at each
    commit is most of the time a batch's commit takes, and where it loses nothing that cannot be taken
    again: the database stays consistent whatever happens (the WAL is still written in order; a crash
    of the database's host may lose the last few hundred milliseconds of commits, whole transactions,
    never part of one), and those batches are idempotent by Message-ID while their source stays (the
    mail files, the IMAP mailbox with its ledger written in the same transactions): a new run takes
    again what was lost. A crash of the importing process itself loses nothing committed."""
    if connection.vendor == "postgresql":
        if not connection.in_atomic_block:
            raise RuntimeError("commit_lazily needs a transaction")
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
