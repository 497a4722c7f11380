"""The search index of "who can do X?" (an FTS5 table on SQLite, a GIN index on PostgreSQL) and each
existing contact's identities and search text."""

from django.db import migrations

_SQLITE = [
    "CREATE VIRTUAL TABLE network_contact_fts USING fts5("
    "document, content='network_contactsearch', content_rowid='contact_id', tokenize='unicode61')",
    "CREATE TRIGGER network_contactsearch_ai AFTER INSERT ON network_contactsearch BEGIN "
    "INSERT INTO network_contact_fts(rowid, document) VALUES (new.contact_id, new.document); END",
    "CREATE TRIGGER network_contactsearch_ad AFTER DELETE ON network_contactsearch BEGIN "
    "INSERT INTO network_contact_fts(network_contact_fts, rowid, document) "
    "VALUES ('delete', old.contact_id, old.document); END",
    "CREATE TRIGGER network_contactsearch_au AFTER UPDATE ON network_contactsearch BEGIN "
    "INSERT INTO network_contact_fts(network_contact_fts, rowid, document) "
    "VALUES ('delete', old.contact_id, old.document); "
    "INSERT INTO network_contact_fts(rowid, document) VALUES (new.contact_id, new.document); END",
]
_SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS network_contactsearch_au",
    "DROP TRIGGER IF EXISTS network_contactsearch_ad",
    "DROP TRIGGER IF EXISTS network_contactsearch_ai",
    "DROP TABLE IF EXISTS network_contact_fts",
]
_POSTGRES = [
    "CREATE INDEX network_contactsearch_fts ON network_contactsearch USING gin (to_tsvector('simple', document))"
]
_POSTGRES_REVERSE = ["DROP INDEX IF EXISTS network_contactsearch_fts"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


def identities_and_documents(apps, schema_editor):
    from cercle.network.search import fold

    Contact = apps.get_model("network", "Contact")
    Identity = apps.get_model("network", "Identity")
    ContactSearch = apps.get_model("network", "ContactSearch")
    Interaction = apps.get_model("network", "Interaction")
    for contact in Contact.objects.iterator(chunk_size=2000):
        identities = []
        if contact.email:
            identities.append(Identity(contact_id=contact.pk, kind="email", value=contact.email))
        if contact.linkedin_url:
            identities.append(Identity(contact_id=contact.pk, kind="linkedin", value=contact.linkedin_url))
        if contact.name:
            identities.append(Identity(contact_id=contact.pk, kind="name", value=contact.name[:300]))
        Identity.objects.bulk_create(identities, ignore_conflicts=True)
        subjects = Interaction.objects.filter(contact_id=contact.pk).exclude(subject="").order_by("-at")
        text = " ".join(
            [contact.name, contact.organisation, contact.position, *subjects.values_list("subject", flat=True)[:100]]
        )
        ContactSearch.objects.create(contact_id=contact.pk, document=fold(text))


class Migration(migrations.Migration):
    dependencies = [("network", "0004_network_people")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": _SQLITE, "postgresql": _POSTGRES}),
            _run({"sqlite": _SQLITE_REVERSE, "postgresql": _POSTGRES_REVERSE}),
        ),
        migrations.RunPython(identities_and_documents, migrations.RunPython.noop),
    ]
