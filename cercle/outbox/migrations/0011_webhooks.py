# Webhooks (outbox/webhooks.py): the endpoints an administrator registers and the deliveries
# queued for them, with their attempts log.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("outbox", "0010_seed_clock_and_digest_templates"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="WebhookEndpoint",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("url", models.URLField(max_length=500, verbose_name="URL")),
                ("description", models.CharField(blank=True, max_length=200, verbose_name="description")),
                ("events", models.JSONField(default=list, verbose_name="events")),
                ("secret_encrypted", models.TextField(editable=False)),
                ("active", models.BooleanField(default=True, verbose_name="active")),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, editable=False, verbose_name="created at"
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="created by",
                    ),
                ),
            ],
            options={
                "verbose_name": "webhook",
                "verbose_name_plural": "webhooks",
                "ordering": ["url"],
            },
        ),
        migrations.CreateModel(
            name="WebhookDelivery",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "event",
                    models.CharField(
                        choices=[
                            ("request.received", "Request received"),
                            ("request.kept", "Request kept"),
                            ("request.dismissed", "Request dismissed"),
                            ("request.restored", "Request restored to the triage"),
                            ("request.approved", "Request approved"),
                            ("request.declined", "Request declined"),
                            ("request.deferred", "Request deferred"),
                            ("request.offered", "Request routed to members"),
                            ("request.returned", "Request back to routing (every member declined)"),
                            ("request.accepted", "Request accepted by a project lead"),
                            ("request.kicked_off", "Project kicked off"),
                            ("project.closed", "Project closed"),
                            ("project.reopened", "Project reopened"),
                            ("contact.merged", "Contact merged"),
                        ],
                        max_length=40,
                        verbose_name="event",
                    ),
                ),
                ("payload", models.JSONField(default=dict, verbose_name="payload")),
                (
                    "idempotency_key",
                    models.CharField(max_length=200, unique=True, verbose_name="idempotency key"),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("queued", "Queued"),
                            ("sending", "Sending"),
                            ("sent", "Sent"),
                            ("failed", "Failed (refused, not retried)"),
                            ("gave_up", "Gave up after retries"),
                        ],
                        default="queued",
                        max_length=16,
                        verbose_name="status",
                    ),
                ),
                ("attempts", models.PositiveSmallIntegerField(default=0, verbose_name="attempts")),
                (
                    "next_attempt_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="next attempt"),
                ),
                ("claimed_at", models.DateTimeField(blank=True, null=True)),
                (
                    "last_status_code",
                    models.PositiveSmallIntegerField(
                        blank=True, null=True, verbose_name="last response code"
                    ),
                ),
                ("last_error", models.TextField(blank=True, verbose_name="last error")),
                ("log", models.JSONField(blank=True, default=list, verbose_name="attempts log")),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="created at"),
                ),
                ("delivered_at", models.DateTimeField(blank=True, null=True, verbose_name="delivered at")),
                (
                    "endpoint",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="deliveries",
                        to="outbox.webhookendpoint",
                        verbose_name="webhook",
                    ),
                ),
            ],
            options={
                "verbose_name": "webhook delivery",
                "verbose_name_plural": "webhook deliveries",
                "ordering": ["-created_at"],
                "indexes": [models.Index(fields=["status", "next_attempt_at"], name="webhook_due")],
            },
        ),
    ]
