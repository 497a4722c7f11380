"""The project space: first steps, first meeting, team, status updates.

Setting the first meeting sends each person concerned (the requester, the lead, the team) an invitation
in their own language; moving it sends an update of the same event. A member who joins the team is told
by mail. Both tick the matching first step. All of it in the transaction that decides it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from cercle.accounts.models import Role, User
from cercle.accounts.permissions import NotAllowed, may_run_project
from cercle.accounts.selectors import users_with_role
from cercle.circulation.errors import CirculationError, IllegalTransition
from cercle.circulation.mail import NotInTransaction, thread_headers
from cercle.circulation.models import EventKind, Request
from cercle.circulation.services import event_record, request_close
from cercle.circulation.states import State
from cercle.core.notes import Moment, Note
from cercle.outbox.models import OutgoingMessage
from cercle.outbox.selectors import sender_identity
from cercle.outbox.services import Attachment, address, outbox_enqueue, template_render
from cercle.projects.invitations import MEETING_DURATION, Person, meeting_invitation
from cercle.projects.leader_mail import outcome_notice_queue
from cercle.projects.models import (
    DEFAULT_FIRST_STEPS,
    STEP_MEETING,
    STEP_TEAM,
    ChecklistItem,
    Project,
    StatusUpdate,
)


def project_open(*, request: Request, lead: User) -> Project:
    project, created = Project.objects.get_or_create(request=request, defaults={"lead": lead})
    if created:
        # The default first steps become the team's own editable list, written in the language the
        # lead is using Cercle in when they accept; their key names them whatever that language.
        ChecklistItem.objects.bulk_create(
            [
                ChecklistItem(project=project, label=str(label), key=key, position=i)
                for i, (key, label) in enumerate(DEFAULT_FIRST_STEPS)
            ]
        )
    return project


def project_can_edit(*, user: User, project: Project) -> bool:
    """The lead and the team work in the project; the leader and the second may help.

    A closed project is a record: nobody edits it any more.
    """
    if project.request.state == State.CLOSED:
        return False
    if may_run_project(user, lead_id=project.lead_id):
        return True
    return any(m.pk == user.pk for m in project.team.all())


def project_team_candidates(*, project: Project) -> list[User]:
    """Circle members who could join the team: neither the lead nor already in it."""
    taken = {project.lead_id, *(m.pk for m in project.team.all())}
    return [u for u in users_with_role(Role.MEMBER) if u.pk not in taken]


def _require_editor(actor: User, project: Project) -> None:
    if project.request.state == State.CLOSED:
        raise IllegalTransition(_("This project is closed: it can no longer be changed."))
    if not project_can_edit(user=actor, project=project):
        raise NotAllowed(_("Only the project lead and the team can change this project."))


def checklist_toggle(*, actor: User, project: Project, item_id: int) -> ChecklistItem:
    _require_editor(actor, project)
    item = project.checklist.filter(pk=item_id).first()
    if item is None:
        raise IllegalTransition(_("This step does not exist."))
    item.done_at = None if item.done_at else timezone.now()
    item.save(update_fields=["done_at"])
    return item


def checklist_tick(*, project: Project, key: str) -> bool:
    """Tick the default step `key` (STEP_MEETING, STEP_TEAM) because what it asks is done.

    Found by its key, never by its label: the label is in the language of whoever opened the project.
    A step the team deleted or already ticked stays as it is.
    """
    return bool(project.checklist.filter(key=key, done_at__isnull=True).update(done_at=timezone.now()))


def checklist_add(*, actor: User, project: Project, label: str) -> ChecklistItem:
    _require_editor(actor, project)
    label = " ".join(label.split())
    if not label:
        raise IllegalTransition(_("Write the step first."))
    position = project.checklist.count()
    return ChecklistItem.objects.create(project=project, label=label[:200], position=position)


def project_set_meeting(*, actor: User, project: Project, when: datetime) -> Project:
    _require_editor(actor, project)
    arrived = timezone.localdate(project.request.received_at)
    if timezone.localdate(when) < arrived:  # a typo in the year, most likely: say so instead of storing it
        raise IllegalTransition(
            _("The first meeting cannot be before the request arrived (%(day)s): check the date.")
            % {"day": date_format(arrived, "SHORT_DATE_FORMAT")}
        )
    with transaction.atomic():
        # Locked: two people moving the meeting at once must not send two updates with one SEQUENCE.
        current = Project.objects.select_for_update().get(pk=project.pk)
        previous = current.first_meeting_at
        project.meeting_uid, project.meeting_sequence = current.meeting_uid, current.meeting_sequence
        if previous == when:  # saved again unchanged (a double click): nothing to say, nothing to send
            project.first_meeting_at = previous
            return project
        invited = bool(project.meeting_uid)
        if invited:
            project.meeting_sequence += 1  # calendars replace the event only for a higher SEQUENCE
        # A meeting already past is a record, not an invitation: it is sent for a meeting to come.
        upcoming = when > timezone.now()
        if upcoming and not invited:
            project.meeting_uid = f"first-meeting-{project.pk}-{uuid.uuid4().hex[:16]}@{_hub().email_domain}"
        project.first_meeting_at = when
        project.save(update_fields=["first_meeting_at", "meeting_uid", "meeting_sequence"])
        event_record(
            request=project.request,
            actor=actor,
            kind=EventKind.NOTE,
            note=Note(gettext_noop("First meeting moved to %(when)s"), when=Moment(when))
            if previous
            else Note(gettext_noop("First meeting set for %(when)s"), when=Moment(when)),
        )
        checklist_tick(project=project, key=STEP_MEETING)
        if upcoming:
            _meeting_invite(project=project, actor=actor, previous=previous if invited else None)
    return project


def project_add_update(*, actor: User, project: Project, text: str) -> StatusUpdate:
    _require_editor(actor, project)
    text = text.strip()
    if not text:
        raise IllegalTransition(_("Write the update first."))
    with transaction.atomic():
        update = StatusUpdate.objects.create(project=project, author=actor, text=text[:5000])
        event_record(request=project.request, actor=actor, kind=EventKind.NOTE, note=text[:500])
    return update


def project_add_member(*, actor: User, project: Project, member: User) -> Project:
    if project.request.state == State.CLOSED:
        raise IllegalTransition(_("This project is closed: it can no longer be changed."))
    if not may_run_project(actor, lead_id=project.lead_id):
        raise NotAllowed(_("Only the project lead can build the team."))
    if member.role != Role.MEMBER or member.pk == project.lead_id:
        raise IllegalTransition(_("Only other circle members can join the team."))
    if project.team.filter(pk=member.pk).exists():
        raise IllegalTransition(_("%(name)s is already in the team.") % {"name": member.display_name})
    with transaction.atomic():
        project.team.add(member)
        event_record(
            request=project.request,
            actor=actor,
            kind=EventKind.NOTE,
            note=Note(gettext_noop("%(name)s joined the team."), name=member.display_name),
        )
        checklist_tick(project=project, key=STEP_TEAM)
        _team_welcome(project=project, actor=actor, member=member)
    return project


# --- The mail of a project: the meeting invitation and the team welcome ---------------------


@dataclass(frozen=True)
class _Hub:
    name: str
    email: str

    @property
    def email_domain(self) -> str:
        return self.email.rpartition("@")[2] or "cercle.local"


def _hub() -> _Hub:
    """The organizer of the invitations: the hub's sender (settings page, else DEFAULT_FROM_EMAIL)."""
    sender = sender_identity()
    return _Hub(name=sender.name, email=sender.email)


@dataclass(frozen=True)
class _Recipient:
    key: str  # in the idempotency key: "contact:<id>" or "user:<id>"
    name: str
    email: str
    language: str
    is_requester: bool


def _meeting_people(project: Project) -> list[_Recipient]:
    """Who is invited, each in their language: the requester (their contact's), the lead, the team."""
    people: list[_Recipient] = []
    requester = project.request.requester
    if requester.email:  # a LinkedIn requester with no address hears of it from the lead
        people.append(
            _Recipient(
                f"contact:{requester.pk}", requester.display_name, requester.email, requester.language, True
            )
        )
    for user in [project.lead, *project.team.order_by("id")]:
        if user.email and user.email.lower() not in {p.email.lower() for p in people}:
            people.append(_Recipient(f"user:{user.pk}", user.display_name, user.email, user.language, False))
    return people


def _invitation(project: Project, people: list[_Recipient], language: str) -> Attachment:
    assert project.first_meeting_at is not None
    hub = _hub()
    with translation.override(language):
        summary = _("First meeting: %(subject)s") % {"subject": project.request.subject}
    ics = meeting_invitation(
        uid=project.meeting_uid,
        sequence=project.meeting_sequence,
        start=project.first_meeting_at,
        summary=summary,
        organizer=Person(hub.name, hub.email),
        attendees=[Person(p.name, p.email) for p in people],
        stamp=timezone.now(),
    )
    return Attachment(filename="invitation.ics", content_type="text/calendar; method=REQUEST", content=ics)


def _project_mail_queue(
    *,
    project: Project,
    template: str,
    recipient: _Recipient,
    context: dict[str, object],
    idempotency_key: str,
    attachments: list[Attachment],
) -> OutgoingMessage:
    """One mail about the project to one person, written in the deciding transaction, in their language.

    Like circulation.mail.request_mail_queue, with an attachment (the invitation) that it does not take.
    """
    if not transaction.get_connection().in_atomic_block:
        raise NotInTransaction(f"the {template!r} mail must be queued inside the transaction that decides it")
    with translation.override(recipient.language):  # days and months in the reader's language
        mail = template_render(key=template, language=recipient.language, context=context)
    lead = project.lead
    request = project.request
    return outbox_enqueue(
        idempotency_key=idempotency_key,
        request_id=request.pk,
        to=[address(recipient.name, recipient.email)],
        # Their answer goes to the lead (the lead's own copy: the hub's reply-to); the requester's also
        # threads back onto the request.
        reply_to=[address(lead.display_name, lead.email)]
        if lead.email and lead.email != recipient.email
        else None,
        subject=mail.subject,
        body=mail.body,
        headers=thread_headers(request) if recipient.is_requester else None,
        attachments=attachments,
    )


def _meeting_context(project: Project) -> dict[str, object]:
    when = project.first_meeting_at
    assert when is not None
    return {
        "subject": project.request.subject,
        "lead_name": project.lead.display_name,
        "when": when,
        "end": when + MEETING_DURATION,
        "time_zone": timezone.get_current_timezone_name(),
        "hub_name": settings.CERCLE["HUB_NAME"],
    }


def _project_url(project: Project) -> str:
    return settings.SITE_URL + reverse("projects:detail", args=[project.request_id])


def _meeting_invite(*, project: Project, actor: User, previous: datetime | None) -> None:
    """The invitation (or, once one went out, its update) to everyone concerned, each in their language."""
    people = _meeting_people(project)
    if not people:
        return
    template = "meeting_update" if previous else "meeting_invitation"
    context = {**_meeting_context(project), "previous": previous}
    for person in people:
        _project_mail_queue(
            project=project,
            template=template,
            recipient=person,
            context={
                **context,
                "name": person.name,
                "for_requester": person.is_requester,
                "url": "" if person.is_requester else _project_url(project),  # the requester has no account
            },
            idempotency_key=f"meeting:{project.pk}:{project.meeting_sequence}:{person.key}",
            attachments=[_invitation(project, people, person.language)],
        )
    emails = ", ".join(p.email for p in people)
    event_record(
        request=project.request,
        actor=actor,
        kind=EventKind.MAIL,
        note=Note(
            gettext_noop("Updated invitation to the first meeting queued for %(emails)s"), emails=emails
        )
        if previous
        else Note(gettext_noop("Invitation to the first meeting queued for %(emails)s"), emails=emails),
    )


def _team_welcome(*, project: Project, actor: User, member: User) -> None:
    """Tell the new member, with the link to the project and, when it is to come, the first meeting."""
    if not member.email:
        return
    person = _Recipient(f"user:{member.pk}", member.display_name, member.email, member.language, False)
    upcoming = bool(
        project.meeting_uid and project.first_meeting_at and project.first_meeting_at > timezone.now()
    )
    _project_mail_queue(
        project=project,
        template="team_welcome",
        recipient=person,
        context={
            **(_meeting_context(project) if upcoming else {"subject": project.request.subject}),
            "lead_name": project.lead.display_name,
            "member_name": member.display_name,
            "actor_name": actor.display_name,
            "url": _project_url(project),
            "hub_name": settings.CERCLE["HUB_NAME"],
        },
        idempotency_key=f"team:{project.pk}:{member.pk}",
        # The invitation as it stands, with the newcomer among the attendees (no new SEQUENCE: only a
        # change of time or place makes calendars replace the event).
        attachments=[_invitation(project, _meeting_people(project), member.language)] if upcoming else [],
    )


class CloseNeedsConfirmation(CirculationError):
    """Closing now would leave first steps open or a first meeting still to come: ask first."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(" ".join(reasons))
        self.reasons = reasons


def project_close_warnings(*, project: Project) -> list[str]:
    """Why closing this project now deserves a second thought (empty: nothing)."""
    reasons: list[str] = []
    open_steps = project.checklist.filter(done_at__isnull=True).count()
    if open_steps:
        reasons.append(
            ngettext("%(n)d first step is still open.", "%(n)d first steps are still open.", open_steps)
            % {"n": open_steps}
        )
    if project.first_meeting_at and project.first_meeting_at > timezone.now():
        when = formats.date_format(timezone.localtime(project.first_meeting_at), "DATETIME_FORMAT")
        reasons.append(_("The first meeting, on %(when)s, is still to come.") % {"when": when})
    return reasons


def project_close(
    *,
    actor: User,
    project: Project,
    outcome: str,
    value: Decimal | None = None,
    note: str = "",
    expected_state: str | None = None,
    confirmed: bool = False,
) -> Request:
    """Record the outcome. With first steps open or the first meeting to come, only once confirmed.

    The leader hears of it by mail, in the same transaction (unless the leader recorded it).
    """
    warnings = project_close_warnings(project=project)
    if warnings and not confirmed:
        raise CloseNeedsConfirmation(warnings)
    with transaction.atomic():
        request = request_close(
            actor=actor,
            request=project.request,
            outcome=outcome,
            value=value,
            note=note,
            expected_state=expected_state,
        )
        outcome_notice_queue(project=project, actor=actor, note=note)
    return request
