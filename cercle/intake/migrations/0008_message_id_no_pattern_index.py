"""PostgreSQL: a message's Message-ID loses the second index Django gives a unique text column there
(`varchar_pattern_ops`, for LIKE 'prefix%' look-ups). Cercle looks Message-IDs up whole, by the unique
index, never by prefix; the second one was written for every stored message for nothing. SQLite never
had it."""

from django.db import migrations

INDEX = "intake_message_message_id_8001a070_like"


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{INDEX}"')


def restore(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "intake_message" ("message_id" varchar_pattern_ops)'
        )


class Migration(migrations.Migration):
    dependencies = [("intake", "0007_hub_own_and_aliases")]

    operations = [migrations.RunPython(drop, restore)]
