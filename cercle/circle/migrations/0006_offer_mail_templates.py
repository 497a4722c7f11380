# The mail that tells whoever routed a request that an offer moved on (declined, passed on, unanswered),
# and the offer's mail that now gives the member their answer time: existing hubs get the new template
# (rows a hub already has are kept) and the new lines of the offer mail, unless someone edited the
# sentence they follow (only the exact old text is replaced).

from django.db import migrations

KEYS = {"offer_moved_on"}

OLD = {
    "fr": "{{ brief }}\n\nAcceptez-la pour en devenir chef de projet",
    "en": "{{ brief }}\n\nAccept it to become its project lead",
}


def _new(language):
    from cercle.outbox.defaults import DEFAULT_TEMPLATES

    body = DEFAULT_TEMPLATES[("offer", language)][1]
    start = body.index("{{ brief }}")
    end = body.index("Accept")
    return body[start:end] + OLD[language].split("\n\n", 1)[1]


def forward(apps, schema_editor):
    from cercle.outbox.defaults import DEFAULT_TEMPLATES

    MailTemplate = apps.get_model("outbox", "MailTemplate")
    for (key, language), (subject, body) in DEFAULT_TEMPLATES.items():
        if key in KEYS:
            MailTemplate.objects.get_or_create(
                key=key, language=language, defaults={"subject": subject, "body": body}
            )
    for language, old in OLD.items():
        for template in MailTemplate.objects.filter(key="offer", language=language):
            if old in template.body:
                template.body = template.body.replace(old, _new(language))
                template.save(update_fields=["body"])


class Migration(migrations.Migration):
    dependencies = [("circle", "0005_offer_order_and_deadline"), ("outbox", "0008_french_wording")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
