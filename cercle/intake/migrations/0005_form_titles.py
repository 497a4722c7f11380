# Form requests used to be titled by their first line ("Bonjour,"): title them by what they are about.

from django.db import migrations

from cercle.intake.titles import is_greeting, title_from_text


def retitle(apps, schema_editor):
    Request = apps.get_model("circulation", "Request")
    Message = apps.get_model("circulation", "Message")
    for request in Request.objects.filter(channel="form").only("pk", "subject", "summary").iterator():
        if not is_greeting(request.subject):
            continue
        title = title_from_text(request.summary)
        if not title:
            continue
        Request.objects.filter(pk=request.pk).update(subject=title)
        Message.objects.filter(request_id=request.pk, message_id__startswith="<form-").update(subject=title)


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0004_quarantine"),
        ("circulation", "0006_message_same_id_as"),
    ]

    operations = [migrations.RunPython(retitle, migrations.RunPython.noop)]
