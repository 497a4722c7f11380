"""Existing hubs get the signature separator "-- ", meeting mail that does not sign the lead's own copy on
the lead's behalf, and a weekly status that says what happened; a template someone edited there is left
as it is."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from cercle.outbox.defaults import DEFAULT_TEMPLATES
from cercle.outbox.models import MailTemplate
from cercle.outbox.services import template_render

BEFORE = ("outbox", "0011_webhooks")
OLD_ACK = (
    "Bien cordialement,\n{{ hub_name }}\n{% if leader_signature %}\n--\n{{ leader_signature }}\n{% endif %}"
)
OLD_MEETING = (
    "Bonjour {{ name }},\n\nLa réunion.\n\nBien cordialement,\n{{ hub_name }}, pour {{ lead_name }}\n"
)


def _migrate(target: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor


@pytest.mark.django_db(transaction=True)
def test_the_old_lines_are_fixed_and_edited_ones_kept() -> None:
    executor = _migrate([BEFORE])
    Template = executor.loader.project_state([BEFORE]).apps.get_model("outbox", "MailTemplate")
    Template.objects.filter(
        key__in=["acknowledgement", "meeting_invitation", "meeting_update", "project_weekly"]
    ).delete()
    # The weekly status as hubs have it: today's default without its "what happened" lines.
    weekly = {}
    for language in ("fr", "en"):
        today = DEFAULT_TEMPLATES[("project_weekly", language)][1]
        start = today.index("{% if happened %}")
        end = today.index("{% if updates %}")
        old = today[:start] + today[end:]
        assert "happened" not in old
        weekly[language] = Template.objects.create(
            key="project_weekly", language=language, subject="s", body=old
        )
    ack = Template.objects.create(key="acknowledgement", language="fr", subject="s", body=OLD_ACK)
    meeting = Template.objects.create(key="meeting_invitation", language="fr", subject="s", body=OLD_MEETING)
    edited = Template.objects.create(
        key="meeting_update",
        language="fr",
        subject="s",
        body="Bien à vous,\n{{ lead_name }}\n{% if leader_signature %}\n~~\n{{ leader_signature }}\n{% endif %}",
    )
    edited_body = edited.body

    _migrate(executor.loader.graph.leaf_nodes())

    assert MailTemplate.objects.get(pk=ack.pk).body == OLD_ACK.replace("\n--\n", "\n-- \n")
    fixed = MailTemplate.objects.get(pk=meeting.pk).body
    assert fixed.endswith("{{ hub_name }}{% if for_requester %}, pour {{ lead_name }}{% endif %}\n")
    assert MailTemplate.objects.get(pk=edited.pk).body == edited_body
    for language, row in weekly.items():  # exactly today's default
        assert MailTemplate.objects.get(pk=row.pk).body == DEFAULT_TEMPLATES[("project_weekly", language)][1]

    context = {"name": "Claire", "lead_name": "Claire Dubois", "hub_name": "Cercle"}
    lead_copy = template_render(key="meeting_invitation", language="fr", context=context)
    assert lead_copy.body.rstrip().endswith("Bien cordialement,\nCercle")
    to_requester = template_render(
        key="meeting_invitation", language="fr", context={**context, "for_requester": True}
    )
    assert to_requester.body.rstrip().endswith("Cercle, pour Claire Dubois")
