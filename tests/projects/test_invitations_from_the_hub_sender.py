"""The first meeting's invitation comes from the hub's sender as set on the settings page: its organizer, and
the address its mail leaves from, are the hub's real address, not the environment's `cercle@localhost`."""

from __future__ import annotations

import base64
from datetime import timedelta

import icalendar
from django.utils import timezone

from cercle.outbox.models import OutgoingMessage
from cercle.outbox.services import hub_identity_update
from cercle.projects import services


def test_the_invitation_is_organised_by_the_hub_s_sender(project, member, second, settings):
    settings.DEFAULT_FROM_EMAIL = "Cercle <cercle@localhost>"
    hub_identity_update(
        actor=second,
        from_name="Cercle de Léa",
        from_email="bonjour@atelier-marchand.example",
        reply_to="",
        signature="",
    )
    services.project_set_meeting(actor=member, project=project, when=timezone.now() + timedelta(days=5))
    mail = OutgoingMessage.objects.filter(idempotency_key__startswith=f"meeting:{project.pk}:0:").first()
    assert mail.from_email == "Cercle de Léa <bonjour@atelier-marchand.example>"
    [attachment] = mail.attachments
    [event] = icalendar.Calendar.from_ical(base64.b64decode(attachment["content"])).walk("VEVENT")
    assert str(event["ORGANIZER"]) == "mailto:bonjour@atelier-marchand.example"
    assert str(event["UID"]).endswith("@atelier-marchand.example")
