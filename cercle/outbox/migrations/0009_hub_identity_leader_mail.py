# The hub's mail identity (sender, reply-to, the leader's signature: outbox.HubIdentity); the leader's two
# new mails (the weekly status of a project, the notice of an outcome); and the acknowledgement and the
# introduction that now say who the hub is and end with the leader's signature: existing hubs get the new
# texts unless someone edited them.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# The bodies of the acknowledgement and the introduction as seeded until now: a row still holding one of
# them (give or take the whitespace a save in the admin changes) was never edited, and gets the new text.
PREVIOUS = {
    (
        "acknowledgement",
        "en",
    ): "Hello {{ requester_name }},\n\nThank you for your message. {{ leader_name }} has read it and entrusted your request to their first circle.\nAn official member of the circle will contact you very soon to talk it through with you.\n\nThere is nothing you need to do in the meantime; to add anything, simply reply to this message.\n\nKind regards,\n{{ hub_name }}, on behalf of {{ leader_name }}\n",
    (
        "acknowledgement",
        "fr",
    ): "Bonjour {{ requester_name }},\n\nMerci pour votre message. {{ leader_name }} l'a lu et a confié votre demande à son premier cercle.\nUn membre officiel du cercle va vous contacter très prochainement pour en parler avec vous.\n\nVous n'avez rien à faire d'ici là ; si vous souhaitez ajouter une précision, répondez simplement à ce message.\n\nBien cordialement,\n{{ hub_name }}, pour {{ leader_name }}\n",
    (
        "introduction",
        "en",
    ): "Hello {{ requester_name }},\n\nAs promised, let me introduce {{ lead_name }}, a member of my first circle, who is taking care of your request\nand will be your contact from now on.\n{% if lead_headline %}\n{{ lead_name }}: {{ lead_headline }}.\n{% endif %}\n{{ lead_name }} will propose a first meeting very soon. I stay in copy and follow how it goes.\n\nKind regards,\n{{ leader_name }}\n",
    (
        "introduction",
        "fr",
    ): "Bonjour {{ requester_name }},\n\nComme promis, je vous présente {{ lead_name }}, membre de mon premier cercle, qui prend en charge votre demande\net sera désormais votre interlocuteur ou interlocutrice.\n{% if lead_headline %}\n{{ lead_name }} : {{ lead_headline }}.\n{% endif %}\n{{ lead_name }} vous proposera très vite un premier rendez-vous. Je reste en copie et suis l'avancement.\n\nBien cordialement,\n{{ leader_name }}\n",
}

NEW_KEYS = {"project_weekly", "project_outcome"}


def _same(a, b):
    return a.replace("\r\n", "\n").strip() == b.replace("\r\n", "\n").strip()


def forward(apps, schema_editor):
    from cercle.outbox.defaults import DEFAULT_TEMPLATES

    MailTemplate = apps.get_model("outbox", "MailTemplate")
    for (key, language), (subject, body) in DEFAULT_TEMPLATES.items():
        if key in NEW_KEYS:
            MailTemplate.objects.get_or_create(
                key=key, language=language, defaults={"subject": subject, "body": body}
            )
    for (key, language), previous in PREVIOUS.items():
        row = MailTemplate.objects.filter(key=key, language=language).first()
        if row is not None and _same(row.body, previous):
            row.body = DEFAULT_TEMPLATES[(key, language)][1]
            row.save(update_fields=["body"])


def backward(apps, schema_editor):
    from cercle.outbox.defaults import DEFAULT_TEMPLATES

    MailTemplate = apps.get_model("outbox", "MailTemplate")
    MailTemplate.objects.filter(key__in=NEW_KEYS).delete()
    for (key, language), previous in PREVIOUS.items():
        row = MailTemplate.objects.filter(key=key, language=language).first()
        if row is not None and _same(row.body, DEFAULT_TEMPLATES[(key, language)][1]):
            row.body = previous
            row.save(update_fields=["body"])


class Migration(migrations.Migration):
    dependencies = [
        ("outbox", "0008_french_wording"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HubIdentity",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "from_name",
                    models.CharField(
                        blank=True,
                        default="",
                        help_text="The name requesters see in their inbox, e.g. “Léa Marchand – Cercle”.",
                        max_length=200,
                        verbose_name="Sender name",
                    ),
                ),
                (
                    "from_email",
                    models.EmailField(
                        blank=True,
                        default="",
                        help_text="The address mail leaves from: one your mail server is allowed to send for.",
                        max_length=254,
                        verbose_name="Sender address",
                    ),
                ),
                (
                    "reply_to",
                    models.EmailField(
                        blank=True,
                        default="",
                        help_text="Where requesters' answers to the hub's mail go (best: a mailbox Cercle reads, so that they join their request). Empty: the leader's address.",
                        max_length=254,
                        verbose_name="Answers go to",
                    ),
                ),
                (
                    "signature",
                    models.TextField(
                        blank=True,
                        default="",
                        help_text="Ends the acknowledgement and the introduction sent in the leader's name: name, title, telephone… Empty: the leader's name.",
                        max_length=1000,
                        verbose_name="The leader's signature",
                    ),
                ),
                (
                    "updated_at",
                    models.DateTimeField(blank=True, editable=False, null=True, verbose_name="changed at"),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="changed by",
                    ),
                ),
            ],
            options={
                "verbose_name": "hub identity in mail",
                "verbose_name_plural": "hub identity in mail",
            },
        ),
        migrations.RunPython(forward, backward),
    ]
