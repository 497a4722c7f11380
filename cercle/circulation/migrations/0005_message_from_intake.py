# The thread belongs to the request: `Message` moved here from intake. The table keeps its name
# (`intake_message`), its rows and its indexes: only Django's idea of which app owns it changes.

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("circulation", "0004_event_note_source"),
        ("intake", "0003_message_moved_to_circulation"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Message",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("normal", "Written by a person"),
                                    ("auto_reply", "Automatic reply"),
                                    ("bounce", "Delivery failure"),
                                    ("bulk", "Bulk mail or mailing list"),
                                ],
                                default="normal",
                                max_length=12,
                                verbose_name="kind",
                            ),
                        ),
                        ("kind_reason", models.CharField(blank=True, max_length=200, verbose_name="why this kind")),
                        ("message_id", models.CharField(max_length=500, unique=True, verbose_name="Message-ID")),
                        ("in_reply_to", models.CharField(blank=True, max_length=500)),
                        ("references", models.TextField(blank=True)),
                        (
                            "direction",
                            models.CharField(choices=[("in", "Received"), ("out", "Sent")], default="in", max_length=3),
                        ),
                        ("from_name", models.CharField(blank=True, max_length=200, verbose_name="sender name")),
                        ("from_email", models.CharField(blank=True, max_length=254, verbose_name="sender address")),
                        ("to", models.TextField(blank=True, verbose_name="to")),
                        ("cc", models.TextField(blank=True, verbose_name="cc")),
                        ("subject", models.CharField(blank=True, max_length=300, verbose_name="subject")),
                        ("sent_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="date")),
                        ("text", models.TextField(blank=True, verbose_name="text")),
                        ("html", models.TextField(blank=True, verbose_name="sanitised HTML")),
                        ("truncated", models.BooleanField(default=False)),
                        ("attachments", models.JSONField(blank=True, default=list)),
                        ("raw_compressed", models.BinaryField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "request",
                            models.ForeignKey(
                                blank=True,
                                db_index=False,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="messages",
                                to="circulation.request",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "message",
                        "verbose_name_plural": "messages",
                        "db_table": "intake_message",
                        "ordering": ["sent_at", "id"],
                        "indexes": [
                            models.Index(fields=["request", "sent_at"], name="message_request_sent"),
                            models.Index(
                                condition=models.Q(("request__isnull", True)),
                                fields=["in_reply_to"],
                                name="message_orphan_reply",
                            ),
                        ],
                    },
                ),
            ],
        ),
    ]
