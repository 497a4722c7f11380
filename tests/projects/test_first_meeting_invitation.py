"""Setting the first meeting invites the requester, the lead and the team, each in their language, with a
calendar invitation (iTIP REQUEST); moving it sends an update of the same event; the step ticks itself."""

from __future__ import annotations

import base64
from datetime import UTC, timedelta
from email.utils import parseaddr

import icalendar
import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format

from cercle.circle import services as circle
from cercle.circulation import services as circulation
from cercle.circulation.models import Event, EventKind
from cercle.outbox.models import OutgoingMessage
from cercle.projects import services
from cercle.projects.models import STEP_MEETING


def _soon(days: int = 10, hour: int = 14):
    """A meeting to come, at `hour`:30 in the hub's time zone."""
    later = timezone.localtime(timezone.now() + timedelta(days=days))
    return later.replace(hour=hour, minute=30, second=0, microsecond=0)


def _meeting_mail(project, sequence: int = 0) -> dict[str, OutgoingMessage]:
    """The invitations of one SEQUENCE, by recipient address."""
    mails = OutgoingMessage.objects.filter(idempotency_key__startswith=f"meeting:{project.pk}:{sequence}:")
    return {parseaddr(m.to[0])[1]: m for m in mails}


def _event(outgoing: OutgoingMessage) -> tuple[icalendar.Calendar, icalendar.Event]:
    [attachment] = outgoing.attachments
    assert attachment["content_type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(base64.b64decode(attachment["content"]))
    [event] = calendar.walk("VEVENT")
    return calendar, event


def _attendees(event: icalendar.Event) -> set[str]:
    found = event.get("attendee")
    found = found if isinstance(found, list) else [found]
    return {str(a).removeprefix("mailto:") for a in found}


@pytest.fixture
def team_project(project, member, other_member):
    """Claire (French) leads; Karim (English) is in the team; the requester writes in English."""
    other_member.language = "en"
    other_member.save(update_fields=["language"])
    requester = project.request.requester
    requester.language = "en"
    requester.save(update_fields=["language"])
    services.project_add_member(actor=member, project=project, member=other_member)
    return project


def test_the_first_meeting_invites_the_requester_the_lead_and_the_team_each_in_their_language(
    team_project, member, other_member, settings
):
    project = team_project
    requester = project.request.requester
    when = _soon()
    services.project_set_meeting(actor=member, project=project, when=when)

    mails = _meeting_mail(project)
    assert set(mails) == {requester.email, member.email, other_member.email}
    assert mails[requester.email].subject == f"First meeting: {project.request.subject}"
    assert "invites you to a first meeting about your request" in mails[requester.email].body
    assert "/projects/" not in mails[requester.email].body  # the requester has no account to follow a link
    assert mails[member.email].subject == f"Première réunion\u00a0: {project.request.subject}"
    assert f"/projects/{project.request_id}/" in mails[member.email].body
    assert mails[other_member.email].subject == f"First meeting: {project.request.subject}"
    local = timezone.localtime(when)
    with translation.override("fr"):
        assert (
            f"{date_format(local, 'l j F Y')}, de 14\u00a0h\u00a030 à 15\u00a0h\u00a030"
            in mails[member.email].body
        )
    with translation.override("en"):
        assert f"{date_format(local, 'l j F Y')}, 14:30 to 15:30" in mails[other_member.email].body
    # Signed on the lead's behalf for the requester; the lead's own copy, and the team's, are not.
    assert mails[requester.email].body.rstrip().endswith(f", on behalf of {member.display_name}")
    assert "pour" not in mails[member.email].body.rstrip().splitlines()[-1]
    assert "on behalf of" not in mails[other_member.email].body

    uids = set()
    for address, mail in mails.items():
        calendar, event = _event(mail)
        assert calendar["METHOD"] == "REQUEST"
        assert event["SEQUENCE"] == 0
        assert event.decoded("DTSTART") == when.astimezone(UTC)
        assert event.decoded("DTSTART").utcoffset() == timedelta(0)  # written in UTC
        assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(hours=1)
        assert str(event["ORGANIZER"]) == f"mailto:{parseaddr(settings.DEFAULT_FROM_EMAIL)[1]}"
        assert _attendees(event) == {requester.email, member.email, other_member.email}
        uids.add(str(event["UID"]))
        summary = str(event["SUMMARY"])
        assert summary.startswith("Première réunion" if address == member.email else "First meeting")
    assert len(uids) == 1  # one event, seen by everyone

    audit = Event.objects.filter(request=project.request, kind=EventKind.MAIL).last()
    assert "Invitation to the first meeting queued for" in audit.note
    assert requester.email in audit.note


def test_moving_the_meeting_sends_an_update_of_the_same_event(team_project, member, other_member):
    project = team_project
    first, moved = _soon(days=10), _soon(days=12, hour=9)
    services.project_set_meeting(actor=member, project=project, when=first)
    services.project_set_meeting(actor=member, project=project, when=moved)

    before, after = _meeting_mail(project, 0), _meeting_mail(project, 1)
    assert set(after) == set(before)
    for address, mail in after.items():
        _, old = _event(before[address])
        _, new = _event(mail)
        assert str(new["UID"]) == str(old["UID"])
        assert new["SEQUENCE"] == 1
        assert new.decoded("DTSTART") == moved.astimezone(UTC)
    assert after[member.email].subject.startswith("Première réunion déplacée")
    assert after[other_member.email].subject.startswith("First meeting moved")
    assert "instead of" in after[other_member.email].body
    assert (
        after[project.request.requester.email].body.rstrip().endswith(f"on behalf of {member.display_name}")
    )
    assert "on behalf of" not in after[other_member.email].body
    assert Event.objects.filter(request=project.request, note__startswith="First meeting moved to").exists()

    # Saved again unchanged (a double click): no third round of mail.
    count = OutgoingMessage.objects.count()
    services.project_set_meeting(actor=member, project=project, when=moved)
    assert OutgoingMessage.objects.count() == count
    project.refresh_from_db()
    assert project.meeting_sequence == 1


def test_a_meeting_recorded_after_it_took_place_sends_no_invitation_but_ticks_the_step(project, member):
    services.project_set_meeting(actor=member, project=project, when=project.request.received_at)
    assert not OutgoingMessage.objects.filter(idempotency_key__startswith="meeting:").exists()
    assert project.checklist.get(key=STEP_MEETING).done_at is not None


def test_setting_the_meeting_ticks_its_step_in_a_project_opened_in_french(second, leader, member, incoming):
    with translation.override("fr"):
        circulation.request_keep(actor=second, request=incoming)
        circulation.request_approve(actor=leader, request=incoming)
        [offer] = circle.request_route(actor=second, request=incoming, members=[member], brief="B")
        circle.offer_accept(actor=member, offer=offer)
    project = incoming.project
    assert project.checklist.filter(label="Planifier la première réunion").exists()
    services.project_set_meeting(actor=member, project=project, when=_soon())
    done = [item.label for item in project.checklist.all() if item.done_at]
    assert done == ["Planifier la première réunion"]


def test_the_invitation_stands_or_falls_with_the_meeting(project, member, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("the step could not be ticked")

    monkeypatch.setattr(services, "checklist_tick", broken)
    with pytest.raises(RuntimeError):
        services.project_set_meeting(actor=member, project=project, when=_soon())
    project.refresh_from_db()
    assert project.first_meeting_at is None
    assert not OutgoingMessage.objects.filter(idempotency_key__startswith="meeting:").exists()


def test_each_invitation_reaches_the_smtp_server_with_a_calendar_part(
    team_project, member, smtp_server, django_capture_on_commit_callbacks
):
    project = team_project
    with django_capture_on_commit_callbacks(execute=True):
        services.project_set_meeting(actor=member, project=project, when=_soon())
    project.refresh_from_db()
    invitations = [
        m for m in smtp_server.received() if "meeting" in m["Subject"] or "réunion" in m["Subject"]
    ]
    assert len(invitations) == 3
    for message in invitations:
        [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
        assert part.get_param("method") == "REQUEST"
        event = icalendar.Calendar.from_ical(part.get_content()).walk("VEVENT")[0]
        assert str(event["UID"]) == project.meeting_uid
