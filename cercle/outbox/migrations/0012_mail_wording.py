"""Existing hubs get two corrections of the default mails, unless someone edited those lines (only the
exact old text is replaced):

- the line before the leader's signature becomes "-- " (two dashes and a space): mail programs know a
  signature by it and leave it out of a quoted reply;
- the copy of a first meeting's mail that goes to the project's own people is no longer signed "on behalf
  of" the project lead, who receives it;
- a project's weekly status says what else happened in the week (the project lead chosen, a meeting
  set…): a week with only such news used to send a status that did not say it.
"""

from django.db import migrations

SEPARATOR = (
    "{% if leader_signature %}\n--\n{{ leader_signature }}",
    "{% if leader_signature %}\n-- \n{{ leader_signature }}",
)
MEETING_KEYS = ("meeting_invitation", "meeting_update")
MEETING = {
    "fr": (
        "{{ hub_name }}, pour {{ lead_name }}\n",
        "{{ hub_name }}{% if for_requester %}, pour {{ lead_name }}{% endif %}\n",
    ),
    "en": (
        "{{ hub_name }}, on behalf of {{ lead_name }}\n",
        "{{ hub_name }}{% if for_requester %}, on behalf of {{ lead_name }}{% endif %}\n",
    ),
}


WEEKLY_ANCHOR = "{% endif %}{% if updates %}"
WEEKLY = {
    "fr": "{% endif %}{% if happened %}\nCe qui s'est passé\u00a0:\n"
    '{% for item in happened %}- {{ item.at|date:"j F" }}\u00a0: {{ item.text }}\n{% endfor %}'
    "{% endif %}{% if updates %}",
    "en": "{% endif %}{% if happened %}\nWhat happened:\n"
    '{% for item in happened %}- {{ item.at|date:"j F" }}: {{ item.text }}\n{% endfor %}'
    "{% endif %}{% if updates %}",
}


def _fixes(template):
    fixes = [SEPARATOR]
    if template.key in MEETING_KEYS and template.language in MEETING:
        fixes.append(MEETING[template.language])
    if (
        template.key == "project_weekly"
        and template.language in WEEKLY
        and "happened" not in template.body
        and template.body.count(WEEKLY_ANCHOR) == 1
    ):
        fixes.append((WEEKLY_ANCHOR, WEEKLY[template.language]))
    return fixes


def forward(apps, schema_editor):
    MailTemplate = apps.get_model("outbox", "MailTemplate")
    for template in MailTemplate.objects.all():
        body = template.body
        for old, new in _fixes(template):
            body = body.replace(old, new)
        if body != template.body:
            template.body = body
            template.save(update_fields=["body"])


class Migration(migrations.Migration):
    dependencies = [("outbox", "0011_webhooks")]

    # Going back keeps the corrected lines: nothing before depends on them, and 0009's way back recognises
    # the default texts as they are now.
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
