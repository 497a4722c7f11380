# The mail of the clocks and of the leader's digest (circulation/escalation.py, digest.py): the grouped
# reminders and escalations, the daily digest with its one-click links, the weekly proof list. Their
# default FR/EN texts, editable like the others; rows a hub already has are kept.

from django.db import migrations

KEYS = {"clock_reminders", "leader_digest", "proof_list"}


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
    dependencies = [("outbox", "0009_hub_identity_leader_mail")]
    operations = [migrations.RunPython(seed, unseed)]
