from django.db import migrations


def seed(apps, schema_editor):
    from cercle.outbox.defaults import DEFAULT_TEMPLATES

    MailTemplate = apps.get_model("outbox", "MailTemplate")
    for (key, language), (subject, body) in DEFAULT_TEMPLATES.items():
        MailTemplate.objects.get_or_create(key=key, language=language, defaults={"subject": subject, "body": body})


class Migration(migrations.Migration):
    dependencies = [("outbox", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
