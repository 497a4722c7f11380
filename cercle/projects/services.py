"""The project space: first steps, first meeting, team, status updates."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import formats, timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from cercle.accounts.models import Role, User
from cercle.accounts.permissions import NotAllowed, may_run_project
from cercle.accounts.selectors import users_with_role
from cercle.circulation.errors import CirculationError, IllegalTransition
from cercle.circulation.models import EventKind, Request
from cercle.circulation.services import event_record, request_close
from cercle.circulation.states import State
from cercle.core.notes import Moment, Note
from cercle.projects.models import DEFAULT_FIRST_STEPS, ChecklistItem, Project, StatusUpdate


def project_open(*, request: Request, lead: User) -> Project:
    project, created = Project.objects.get_or_create(request=request, defaults={"lead": lead})
    if created:
        # The default first steps become the team's own editable list, written in the language the
        # lead is using Cercle in when they accept.
        ChecklistItem.objects.bulk_create(
            [
                ChecklistItem(project=project, label=str(label), position=i)
                for i, label in enumerate(DEFAULT_FIRST_STEPS)
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
        project.first_meeting_at = when
        project.save(update_fields=["first_meeting_at"])
        event_record(
            request=project.request,
            actor=actor,
            kind=EventKind.NOTE,
            note=Note(gettext_noop("First meeting set for %(when)s"), when=Moment(when)),
        )
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
    return project


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
    """Record the outcome. With first steps open or the first meeting to come, only once confirmed."""
    warnings = project_close_warnings(project=project)
    if warnings and not confirmed:
        raise CloseNeedsConfirmation(warnings)
    return request_close(
        actor=actor,
        request=project.request,
        outcome=outcome,
        value=value,
        note=note,
        expected_state=expected_state,
    )
