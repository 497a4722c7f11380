# The mail of introductions the hub makes between two people (people/matchmaking.py): their default
# FR/EN texts, editable like the others; rows a hub already has are kept.

from django.db import migrations

KEYS = {"match_request", "match_target", "match_bridge", "match_declined", "match_declined_hub"}


def seed(apps, schema_editor):
    from cercle.outbox.defaults import DEFAULT_TEMPLATES

    MailTemplate = apps.get_model("outbox", "MailTemplate")
    for (key, language), (subject, body) in DEFAULT_TEMPLATES.items():
        if key in KEYS:
            MailTemplate.objects.get_or_create(
                key=key, language=language, defaults={"subject": subject, "body": body}
            )


# The introduction request's subject began with a small letter when it was not a reminder: a hub that
# kept the default gets the corrected one (an edited subject is left alone).
_OLD_SUBJECTS = {
    "fr": "{% if reminder %}Petit rappel : {% endif %}pourriez-vous me présenter {{ target_name }} ?",
    "en": "{% if reminder %}A gentle reminder: {% endif %}could you introduce me to {{ target_name }}?",
}


def subject_fix(apps, schema_editor):
    from cercle.outbox.defaults import DEFAULT_TEMPLATES

    MailTemplate = apps.get_model("outbox", "MailTemplate")
    for language, old in _OLD_SUBJECTS.items():
        new = DEFAULT_TEMPLATES[("intro_request", language)][0]
        MailTemplate.objects.filter(key="intro_request", language=language, subject=old).update(subject=new)


def unseed(apps, schema_editor):
    apps.get_model("outbox", "MailTemplate").objects.filter(key__in=KEYS).delete()


class Migration(migrations.Migration):
    dependencies = [("people", "0004_introduction_kind_and_matches")]
    operations = [
        migrations.RunPython(seed, unseed),
        migrations.RunPython(subject_fix, migrations.RunPython.noop),
    ]
