"""The search texts of the strongest people of the network, indexed apart: a common word is searched
among them first (network/search.py, `_POOL`), at a cost bounded by their number instead of by the
network's.

`ContactSearch.strongest` marks them (written by `search.search_strongest_refresh` only). SQLite
indexes their texts in a second, small FTS5 table kept in step by triggers on the mark and the text;
the whole network's FTS5 table is now rewritten only when a text changes, not when its mark does.
PostgreSQL indexes their stored tsvectors in a partial GIN index.

The column is added in place (on SQLite, Django would copy the table, which drops its triggers).
"""

from django.db import migrations, models

# As many as `search._POOL` when this was written; `search_strongest_refresh` follows the constant.
_STRONGEST = 1000

_SQLITE = [
    "DROP TRIGGER IF EXISTS network_contactsearch_au",
    "CREATE TRIGGER network_contactsearch_au AFTER UPDATE OF document ON network_contactsearch BEGIN "
    "INSERT INTO network_contact_fts(network_contact_fts, rowid, document) "
    "VALUES ('delete', old.contact_id, old.document); "
    "INSERT INTO network_contact_fts(rowid, document) VALUES (new.contact_id, new.document); END",
    # Its own copy of the texts (a thousand): a row leaves it by its id alone.
    "CREATE VIRTUAL TABLE network_contact_fts_strongest USING fts5(document, tokenize='unicode61')",
    "CREATE TRIGGER network_contactsearch_strongest_ai AFTER INSERT ON network_contactsearch"
    " WHEN new.strongest BEGIN "
    "INSERT INTO network_contact_fts_strongest(rowid, document) VALUES (new.contact_id, new.document); END",
    "CREATE TRIGGER network_contactsearch_strongest_ad AFTER DELETE ON network_contactsearch"
    " WHEN old.strongest BEGIN "
    "DELETE FROM network_contact_fts_strongest WHERE rowid = old.contact_id; END",
    "CREATE TRIGGER network_contactsearch_strongest_au AFTER UPDATE OF document, strongest"
    " ON network_contactsearch WHEN old.strongest OR new.strongest BEGIN "
    "DELETE FROM network_contact_fts_strongest WHERE rowid = old.contact_id; "
    "INSERT INTO network_contact_fts_strongest(rowid, document) "
    "SELECT new.contact_id, new.document WHERE new.strongest; END",
]
_SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS network_contactsearch_strongest_au",
    "DROP TRIGGER IF EXISTS network_contactsearch_strongest_ad",
    "DROP TRIGGER IF EXISTS network_contactsearch_strongest_ai",
    "DROP TABLE IF EXISTS network_contact_fts_strongest",
    "DROP TRIGGER IF EXISTS network_contactsearch_au",
    "CREATE TRIGGER network_contactsearch_au AFTER UPDATE ON network_contactsearch BEGIN "
    "INSERT INTO network_contact_fts(network_contact_fts, rowid, document) "
    "VALUES ('delete', old.contact_id, old.document); "
    "INSERT INTO network_contact_fts(rowid, document) VALUES (new.contact_id, new.document); END",
]
_POSTGRES = [
    "CREATE INDEX network_contactsearch_strongest_tsv ON network_contactsearch USING gin (document_tsv)"
    " WHERE strongest"
]
_POSTGRES_REVERSE = ["DROP INDEX IF EXISTS network_contactsearch_strongest_tsv"]

_COLUMN = {
    "sqlite": ["ALTER TABLE network_contactsearch ADD COLUMN strongest bool NOT NULL DEFAULT 0"],
    "postgresql": [
        "ALTER TABLE network_contactsearch ADD COLUMN strongest boolean NOT NULL DEFAULT false",
        "ALTER TABLE network_contactsearch ALTER COLUMN strongest DROP DEFAULT",
    ],
}
_COLUMN_REVERSE = {
    "sqlite": ["ALTER TABLE network_contactsearch DROP COLUMN strongest"],
    "postgresql": ["ALTER TABLE network_contactsearch DROP COLUMN strongest"],
}


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


def mark_the_strongest(apps, schema_editor):
    # On SQLite the trigger copies their texts into the small index.
    schema_editor.execute(
        "UPDATE network_contactsearch SET strongest = %s WHERE contact_id IN (SELECT id FROM network_contact"
        " WHERE in_network ORDER BY rank_key DESC, id LIMIT %s)",
        [True, _STRONGEST],
    )


class Migration(migrations.Migration):
    dependencies = [("network", "0011_search_tsvector_stored")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="contactsearch",
                    name="strongest",
                    field=models.BooleanField(default=False, editable=False),
                )
            ],
            database_operations=[migrations.RunPython(_run(_COLUMN), _run(_COLUMN_REVERSE))],
        ),
        migrations.AddIndex(
            model_name="contactsearch",
            index=models.Index(
                fields=["contact"], condition=models.Q(strongest=True), name="contactsearch_strongest"
            ),
        ),
        migrations.RunPython(
            _run({"sqlite": _SQLITE, "postgresql": _POSTGRES}),
            _run({"sqlite": _SQLITE_REVERSE, "postgresql": _POSTGRES_REVERSE}),
        ),
        migrations.RunPython(mark_the_strongest, migrations.RunPython.noop),
    ]
