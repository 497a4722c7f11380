"""Existing hubs get the acknowledgement and the introduction signed by the leader (and the leader's two new
mails), unless someone edited them: an edited template is the hub's own words and stays as it is."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from cercle.outbox.defaults import DEFAULT_TEMPLATES
from cercle.outbox.models import MailTemplate

BEFORE = ("outbox", "0008_french_wording")


@pytest.mark.django_db(transaction=True)
def test_untouched_templates_get_the_new_text_and_edited_ones_are_kept() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    old_apps = executor.loader.project_state([BEFORE]).apps
    Template = old_apps.get_model("outbox", "MailTemplate")
    # A test that ran before in this process may have emptied the tables (a transactional test flushes
    # them): put back the rows as a hub had them before this migration.
    previous = importlib.import_module("cercle.outbox.migrations.0009_hub_identity_leader_mail").PREVIOUS
    for (key, language), text in previous.items():
        Template.objects.get_or_create(key=key, language=language, defaults={"subject": key, "body": text})
    rows = {
        (t.key, t.language): t for t in Template.objects.filter(key__in=["acknowledgement", "introduction"])
    }
    assert "leader_signature" not in rows[("acknowledgement", "fr")].body  # as a hub has it before
    assert not Template.objects.filter(key__in=["project_weekly", "project_outcome"]).exists()
    # Saved once in the admin without a change: the browser's line ends, the form's stripping.
    saved = rows[("acknowledgement", "fr")]
    saved.body = saved.body.replace("\n", "\r\n").strip()
    saved.save()
    edited = rows[("introduction", "en")]
    edited.body = "Hello {{ requester_name }}, meet {{ lead_name }}. Best, Léa"
    edited.save()

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    def body(key: str, language: str) -> str:
        return MailTemplate.objects.get(key=key, language=language).body

    assert body("acknowledgement", "fr") == DEFAULT_TEMPLATES[("acknowledgement", "fr")][1]
    assert body("acknowledgement", "en") == DEFAULT_TEMPLATES[("acknowledgement", "en")][1]
    assert body("introduction", "fr") == DEFAULT_TEMPLATES[("introduction", "fr")][1]
    assert "leader_signature" in body("introduction", "fr")
    assert body("introduction", "en") == "Hello {{ requester_name }}, meet {{ lead_name }}. Best, Léa"
    for key in ("project_weekly", "project_outcome"):
        assert {t.language for t in MailTemplate.objects.filter(key=key)} == {"fr", "en"}
