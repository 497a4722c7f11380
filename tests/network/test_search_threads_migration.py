"""Search texts stored before migration network 0013 get the threads of their latest exchanges, so that
"who can do X?" shows an exchange as evidence without the search text being written again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from cercle.network.models import ContactSearch

BEFORE = ("network", "0012_search_strongest")


@pytest.mark.django_db(transaction=True)
def test_stored_search_texts_get_their_threads() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    old = executor.loader.project_state([BEFORE]).apps
    Contact, Search = old.get_model("network", "Contact"), old.get_model("network", "ContactSearch")
    Interaction = old.get_model("network", "Interaction")
    talker = Contact.objects.create(name="Ana", email="ana@example.org")
    quiet = Contact.objects.create(name="Bob", email="bob@example.org")
    for contact in (talker, quiet):
        Search.objects.create(contact_id=contact.pk, document="kept as it was")
    start = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    subjects = ["Toiture", "Re: Vitraux", "Vitraux", "", "Fwd: TOITURE"] + [f"Point {i}" for i in range(100)]
    for i, subject in enumerate(subjects):  # the first ones are the latest
        Interaction.objects.create(
            contact_id=talker.pk,
            kind="mail",
            inbound=True,
            at=start - timedelta(hours=i),
            subject=subject,
            source_key=f"<m{i}@t>",
        )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    rows = {row.contact_id: row for row in ContactSearch.objects.all()}
    lines = rows[talker.pk].threads.splitlines()
    # Each thread once, latest first, with its latest exchange; only the 100 latest with a subject.
    assert lines[:2] == ["2026-03-01T09:00:00+00:00\tToiture", "2026-03-01T08:00:00+00:00\tRe: Vitraux"]
    assert len(lines) == 2 + 96 and lines[-1].endswith("\tPoint 95")  # 4 before them
    assert rows[quiet.pk].threads == ""
    assert rows[talker.pk].document == "kept as it was"
