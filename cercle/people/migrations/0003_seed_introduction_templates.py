# The mail of introductions and thanks (people/introductions): their default FR/EN texts, editable like
# the others; rows a hub already has are kept.

from django.db import migrations

KEYS = {
    "intro_request",
    "intro_links",
    "intro_target",
    "intro_bridge",
    "intro_declined",
    "intro_declined_hub",
    "intro_thanks",
}


def seed(apps, schema_editor):
    from cercle.outbox.defaults import DEFAULT_TEMPLATES

    MailTemplate = apps.get_model("outbox", "MailTemplate")
    for (key, language), (subject, body) in DEFAULT_TEMPLATES.items():
        if key in KEYS:
            MailTemplate.objects.get_or_create(
                key=key, language=language, defaults={"subject": subject, "body": body}
            )


def unseed(apps, schema_editor):
    apps.get_model("outbox", "MailTemplate").objects.filter(key__in=KEYS).delete()


class Migration(migrations.Migration):
    dependencies = [("people", "0002_introductions"), ("outbox", "0010_seed_clock_and_digest_templates")]
    operations = [migrations.RunPython(seed, unseed)]
