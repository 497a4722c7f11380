"""The index by which a reply without known Message-IDs finds its request (same person, recent window,
same subject) holds the subject and the state too: SQLite then compares the subjects of a busy
correspondent's window inside the index, without reading each request's row (an import's look-up of a
batch's replies took about a quarter of its deciding time on the benchmark's mail). Built before the
old one is dropped, so there is no moment without one."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("circulation", "0011_message_search_ascii")]

    operations = [
        migrations.AddIndex(
            model_name="request",
            index=models.Index(
                fields=["requester", "received_at", "subject", "state"], name="request_requester_thread"
            ),
        ),
        migrations.RemoveIndex(model_name="request", name="request_requester_received"),
    ]
