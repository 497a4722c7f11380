"""PostgreSQL: how a message's long columns are stored. SQLite is not concerned.

- `raw_compressed` holds the source already compressed (mail/source.py): PostgreSQL's own
  compression only spent time failing to shrink it. Stored out of line as it is (STORAGE EXTERNAL).
- `text` and `html` are compressed with lz4 instead of pglz, where the server has lz4 (PostgreSQL
  14 and later, built with it, as the usual packages are): about as small, and several times faster
  to compress, which an import of a whole mailbox pays for every long message.

Both change only how values written from now on are stored; the rows already there stay readable as
they are."""

from django.db import migrations

COMPRESSED = ("text", "html")


def _has_lz4(connection) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        )
        row = cursor.fetchone()
    return bool(row and row[0])


def _store(method: str, storage: str):
    def run(apps, schema_editor):
        connection = schema_editor.connection
        if connection.vendor != "postgresql":
            return
        schema_editor.execute(f"ALTER TABLE intake_message ALTER COLUMN raw_compressed SET STORAGE {storage}")
        if method == "lz4" and not _has_lz4(connection):
            return
        for column in COMPRESSED:
            schema_editor.execute(
                f"ALTER TABLE intake_message ALTER COLUMN {column} SET COMPRESSION {method}"
            )

    return run


class Migration(migrations.Migration):
    dependencies = [("circulation", "0013_fewer_indexes")]

    operations = [migrations.RunPython(_store("lz4", "EXTERNAL"), _store("default", "EXTENDED"))]
