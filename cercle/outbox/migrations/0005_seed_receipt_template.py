# The receipt (a form request's immediate "we have it, you will hear from us within N hours"): its
# default FR/EN texts, editable in the admin like the others. Rows a hub already has are kept.

from django.db import migrations


def seed(apps, schema_editor):
    from cercle.outbox.defaults import DEFAULT_TEMPLATES

    MailTemplate = apps.get_model("outbox", "MailTemplate")
    for (key, language), (subject, body) in DEFAULT_TEMPLATES.items():
        if key == "receipt":
            MailTemplate.objects.get_or_create(
                key=key, language=language, defaults={"subject": subject, "body": body}
            )


class Migration(migrations.Migration):
    dependencies = [("outbox", "0004_outgoing_uncertain")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
