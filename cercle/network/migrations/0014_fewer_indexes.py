"""Foreign keys whose own index repeated the first column of another one lose it: every insert of an
import paid for both (each index of a table is one more page to write for a new row). The queries
that used them read the longer index instead (SQLite and PostgreSQL both use an index's first column
alone). A plain DROP INDEX on both databases: on SQLite, Django's AlterField would rebuild each table."""

from django.db import migrations, models

# (model, field, related_name, table, column, Django's name for the field's index)
DROPPED = [
    ("contacttie", "a", "+", "network_contacttie", "a_id", "network_contacttie_a_id_b3502939"),
    ("contacttie", "b", "+", "network_contacttie", "b_id", "network_contacttie_b_id_03337282"),
    (
        "identity",
        "contact",
        "identities",
        "network_identity",
        "contact_id",
        "network_identity_contact_id_b83b4694",
    ),
    (
        "interaction",
        "contact",
        "interactions",
        "network_interaction",
        "contact_id",
        "network_interaction_contact_id_8d94d007",
    ),
    ("tieevidence", "a", "+", "network_tieevidence", "a_id", "network_tieevidence_a_id_79bc9687"),
]


class Migration(migrations.Migration):
    dependencies = [("network", "0013_search_threads")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name=model,
                    name=field,
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=models.deletion.CASCADE,
                        related_name=related,
                        to="network.contact",
                    ),
                )
                for model, field, related, _table, _column, _index in DROPPED
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{index}"',
                    reverse_sql=f'CREATE INDEX "{index}" ON "{table}" ("{column}")',
                )
                for _model, _field, _related, table, column, index in DROPPED
            ],
        )
    ]
