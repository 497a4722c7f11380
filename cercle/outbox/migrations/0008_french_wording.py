"""Existing hubs get the corrected French wording of two default mails (no repeated "avec vous", one form
of "chef de projet"), unless someone edited those sentences: only the exact old sentence is replaced."""

from django.db import migrations

FIXES = [
    (
        "Un membre officiel du cercle va prendre contact avec vous très prochainement pour en parler avec vous.",
        "Un membre officiel du cercle va vous contacter très prochainement pour en parler avec vous.",
    ),
    (
        "Acceptez-la pour en devenir chef ou cheffe de projet, ou déclinez-la",
        "Acceptez-la pour en devenir chef de projet, ou déclinez-la",
    ),
]


def forward(apps, schema_editor):
    MailTemplate = apps.get_model("outbox", "MailTemplate")
    for template in MailTemplate.objects.filter(language="fr"):
        body = template.body
        for old, new in FIXES:
            body = body.replace(old, new)
        if body != template.body:
            template.body = body
            template.save(update_fields=["body"])


def backward(apps, schema_editor):
    MailTemplate = apps.get_model("outbox", "MailTemplate")
    for template in MailTemplate.objects.filter(language="fr"):
        body = template.body
        for old, new in FIXES:
            body = body.replace(new, old)
        if body != template.body:
            template.body = body
            template.save(update_fields=["body"])


class Migration(migrations.Migration):
    dependencies = [("outbox", "0007_seed_project_templates")]

    operations = [migrations.RunPython(forward, backward)]
