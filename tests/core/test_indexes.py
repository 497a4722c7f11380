"""No index repeats the first column of another of the same table: each one is a page more to write for
every new row (an import writes hundreds of thousands), and nothing reads it that the longer one does
not serve. Read from the database itself, so a migration that meant to drop one and missed (another
name on this database) fails here."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection

pytestmark = pytest.mark.django_db

# The tables an import or a sync writes for each message.
WRITTEN_BY_INTAKE = [
    "circulation_request",
    "circulation_event",
    "intake_message",
    "network_contact",
    "network_identity",
    "network_interaction",
    "network_contacttie",
    "network_tieevidence",
]


def _partial(table: str) -> set[str]:
    """The names of the table's partial indexes (a WHERE): they serve only their own rows."""
    model = next(m for m in apps.get_models() if m._meta.db_table == table)
    declared = [*model._meta.indexes, *model._meta.constraints]
    return {item.name for item in declared if getattr(item, "condition", None) is not None}


def _indexes(table: str) -> dict[str, list[str]]:
    """Each index of the table on columns (not on an expression, as PostgreSQL's full-text one), by name,
    partial ones left out."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    partial = _partial(table)
    return {
        name: info["columns"]
        for name, info in constraints.items()
        if (info["index"] or info["unique"])
        and info["columns"]
        and all(info["columns"])
        and name not in partial
    }


@pytest.mark.parametrize("table", WRITTEN_BY_INTAKE)
def test_no_index_is_the_start_of_another(table: str) -> None:
    indexes = _indexes(table)
    assert indexes, f"{table}: no index read (introspection failed?)"
    single = {name: columns[0] for name, columns in indexes.items() if len(columns) == 1}
    for name, column in single.items():
        if column == "id":
            continue
        longer = [other for other, columns in indexes.items() if other != name and columns[0] == column]
        assert not longer, f"{table}.{name} on {column} repeats the start of {longer}"


# The foreign keys whose own index was dropped (circulation 0013, network 0014).
LOST_THEIR_OWN_INDEX = [
    ("circulation_request", "requester_id"),
    ("circulation_request", "lead_id"),
    ("circulation_event", "request_id"),
    ("network_identity", "contact_id"),
    ("network_interaction", "contact_id"),
    ("network_contacttie", "a_id"),
    ("network_contacttie", "b_id"),
    ("network_tieevidence", "a_id"),
]


@pytest.mark.parametrize(("table", "column"), LOST_THEIR_OWN_INDEX)
def test_what_the_dropped_indexes_served_is_still_served(table: str, column: str) -> None:
    """A delete of a contact or a request, a profile's list of requests, look rows up by these keys:
    some longer index starts with each."""
    model = next(m for m in apps.get_models() if m._meta.db_table == table)
    field = next(f for f in model._meta.concrete_fields if f.column == column)
    assert field.is_relation and not field.db_index
    starting = [name for name, columns in _indexes(table).items() if columns and columns[0] == column]
    assert starting, f"{table}.{column}: no index starts with it"
