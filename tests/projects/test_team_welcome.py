"""A member added to the team is told by mail, in their language, with the link to the project (and the
invitation when the first meeting is to come); the "team" first step ticks itself."""

from __future__ import annotations

import base64
from datetime import timedelta

import icalendar
from django.utils import timezone

from cercle.outbox.models import OutgoingMessage
from cercle.projects import services
from cercle.projects.models import STEP_TEAM


def _welcome(project, member) -> OutgoingMessage:
    return OutgoingMessage.objects.get(idempotency_key=f"team:{project.pk}:{member.pk}")


def test_a_new_team_member_is_told_in_their_language_with_the_link(project, member, other_member):
    other_member.language = "en"
    other_member.save(update_fields=["language"])
    services.project_add_member(actor=member, project=project, member=other_member)
    mail = _welcome(project, other_member)
    assert mail.to == [f"Karim Benali <{other_member.email}>"]
    assert mail.subject == f"You join the project team: {project.request.subject}"
    assert "Claire Dubois has added you to the team of the project" in mail.body
    assert f"/projects/{project.request_id}/" in mail.body
    assert mail.attachments == []  # no meeting planned yet


def test_a_french_member_reads_it_in_french(project, leader, member, other_member):
    services.project_add_member(actor=leader, project=project, member=other_member)
    mail = _welcome(project, other_member)
    assert mail.subject == f"Vous rejoignez l'équipe du projet\u00a0: {project.request.subject}"
    assert "dont Claire Dubois est chef de projet" in mail.body  # added by the leader, not the lead


def test_adding_a_member_ticks_the_team_step_only(project, member, other_member):
    services.project_add_member(actor=member, project=project, member=other_member)
    done = list(project.checklist.filter(done_at__isnull=False).values_list("key", flat=True))
    assert done == [STEP_TEAM]


def test_a_member_joining_after_the_invitation_receives_it_too(project, member, other_member):
    when = timezone.now().replace(second=0, microsecond=0) + timedelta(days=7)
    services.project_set_meeting(actor=member, project=project, when=when)
    project.refresh_from_db()
    services.project_add_member(actor=member, project=project, member=other_member)
    mail = _welcome(project, other_member)
    assert "La première réunion est fixée au" in mail.body
    [attachment] = mail.attachments
    event = icalendar.Calendar.from_ical(base64.b64decode(attachment["content"])).walk("VEVENT")[0]
    assert str(event["UID"]) == project.meeting_uid
    attendees = {str(a).removeprefix("mailto:") for a in event.get("attendee")}
    assert other_member.email in attendees
