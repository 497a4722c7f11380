# The first meeting's invitation (a stable UID, a SEQUENCE raised when it moves) and a key on the default
# first steps, so that setting the meeting or naming the team ticks the matching step. Steps created
# before are recognised by their label as it was written then, in French or in English.

from django.db import migrations, models

_LABELS = {
    "call": ("Call the requester to understand the need", "Appeler le demandeur pour comprendre le besoin"),
    "meeting": ("Plan the first meeting", "Planifier la première réunion"),
    "team": ("Gather the first team", "Constituer la première équipe"),
    "proposal": ("Send a written proposal", "Envoyer une proposition écrite"),
}


def key_default_steps(apps, schema_editor):
    ChecklistItem = apps.get_model("projects", "ChecklistItem")
    by_label = {label: key for key, labels in _LABELS.items() for label in labels}
    keyed: set[tuple[int, str]] = set()
    for item in ChecklistItem.objects.order_by("project_id", "position", "id"):
        key = by_label.get(item.label)
        if key and (item.project_id, key) not in keyed:  # one step per key and project
            keyed.add((item.project_id, key))
            ChecklistItem.objects.filter(pk=item.pk).update(key=key)


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="checklistitem",
            name="key",
            field=models.CharField(blank=True, default="", editable=False, max_length=20),
        ),
        migrations.AddField(
            model_name="project",
            name="meeting_sequence",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="project",
            name="meeting_uid",
            field=models.CharField(blank=True, default="", editable=False, max_length=200),
        ),
        migrations.RunPython(key_default_steps, migrations.RunPython.noop),
    ]
