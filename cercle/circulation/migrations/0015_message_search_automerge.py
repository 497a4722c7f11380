"""SQLite: the mail's full-text table merges its segments eight at a time instead of four
(FTS5's `automerge`). PostgreSQL is not concerned.

An import writes the index a batch at a time, each batch a new segment, and FTS5 merges segments as
they pile up: with four at a time, each entry was rewritten at every level of a deeper tree. With
eight, the index of 100,000 messages was built with less work (FTS5 alone, on this table's columns
and tokenizer: 7.0-7.6 s against 5.6-6.7 s of CPU; in a whole import the writing thread's CPU went
down 0.3-1.1 s, within the machine's noise), and searches read as fast (the same milliseconds for
common and rare words: a few more segments, each read once). The setting is kept in the table itself;
it changes how the segments written from now on are merged, not what is found."""

from django.db import migrations

SET = "INSERT INTO intake_message_fts(intake_message_fts, rank) VALUES ('automerge', %s)"


def _automerge(segments: int):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            schema_editor.execute(SET % segments)

    return run


class Migration(migrations.Migration):
    dependencies = [("circulation", "0014_message_storage")]

    operations = [migrations.RunPython(_automerge(8), _automerge(4))]
