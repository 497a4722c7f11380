# The thread belongs to the request: `Message` moved to circulation (same table, nothing rewritten).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0002_message_kind_and_optional_request"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Message")],
            database_operations=[],
        ),
    ]
