"""Foreign keys whose own index repeated the first column of another one lose it (see network 0014):
a request's requester is the first column of request_requester_thread, its lead the first of
request_lead_at, an event's request the first of event_request_at. A plain DROP INDEX on both databases: on SQLite, Django's AlterField would rebuild
the tables."""

from django.conf import settings
from django.db import migrations, models

DROPPED = [
    ("circulation_event", "request_id", "circulation_event_request_id_547347a7"),
    ("circulation_request", "requester_id", "circulation_request_requester_id_47c8b6cc"),
    ("circulation_request", "lead_id", "circulation_request_lead_id_9118637e"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("circulation", "0012_request_requester_thread"),
        ("network", "0014_fewer_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="event",
                    name="request",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=models.deletion.CASCADE,
                        related_name="events",
                        to="circulation.request",
                    ),
                ),
                migrations.AlterField(
                    model_name="request",
                    name="lead",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=models.deletion.PROTECT,
                        related_name="led_requests",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="project lead",
                    ),
                ),
                migrations.AlterField(
                    model_name="request",
                    name="requester",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=models.deletion.PROTECT,
                        related_name="requests",
                        to="network.contact",
                        verbose_name="requester",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{index}"',
                    reverse_sql=f'CREATE INDEX "{index}" ON "{table}" ("{column}")',
                )
                for table, column, index in DROPPED
            ],
        )
    ]
