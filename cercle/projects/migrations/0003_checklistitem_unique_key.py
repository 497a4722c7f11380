# Apart from 0002: PostgreSQL refuses to alter a table whose rows the same transaction just updated.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("projects", "0002_meeting_invitation_and_step_keys")]

    operations = [
        migrations.AddConstraint(
            model_name="checklistitem",
            constraint=models.UniqueConstraint(
                condition=models.Q(("key", ""), _negated=True),
                fields=("project", "key"),
                name="checklistitem_unique_key",
            ),
        ),
    ]
