"""The threads of each person's latest exchanges kept with their search text (`ContactSearch.threads`):
"who can do X?" shows the latest one that answers as its evidence from this one row, instead of reading
up to a hundred exchanges of each hit (network/search.py). Filled here from the exchanges.

The column is added in place (on SQLite, Django would copy the table, which drops its triggers).
"""

from collections import defaultdict

from django.db import migrations, models

_COLUMN = {
    "sqlite": ["ALTER TABLE network_contactsearch ADD COLUMN threads text NOT NULL DEFAULT ''"],
    "postgresql": [
        "ALTER TABLE network_contactsearch ADD COLUMN threads text NOT NULL DEFAULT ''",
        "ALTER TABLE network_contactsearch ALTER COLUMN threads DROP DEFAULT",
    ],
}
_COLUMN_REVERSE = {
    "sqlite": ["ALTER TABLE network_contactsearch DROP COLUMN threads"],
    "postgresql": ["ALTER TABLE network_contactsearch DROP COLUMN threads"],
}
# As `search._SUBJECTS_PER_CONTACT` when this was written.
_LATEST = 100


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


def threads_fill(apps, schema_editor):
    from cercle.network.search import threads_of, threads_text

    ContactSearch = apps.get_model("network", "ContactSearch")
    Interaction = apps.get_model("network", "Interaction")
    ids = list(ContactSearch.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        exchanges = defaultdict(list)
        rows = Interaction.objects.filter(contact_id__in=chunk).exclude(subject="").order_by("-at", "-id")
        for contact_id, subject, at in rows.values_list("contact_id", "subject", "at").iterator(chunk_size=5000):
            if len(exchanges[contact_id]) < _LATEST:
                exchanges[contact_id].append((subject, at))
        changed = [
            ContactSearch(contact_id=pk, threads=threads_text(threads_of(found)))
            for pk, found in exchanges.items()
        ]
        ContactSearch.objects.bulk_update(changed, ["threads"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("network", "0012_search_strongest")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="contactsearch", name="threads", field=models.TextField(blank=True, default="")
                )
            ],
            database_operations=[migrations.RunPython(_run(_COLUMN), _run(_COLUMN_REVERSE))],
        ),
        migrations.RunPython(threads_fill, migrations.RunPython.noop),
    ]
