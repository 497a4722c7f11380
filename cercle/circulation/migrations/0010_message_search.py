"""Full-text search over mail (subject, sender, text): an FTS5 table kept in step by triggers on SQLite,
a GIN index on PostgreSQL. An import's mail is searchable as soon as its batch commits."""

from django.db import migrations

# The indexed text on PostgreSQL: circulation/search.py asks with the very same expression (a copy:
# a migration does not import the code it may outlive).
# Accents folded by `translate` (built in, immutable; `unaccent` is an extension a host may not allow),
# as SQLite's tokenizer folds them: "renovation" finds "rénovation".
ACCENTED = "àáâãäåçèéêëìíîïñòóôõöùúûüýÿœæÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝŒÆ"
PLAIN = "aaaaaaceeeeiiiinooooouuuuyyoaAAAAAACEEEEIIIINOOOOOUUUUYOA"
PG_DOCUMENT = (
    "to_tsvector('simple', translate(subject || ' ' || from_name || ' ' || from_email || ' ' || left(text, 100000), "
    f"'{ACCENTED}', '{PLAIN}'))"
)

_COLUMNS = "subject, from_name, from_email, text"
_NEW = "new.subject, new.from_name, new.from_email, new.text"
_OLD = "old.subject, old.from_name, old.from_email, old.text"

_SQLITE = [
    "CREATE VIRTUAL TABLE intake_message_fts USING fts5("
    f"{_COLUMNS}, content='intake_message', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER intake_message_fts_ai AFTER INSERT ON intake_message BEGIN "
    f"INSERT INTO intake_message_fts(rowid, {_COLUMNS}) VALUES (new.id, {_NEW}); END",
    "CREATE TRIGGER intake_message_fts_ad AFTER DELETE ON intake_message BEGIN "
    f"INSERT INTO intake_message_fts(intake_message_fts, rowid, {_COLUMNS}) VALUES ('delete', old.id, {_OLD}); END",
    f"CREATE TRIGGER intake_message_fts_au AFTER UPDATE OF {_COLUMNS} ON intake_message BEGIN "
    f"INSERT INTO intake_message_fts(intake_message_fts, rowid, {_COLUMNS}) VALUES ('delete', old.id, {_OLD}); "
    f"INSERT INTO intake_message_fts(rowid, {_COLUMNS}) VALUES (new.id, {_NEW}); END",
    "INSERT INTO intake_message_fts(intake_message_fts) VALUES ('rebuild')",
]
_SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS intake_message_fts_au",
    "DROP TRIGGER IF EXISTS intake_message_fts_ad",
    "DROP TRIGGER IF EXISTS intake_message_fts_ai",
    "DROP TABLE IF EXISTS intake_message_fts",
]
_POSTGRES = [f"CREATE INDEX intake_message_search ON intake_message USING gin ({PG_DOCUMENT})"]
_POSTGRES_REVERSE = ["DROP INDEX IF EXISTS intake_message_search"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("circulation", "0009_request_lead_kind")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": _SQLITE, "postgresql": _POSTGRES}),
            _run({"sqlite": _SQLITE_REVERSE, "postgresql": _POSTGRES_REVERSE}),
        )
    ]
