"""Existing hubs get the corrected French wording; a sentence someone edited is left alone."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from cercle.outbox.models import MailTemplate

OLD = "Un membre officiel du cercle va prendre contact avec vous très prochainement pour en parler avec vous."
NEW = "Un membre officiel du cercle va vous contacter très prochainement pour en parler avec vous."


@pytest.mark.django_db(transaction=True)
def test_the_old_sentence_is_fixed_and_an_edited_one_kept() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate([("outbox", "0007_seed_project_templates")])
    old_apps = executor.loader.project_state([("outbox", "0007_seed_project_templates")]).apps
    Template = old_apps.get_model("outbox", "MailTemplate")
    kept = Template.objects.create(
        key="wording-a", language="fr", subject="s", body=f"Bonjour,\n{OLD}\nÀ bientôt"
    )
    edited = Template.objects.create(
        key="wording-b", language="fr", subject="s", body="Nous revenons vers vous."
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert MailTemplate.objects.get(pk=kept.pk).body == f"Bonjour,\n{NEW}\nÀ bientôt"
    assert MailTemplate.objects.get(pk=edited.pk).body == "Nous revenons vers vous."
