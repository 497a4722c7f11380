"""PostgreSQL's full-text index of mail (0010) folds accents only in text that has some: most mail is
plain ASCII, where `translate` changes nothing yet cost two thirds of the indexed expression (it compares
each character with each accented one), paid by every message an import writes. The same documents,
so the same answers: a search finds what it found. SQLite's FTS5 table is not concerned."""

from django.db import migrations

# As in 0010 (a copy: a migration does not import the code it may outlive); circulation/search.py asks
# with the very same expression, or PostgreSQL would not use the index.
ACCENTED = "àáâãäåçèéêëìíîïñòóôõöùúûüýÿœæÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝŒÆ"
PLAIN = "aaaaaaceeeeiiiinooooouuuuyyoaAAAAAACEEEEIIIINOOOOOUUUUYOA"
_TEXT = "subject || ' ' || from_name || ' ' || from_email || ' ' || left(text, 100000)"
OLD_DOCUMENT = f"to_tsvector('simple', translate({_TEXT}, '{ACCENTED}', '{PLAIN}'))"
# Any character outside ASCII (a regular expression: whatever the database's encoding).
PG_DOCUMENT = (
    f"to_tsvector('simple', CASE WHEN ({_TEXT}) ~ '[^\\x01-\\x7f]' "
    f"THEN translate({_TEXT}, '{ACCENTED}', '{PLAIN}') ELSE {_TEXT} END)"
)


def _index(document):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute("DROP INDEX IF EXISTS intake_message_search")
            schema_editor.execute(f"CREATE INDEX intake_message_search ON intake_message USING gin ({document})")

    return run


class Migration(migrations.Migration):
    dependencies = [("circulation", "0010_message_search")]

    operations = [migrations.RunPython(_index(PG_DOCUMENT), _index(OLD_DOCUMENT))]
