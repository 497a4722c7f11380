# The project's mail: the first meeting's invitation and its update, and the welcome of a team member.
# Their default FR/EN texts, editable in the admin like the others; rows a hub already has are kept.

from django.db import migrations

KEYS = {"meeting_invitation", "meeting_update", "team_welcome"}


def seed(apps, schema_editor):
    from cercle.outbox.defaults import DEFAULT_TEMPLATES

    MailTemplate = apps.get_model("outbox", "MailTemplate")
    for (key, language), (subject, body) in DEFAULT_TEMPLATES.items():
        if key in KEYS:
            MailTemplate.objects.get_or_create(
                key=key, language=language, defaults={"subject": subject, "body": body}
            )


class Migration(migrations.Migration):
    dependencies = [("outbox", "0006_outgoing_attachments")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
