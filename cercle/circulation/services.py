"""Every write on a request. One transaction each; mail written to the outbox inside it, tasks after commit.

Transitions are conditional updates (`filter(pk=…, state=FROM).update(…) == 1`): when two people act
at once, exactly one wins and the other gets `TransitionConflict` with a clear message.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from cercle.accounts.models import User
from cercle.accounts.permissions import (
    TRIAGE_ROLES,
    VALIDATE_ROLES,
    NotAllowed,
    may_run_project,
    require_role,
)
from cercle.accounts.selectors import hub_leader
from cercle.circulation.errors import CirculationError, IllegalTransition, TransitionConflict
from cercle.circulation.mail import request_mail_queue, request_mail_write
from cercle.circulation.models import (
    CLOCK_LIMITS_MEMO,
    Channel,
    ClockSettings,
    Event,
    EventKind,
    LeadKind,
    Request,
)
from cercle.circulation.states import DismissReason, Outcome, State, can_transition
from cercle.core.bulk import instance_new, keys_reserve, objects_insert
from cercle.core.memo import request_memo_forget
from cercle.core.notes import Label, Note, with_reason
from cercle.core.text import visible
from cercle.mail.subjects import is_reply_subject
from cercle.network.models import Contact
from cercle.network.services import contact_choose, contact_mark_spam
from cercle.outbox.models import OutgoingMessage
from cercle.outbox.selectors import hub_reply_to
from cercle.outbox.services import address
from cercle.outbox.webhooks import webhook_emit, webhooks_wanted


def _label(state: str) -> str:
    return str(State(state).label) if state in State.values else state


def transition(
    *,
    request: Request,
    actor: User | None,
    to_state: str,
    note: str | Note = "",
    expected_state: str | None = None,
    fields: dict[str, Any] | None = None,
) -> Request:
    """Move a request along one legal edge, audited. Callers check the actor's role first."""
    seen = expected_state or request.state
    if expected_state and expected_state != request.state:
        raise TransitionConflict(
            _("Someone acted on this request before you: it is now “%(state)s”. Nothing was changed.")
            % {"state": _label(request.state)}
        )
    if not can_transition(seen, to_state):
        raise IllegalTransition(
            _("This request is “%(current)s”: it cannot become “%(target)s”.")
            % {"current": _label(seen), "target": _label(to_state)}
        )
    now = timezone.now()
    updates: dict[str, Any] = {"state": to_state, "state_changed_at": now, **(fields or {})}
    with transaction.atomic():
        if Request.objects.filter(pk=request.pk, state=seen).update(**updates) != 1:
            current = Request.objects.filter(pk=request.pk).values_list("state", flat=True).first() or ""
            raise TransitionConflict(
                _(
                    "Someone acted on this request at the same time: it is now “%(state)s”. Nothing was changed."
                )
                % {"state": _label(current)}
            )
        event = Event.objects.create(
            request=request,
            actor=actor,
            at=now,
            kind=EventKind.TRANSITION,
            from_state=seen,
            to_state=to_state,
            **_note_fields(note),
        )
        for name, value in updates.items():
            setattr(request, name, value)
        _webhook_emit(request=request, event=event)
    return request


# The webhook event of each edge (outbox.WebhookEvent; docs/webhooks.md), by target state, or by
# (from, to) where the target alone does not say what happened.
_WEBHOOK_EVENTS = {
    State.RECEIVED: "request.received",
    State.KEPT: "request.kept",
    State.DISMISSED: "request.dismissed",
    State.APPROVED: "request.approved",
    State.DECLINED: "request.declined",
    State.DEFERRED: "request.deferred",
    State.OFFERED: "request.offered",
    State.ACCEPTED: "request.accepted",
    State.KICKED_OFF: "request.kicked_off",
    State.CLOSED: "project.closed",
    (State.DISMISSED, State.RECEIVED): "request.restored",
    (State.OFFERED, State.APPROVED): "request.returned",
    (State.CLOSED, State.KICKED_OFF): "project.reopened",
}


def _webhook_emit(*, request: Request, event: Event) -> None:
    """Tell the registered webhooks, in the deciding transaction (they are posted after commit): ids,
    states, subject and dates, never the thread's messages."""
    name = _WEBHOOK_EVENTS.get((event.from_state, event.to_state)) or _WEBHOOK_EVENTS[event.to_state]
    webhook_emit(
        event=name,
        key=f"request-event-{event.pk}",
        payload={
            "request_id": request.pk,
            "state": event.to_state,
            "from_state": event.from_state or None,
            "subject": request.subject,
            "requester_id": request.requester_id,
            "lead_id": request.lead_id,
            "outcome": request.outcome or None,
            "at": event.at,
            "url": settings.SITE_URL + reverse("circulation:detail", args=[request.pk]),
        },
    )


def event_record(
    *,
    request: Request,
    actor: User | None,
    kind: str,
    note: str | Note,
    outgoing: OutgoingMessage | None = None,
) -> Event:
    """One line of the audit trail; `outgoing` is the mail it queued (its line then says if it left)."""
    event = event_build(request=request, actor=actor, kind=kind, note=note, outgoing=outgoing)
    event.save(force_insert=True)
    return event


def event_build(
    *,
    request: Request,
    actor: User | None,
    kind: str,
    note: str | Note,
    outgoing: OutgoingMessage | None = None,
) -> Event:
    """The event `event_record` writes, not saved yet: a batch writes many at once (`events_save_many`)."""
    return instance_new(
        Event,
        request=request,
        actor=actor,
        kind=kind,
        at=timezone.now(),
        outgoing=outgoing,
        **_note_fields(note),
    )


def events_save_many(events: list[Event]) -> None:
    """Write audit lines built by `event_build` (a batch of an import) with one prepared statement."""
    objects_insert(events)


def _note_fields(note: str | Note) -> dict[str, Any]:
    """A person's words as typed; a system note as rendered now, plus its source for other readers."""
    if isinstance(note, Note):
        return {"note": note.render(), "note_source": note.to_json()}
    return {"note": note}


def request_build(
    *,
    requester: Contact,
    subject: str,
    summary: str = "",
    channel: str = Channel.MAIL,
    language: str = "fr",
    received_at: datetime | None = None,
    deadline: Any = None,
    actor: User | None = None,
) -> tuple[Request, Event]:
    """A new request and its creation event, not saved yet: `request_create` saves one, an import's
    batch many at once (`requests_save_many`)."""
    received_at = received_at or timezone.now()
    request = instance_new(
        Request,
        requester=requester,
        subject=(" ".join(visible(subject).split()) or _("(no subject)"))[:300],
        summary=summary,
        channel=channel,
        language=language,
        received_at=received_at,
        state_changed_at=received_at,
        deadline=deadline,
    )
    event = instance_new(
        Event,
        request=request,
        actor=actor,
        at=received_at,
        kind=EventKind.CREATED,
        to_state=State.RECEIVED,
        **_created_note(channel, get_language()),
    )
    return request, event


@lru_cache(maxsize=64)
def _created_note_fields(channel: str, language: str | None) -> tuple[str, str]:
    fields = _note_fields(Note("%(channel)s", channel=Label("channel", channel)))
    return fields["note"], json.dumps(fields["note_source"])


def _created_note(channel: str, language: str | None) -> dict[str, Any]:
    """The creation event's note ("E-mail", "LinkedIn"…): the same for every request of a channel and
    language, rendered once (an import creates thousands)."""
    note, source = _created_note_fields(channel, language)
    return {"note": note, "note_source": json.loads(source)}


def request_create(
    *,
    requester: Contact,
    subject: str,
    summary: str = "",
    channel: str = Channel.MAIL,
    language: str = "fr",
    received_at: datetime | None = None,
    deadline: Any = None,
    actor: User | None = None,
) -> Request:
    request, event = request_build(
        requester=requester,
        subject=subject,
        summary=summary,
        channel=channel,
        language=language,
        received_at=received_at,
        deadline=deadline,
        actor=actor,
    )
    request.save(force_insert=True)
    event.request = request  # (sets the key now that the request has one)
    event.save(force_insert=True)
    _webhook_emit(request=request, event=event)
    return request


def requests_save_many(created: list[tuple[Request, Event]]) -> None:
    """Write requests built by `request_build` and their creation events, a few statements for all (the
    import's batches): the same rows and webhooks as `request_create` one by one. Their requesters must
    be saved already."""
    if not created:
        return
    for (request, _event), key in zip(created, keys_reserve(Request, len(created)), strict=True):
        request.pk = key
    objects_insert([request for request, _event in created])
    if webhooks_wanted("request.received"):  # their key names the event: written one by one
        Event.objects.bulk_create([event for _request, event in created], batch_size=500)
        for request, event in created:
            _webhook_emit(request=request, event=event)
    else:
        objects_insert([event for _request, event in created])


# --- First filter: the second -------------------------------------------------------------


def request_keep(
    *, actor: User, request: Request, note: str | Note = "", expected_state: str | None = None
) -> Request:
    require_role(actor, TRIAGE_ROLES)
    with transaction.atomic():
        request = transition(
            request=request,
            actor=actor,
            to_state=State.KEPT,
            note=note,
            expected_state=expected_state,
            fields={"kept_at": timezone.now(), "dismiss_reason": ""},
        )
        # Someone whose request the second kept is a person of the network, not noise.
        contact_choose(contact_id=request.requester_id)
        contact_mark_spam(contact_id=request.requester_id, spam=False)
    return request


def request_dismiss(
    *, actor: User, request: Request, reason: str, note: str | Note = "", expected_state: str | None = None
) -> Request:
    require_role(actor, TRIAGE_ROLES)
    if reason not in DismissReason.values:
        raise IllegalTransition(_("Choose a reason to dismiss this request."))
    with transaction.atomic():
        request = transition(
            request=request,
            actor=actor,
            to_state=State.DISMISSED,
            expected_state=expected_state,
            note=with_reason(Label("dismiss_reason", reason), note),
            fields={"dismiss_reason": reason},
        )
        if reason == DismissReason.SPAM:  # a spam sender is not a contact
            contact_mark_spam(contact_id=request.requester_id)
    return request


def request_restore(
    *, actor: User, request: Request, note: str | Note = "", expected_state: str | None = None
) -> Request:
    require_role(actor, TRIAGE_ROLES)
    was_spam = request.dismiss_reason == DismissReason.SPAM
    with transaction.atomic():
        request = transition(
            request=request,
            actor=actor,
            to_state=State.RECEIVED,
            expected_state=expected_state,
            note=note or Note(gettext_noop("Back in the triage queue.")),
            fields={"dismiss_reason": ""},
        )
        if was_spam:
            contact_mark_spam(contact_id=request.requester_id, spam=False)
    return request


# --- Second filter: the leader -------------------------------------------------------------


def request_approve(
    *, actor: User, request: Request, note: str | Note = "", expected_state: str | None = None
) -> Request:
    require_role(actor, VALIDATE_ROLES)
    now = timezone.now()
    fields: dict[str, Any] = {"decision_note": note}
    if request.answered_at is None:
        fields["answered_at"] = now
        fields["answer_delay_s"] = max(int((now - request.received_at).total_seconds()), 0)
    with transaction.atomic():
        transition(
            request=request,
            actor=actor,
            to_state=State.APPROVED,
            note=note,
            expected_state=expected_state,
            fields=fields,
        )
        _acknowledge(request=request, actor=actor)
    return request


def request_decline(
    *, actor: User, request: Request, note: str | Note = "", expected_state: str | None = None
) -> Request:
    require_role(actor, VALIDATE_ROLES)
    return transition(
        request=request,
        actor=actor,
        to_state=State.DECLINED,
        note=note,
        expected_state=expected_state,
        fields={"decision_note": note},
    )


def request_defer(
    *, actor: User, request: Request, note: str | Note = "", expected_state: str | None = None
) -> Request:
    require_role(actor, VALIDATE_ROLES)
    return transition(
        request=request,
        actor=actor,
        to_state=State.DEFERRED,
        note=note,
        expected_state=expected_state,
        fields={"decision_note": note},
    )


def _acknowledge(*, request: Request, actor: User) -> None:
    leader = hub_leader() or actor
    if not request.requester.email:
        # A LinkedIn requester with no known address: the second answers on LinkedIn.
        event_record(
            request=request,
            actor=actor,
            kind=EventKind.MAIL,
            note=Note(
                gettext_noop("No e-mail address for %(name)s: answer them on LinkedIn."),
                name=request.requester.display_name,
            ),
        )
        return
    mail = request_mail_queue(
        request=request,
        template="acknowledgement",
        language=request.language,
        context={
            "requester_name": request.requester.display_name,
            "leader_name": leader.display_name,
            "subject": request.subject,
            "hub_name": settings.CERCLE["HUB_NAME"],
        },
        idempotency_key=f"ack:{request.pk}",
        to=[address(request.requester.name, request.requester.email)],
        reply_to=hub_reply_to(default=[address(leader.display_name, leader.email)] if leader.email else []),
        threaded=True,
    )
    event_record(
        request=request,
        actor=actor,
        kind=EventKind.MAIL,
        note=Note(gettext_noop("Acknowledgement queued for %(email)s"), email=request.requester.email),
        outgoing=mail,
    )


# --- Writing to the requester --------------------------------------------------------------


def reply_subject(request: Request) -> str:
    """ "Re: <title>" for a mail about the request (once: a title that already answers stays as it is)."""
    return request.subject if is_reply_subject(request.subject) else f"Re: {request.subject}"


def request_write(
    *, actor: User, request: Request, subject: str, body: str, token: str = ""
) -> OutgoingMessage:
    """The second (or the leader) writes to the requester from the request page.

    The mail is written to the outbox in this transaction, threaded on the requester's first message,
    audited, and counts as the requester's first human answer. `token` comes with the form the person
    filled in: the same form sent twice (a double click, a reload) queues one mail.
    """
    require_role(actor, TRIAGE_ROLES)
    requester = request.requester
    if not requester.email:
        raise CirculationError(
            _("No e-mail address for %(name)s: answer them on LinkedIn.") % {"name": requester.display_name}
        )
    body = body.strip()
    if not body:
        raise CirculationError(_("Write your message before sending it."))
    subject = " ".join(subject.split())[:300] or reply_subject(request)
    key = f"write:{request.pk}:{token or uuid.uuid4().hex}"[:200]
    with transaction.atomic():
        sent_before = OutgoingMessage.objects.filter(idempotency_key=key, request_id=request.pk).first()
        if sent_before is not None:
            return sent_before
        leader = hub_leader()
        mail = request_mail_write(
            request=request,
            subject=subject,
            body=body + "\n",
            idempotency_key=key,
            to=[address(requester.name, requester.email)],
            reply_to=hub_reply_to(
                default=[address(leader.display_name, leader.email)] if leader and leader.email else []
            ),
            threaded=True,
        )
        event_record(
            request=request,
            actor=actor,
            kind=EventKind.MAIL,
            note=Note(
                gettext_noop("Message to %(email)s: “%(subject)s”"), email=requester.email, subject=subject
            ),
            outgoing=mail,
        )
        now = timezone.now()
        Request.objects.filter(pk=request.pk, answered_at__isnull=True).update(
            answered_at=now, answer_delay_s=max(int((now - request.received_at).total_seconds()), 0)
        )
    return mail


# --- Project lead and outcome ------------------------------------------------------------


def _require_lead_or_overseer(actor: User, request: Request) -> None:
    if not may_run_project(actor, lead_id=request.lead_id):
        raise NotAllowed(_("Your role does not allow this action."))


def request_kick_off(
    *, actor: User, request: Request, note: str | Note = "", expected_state: str | None = None
) -> Request:
    _require_lead_or_overseer(actor, request)
    return transition(
        request=request, actor=actor, to_state=State.KICKED_OFF, note=note, expected_state=expected_state
    )


def request_close(
    *,
    actor: User,
    request: Request,
    outcome: str,
    value: Decimal | None = None,
    note: str | Note = "",
    expected_state: str | None = None,
) -> Request:
    _require_lead_or_overseer(actor, request)
    if outcome not in Outcome.values:
        raise IllegalTransition(_("Choose an outcome: won, lost or no-go."))
    if value is not None and value < 0:
        raise IllegalTransition(_("The value cannot be negative."))
    return transition(
        request=request,
        actor=actor,
        to_state=State.CLOSED,
        expected_state=expected_state,
        note=with_reason(Label("outcome", outcome), note),
        fields={"outcome": outcome, "outcome_value": value, "closed_at": timezone.now()},
    )


def request_reopen(
    *, actor: User, request: Request, note: str | Note = "", expected_state: str | None = None
) -> Request:
    """A closed project starts again (the outcome was premature, the client came back): the lead or the
    leader only. The outcome it had stays in the history."""
    if request.lead_id != actor.pk:
        require_role(actor, VALIDATE_ROLES)
    return transition(
        request=request,
        actor=actor,
        to_state=State.KICKED_OFF,
        expected_state=expected_state,
        note=note or Note(gettext_noop("Project reopened.")),
        fields={"outcome": "", "outcome_value": None, "closed_at": None},
    )


# --- What kind of lead it is ----------------------------------------------------------------


# The notes of `request_lead_kind_set`: the debrief's bookkeeping, not news of the request (a project's
# weekly status leaves them out).
LEAD_KIND_NOTE = gettext_noop("Kind of lead: %(kind)s.")
LEAD_KIND_NOT_SAID = gettext_noop("Kind of lead: not said.")
BOOKKEEPING_NOTES = frozenset({LEAD_KIND_NOTE, LEAD_KIND_NOT_SAID})


def request_lead_kind_set(*, actor: User, request: Request, lead_kind: str) -> Request:
    """The second or the leader says what kind of lead a request is (blank: not said, the guess stands).

    Not a transition: the state does not move; a note in the history says who set what."""
    require_role(actor, TRIAGE_ROLES)
    if lead_kind and lead_kind not in LeadKind.values:
        raise CirculationError(_("Choose a kind of lead from the list."))
    if lead_kind == request.lead_kind:
        return request
    with transaction.atomic():
        Request.objects.filter(pk=request.pk).update(lead_kind=lead_kind)
        request.lead_kind = lead_kind
        event_record(
            request=request,
            actor=actor,
            kind=EventKind.NOTE,
            note=(
                Note(LEAD_KIND_NOTE, kind=Label("lead_kind", lead_kind))
                if lead_kind
                else Note(LEAD_KIND_NOT_SAID)
            ),
        )
    return request


# --- The clocks' settings ------------------------------------------------------------------


def clock_settings_update(*, actor: User, values: dict[str, Any]) -> ClockSettings:
    """The leader or the second sets the stages' limits, the escalation delay and the digest."""
    require_role(actor, TRIAGE_ROLES)
    fields = {f.name for f in ClockSettings._meta.concrete_fields if f.editable and f.name != "id"}
    unknown = set(values) - fields
    if unknown:
        raise ValueError(f"not a clock setting: {sorted(unknown)}")
    with transaction.atomic():
        row = ClockSettings.objects.select_for_update().filter(pk=1).first() or ClockSettings.defaults()
        for name, value in values.items():
            setattr(row, name, value)
        row.updated_at, row.updated_by = timezone.now(), actor
        row.save()
    # The same request reads the new limits (a page that shows "late" badges after the redirect does anyway).
    request_memo_forget(CLOCK_LIMITS_MEMO)
    return row
