"""PostgreSQL: the search text's tsvector stored (a generated column) with its GIN index, so ranking a
match reads the stored vector instead of rebuilding it from the text (20–30× faster on common words).
SQLite keeps its FTS5 table: nothing to do there."""

from django.db import migrations

_FORWARD = [
    "ALTER TABLE network_contactsearch ADD COLUMN document_tsv tsvector"
    " GENERATED ALWAYS AS (to_tsvector('simple', document)) STORED",
    "CREATE INDEX network_contactsearch_tsv ON network_contactsearch USING gin (document_tsv)",
    "DROP INDEX IF EXISTS network_contactsearch_fts",
]
_BACKWARD = [
    "CREATE INDEX IF NOT EXISTS network_contactsearch_fts ON network_contactsearch"
    " USING gin (to_tsvector('simple', document))",
    "DROP INDEX IF EXISTS network_contactsearch_tsv",
    "ALTER TABLE network_contactsearch DROP COLUMN IF EXISTS document_tsv",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("network", "0010_network_ranks_index")]

    operations = [migrations.RunPython(_run(_FORWARD), _run(_BACKWARD))]
