"""Reads for the triage: what the machine reads about a request, the sender's history, the screener's
rules, groups for bulk actions, the training examples and the quality figures shown to the second."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from cercle.accounts.models import User
from cercle.circulation.models import Direction, Event, EventKind, Message, Request
from cercle.circulation.states import DismissReason, State
from cercle.mail.headers import head_end, headers_of
from cercle.mail.source import source_head
from cercle.network.domains import FREEMAIL_DOMAINS
from cercle.network.models import Interaction, InteractionKind
from cercle.triage import classifier as K
from cercle.triage import engine
from cercle.triage.features import MailDoc, doc_from_fields, domain_of
from cercle.triage.models import Brief, RuleAction, RuleScope, SenderRule, Suggestion, TrainingRun

# --- What the machine reads ------------------------------------------------------------------


TRIAGE_ORDERS = ("age", "score")


def queue_order_for(user: User) -> str:
    """The order the person last chose for the queue (kept on their account), oldest first otherwise."""
    order = getattr(user, "triage_order", "")
    return order if order in TRIAGE_ORDERS else "age"


def triage_queue(*, limit: int = 50, order: str = "age") -> QuerySet[Request]:
    """Waiting requests with the machine's suggestion (one query). `order`: "age" (oldest first) or
    "score" (the likeliest serious requests first, by the triage's score; unscored ones last)."""
    ordering: list[Any] = ["received_at", "id"]
    if order == "score":
        ordering = [F("triage_suggestion__score").desc(nulls_last=True), *ordering]
    return (
        Request.objects.filter(state=State.RECEIVED)
        .select_related("requester", "triage_suggestion")
        .order_by(*ordering)[:limit]
    )


def first_inbound_message(request: Request) -> Message | None:
    return request.messages.filter(direction=Direction.INBOUND).order_by("sent_at", "id").first()


def request_doc(request: Request, message: Message | None = None) -> MailDoc:
    """The request's first incoming message as the triage reads it: what intake stored when it read the
    message (it is not read again), with the headers the triage reads (List-Unsubscribe, X-Mailer…) taken
    from the top of the stored raw message by the mail reader's own header reader."""
    message = message if message is not None else first_inbound_message(request)
    if message is None:
        return doc_from_fields(
            subject=request.subject,
            text=request.summary,
            from_email=request.requester.email,
            from_name=request.requester.name,
        )
    raw = bytes(message.raw_compressed) if message.raw_compressed else b""
    headers = headers_of(_raw_head(raw)) if raw else {}
    return doc_from_fields(
        subject=message.subject or request.subject,
        text=message.text or request.summary,
        html=message.html,
        from_email=message.from_email or request.requester.email,
        from_name=message.from_name,
        headers=headers,
        # As `doc_from_parsed` counts them (the stored lists are the parsed ones); a message that never
        # was mail has no recipients to count.
        recipients=_count(message.to) + _count(message.cc) if headers else 1,
        kind=message.kind,
    )


def _raw_head(stored: bytes) -> bytes:
    """The start of a stored raw message, enough for its headers: attachments can be megabytes, the
    headers are at the top."""
    return source_head(stored, has_end=lambda raw: head_end(raw) != -1)


def _count(addresses: str) -> int:
    return sum(1 for address in addresses.split(",") if address.strip())


# What counts as a message between the leader and a contact (a connection or an invitation is not one).
_MESSAGE_KINDS = (InteractionKind.MAIL, InteractionKind.LINKEDIN, InteractionKind.FORM)


def sender_history(request: Request, message: Message | None = None) -> K.History:
    """What the hub knew about the requester before this request arrived.

    Only what goes both ways makes a known correspondent (`History.known`): mail or a LinkedIn
    message the leader sent them, an invitation the leader sent, a LinkedIn connection, a request
    of theirs kept before, a reply to the leader. Their own messages count as exchanges only once the
    leader has written to them; until then they are messages nobody answered.
    """
    contact = request.requester
    before = request.received_at
    # The intake records an interaction for this very message (same Message-ID as source key): that one
    # is not history.
    own_ids = list(request.messages.values_list("message_id", flat=True)[:50])
    messages = Q(kind__in=_MESSAGE_KINDS)
    interactions = (
        Interaction.objects.filter(contact=contact, at__lte=before)
        .exclude(source_key__in=own_ids)
        .aggregate(
            received=Count("id", filter=messages & Q(inbound=True)),
            sent=Count("id", filter=messages & Q(inbound=False)),
            # A LinkedIn connection, or an invitation the leader sent: someone of the leader's network.
            network=Count(
                "id",
                filter=Q(kind=InteractionKind.CONNECTION) | Q(kind=InteractionKind.INVITATION, inbound=False),
            ),
        )
    )
    # What the hub wrote to them in earlier requests' threads (receiving their newsletters is no exchange:
    # the intake records interactions only for mail written by a person). The same sent message is
    # usually both a stored message and an interaction: the larger count, not the sum.
    wrote = (
        Message.objects.filter(request__requester=contact, sent_at__lte=before, direction=Direction.OUTBOUND)
        .exclude(request=request)
        .count()
    )
    leader_wrote = max(interactions["sent"] or 0, wrote)
    prior = Request.objects.filter(requester=contact, received_at__lte=before).exclude(pk=request.pk)
    counts = prior.aggregate(
        kept=Count("id", filter=Q(kept_at__isnull=False)),
        dismissed=Count("id", filter=Q(state=State.DISMISSED)),
    )
    reply_to_leader = False
    message = message if message is not None else first_inbound_message(request)
    if message is not None:
        ids = [i for i in [message.in_reply_to, *message.references.split()] if i]
        if ids:
            reply_to_leader = Message.objects.filter(
                message_id__in=ids[:50], direction=Direction.OUTBOUND
            ).exists()
    strength = getattr(contact, "strength", None)
    return K.History(
        exchanges=(interactions["received"] or 0) + leader_wrote,
        leader_wrote=leader_wrote,
        kept_before=counts["kept"] or 0,
        dismissed_before=counts["dismissed"] or 0,
        reply_to_leader=reply_to_leader,
        strength=float(strength) if isinstance(strength, int | float) else None,
        known_contact=bool(interactions["network"]),
    )


def sender_key(doc: MailDoc, request: Request) -> str:
    """What groups messages "from the same sender" for bulk actions: the list when there is one."""
    list_id = doc.headers.get("list-id", "")
    if list_id:
        inner = list_id[list_id.rfind("<") + 1 :].rstrip(">").strip() if "<" in list_id else list_id.strip()
        return f"list:{inner.lower()}"[:320]
    email = (doc.from_email or request.requester.email).lower()
    return email or f"contact:{request.requester_id}"


# --- The engine in use ------------------------------------------------------------------------


def active_run_id() -> int | None:
    return (
        TrainingRun.objects.filter(status=TrainingRun.Status.ACTIVE)
        .order_by("-started_at", "-id")
        .values_list("id", flat=True)
        .first()
    )


def _artefact(key: str) -> bytes | None:
    data = (
        TrainingRun.objects.filter(pk=int(key.partition(":")[0])).values_list("artefact", flat=True).first()
    )
    return bytes(data) if data else None


def current_engine() -> engine.Engine:
    """The base model and the hub's model in use (loaded once per process, reloaded when it changes)."""
    active = (
        TrainingRun.objects.filter(status=TrainingRun.Status.ACTIVE)
        .order_by("-started_at", "-id")
        .values_list("id", "finished_at")
        .first()
    )
    # The key names the run and when it finished: a restored database cannot hand us a stale model.
    key = f"{active[0]}:{active[1].isoformat() if active[1] else ''}" if active else None
    return engine.engine_for(key, loader=_artefact)


# --- Rules ---------------------------------------------------------------------------------


def rule_for(email: str) -> SenderRule | None:
    """The active rule for an address: the address's own rule first, then its domain's (or a parent's)."""
    email = email.lower().strip()
    if not email:
        return None
    rule = SenderRule.objects.filter(active=True, scope=RuleScope.ADDRESS, value=email).first()
    if rule:
        return rule
    domain = domain_of(email)
    parts = domain.split(".")
    candidates = [".".join(parts[i:]) for i in range(len(parts) - 1)]
    rules = {
        r.value: r
        for r in SenderRule.objects.filter(active=True, scope=RuleScope.DOMAIN, value__in=candidates)
    }
    for candidate in candidates:  # the most specific domain wins
        if candidate in rules:
            return rules[candidate]
    return None


def rules_list() -> list[SenderRule]:
    return list(SenderRule.objects.filter(active=True).select_related("created_by").order_by("-created_at"))


def rule_get(*, rule_id: int) -> SenderRule:
    rule = SenderRule.objects.filter(pk=rule_id, active=True).first()
    if rule is None:
        raise Http404(_("No such rule."))
    return rule


def waiting_from(*, sender_key: str) -> int:
    if not sender_key:
        return 0
    return Suggestion.objects.filter(sender_key=sender_key, request__state=State.RECEIVED).count()


def waiting_ids_from(*, sender_key: str, limit: int = 1000) -> list[int]:
    return list(
        Suggestion.objects.filter(sender_key=sender_key, request__state=State.RECEIVED)
        .order_by("request__received_at")
        .values_list("request_id", flat=True)[:limit]
    )


def waiting_ids_matching(*, scope: str, value: str, limit: int = 1000) -> list[int]:
    qs = Suggestion.objects.filter(request__state=State.RECEIVED)
    if scope == RuleScope.ADDRESS:
        qs = qs.filter(sender_email=value)
    else:
        qs = qs.filter(Q(sender_domain=value) | Q(sender_domain__endswith=f".{value}"))
    return list(qs.order_by("request__received_at").values_list("request_id", flat=True)[:limit])


# --- Undoing the last decision ----------------------------------------------------------------

# A person's decision in the queue: the request left "received" for "kept" or "dismissed".
_DECISION = Q(
    kind=EventKind.TRANSITION, from_state=State.RECEIVED, to_state__in=[State.KEPT, State.DISMISSED]
)


def decision_latest(*, actor: User, request: Request) -> Event | None:
    """The actor's latest decision on `request` (the one a gesture in the queue just made)."""
    return Event.objects.filter(_DECISION, request=request, actor=actor).order_by("-id").first()


def decision_for_undo(*, actor: User, event_id: int) -> Event | None:
    """The actor's own decision `event_id`, with its request; None for anyone else's, or for the
    automatic decision of a sender rule made in their name (undone by removing the rule)."""
    automatic = Suggestion.objects.filter(rule_event_id=OuterRef("pk"))
    return (
        Event.objects.filter(_DECISION, pk=event_id, actor=actor)
        .exclude(Exists(automatic))
        .select_related("request")
        .first()
    )


def acted_on_since(event: Event) -> bool:
    """Whether the request moved again after `event` (someone acted on it, or it was already undone)."""
    return Event.objects.filter(
        request_id=event.request_id, kind=EventKind.TRANSITION, id__gt=event.pk
    ).exists()


# The note of an undone decision's event (services.decision_undo): the request went back to the queue
# with its earlier clock, so that event is not when it entered the queue.
UNDONE_NOTE = gettext_noop("Decision undone: back in the triage queue.")


def queue_entered_at(event: Event) -> datetime:
    """When the request entered the triage queue before the decision `event`: its arrival, or its last
    restoration (not an undo, which gave the clock back as it was: a second undo gives it back too).
    Every move writes its event at the very time it gives `state_changed_at`
    (circulation.services.transition, request_create), so this is the clock the queue showed."""
    entries = Event.objects.filter(
        request_id=event.request_id,
        id__lt=event.pk,
        kind__in=[EventKind.CREATED, EventKind.TRANSITION],
        to_state=State.RECEIVED,
    ).order_by("-id")
    for at, source in entries.values_list("at", "note_source").iterator():
        if not (isinstance(source, dict) and source.get("msgid") == UNDONE_NOTE):
            return at
    return event.request.received_at


# --- The preview's triage panel ----------------------------------------------------------------


@dataclass(frozen=True)
class TriagePanel:
    suggestion: Suggestion | None
    waiting_same_sender: int
    rule: SenderRule | None
    domain: str
    email: str
    brief: Brief | None

    @property
    def rule_choices(self) -> list[tuple[str, str, str]]:
        """The screener's one-gesture buttons: (scope, action, label)."""
        if not self.email:
            return []
        choices: list[tuple[str, str, str]] = [
            (RuleScope.ADDRESS, RuleAction.KEEP, _("Always keep %(who)s") % {"who": self.email}),
            (RuleScope.ADDRESS, RuleAction.DISMISS, _("Always dismiss %(who)s") % {"who": self.email}),
        ]
        if self.domain and self.domain not in FREEMAIL_DOMAINS:
            who = f"@{self.domain}"
            choices += [
                (RuleScope.DOMAIN, RuleAction.KEEP, _("Always keep %(who)s") % {"who": who}),
                (RuleScope.DOMAIN, RuleAction.DISMISS, _("Always dismiss %(who)s") % {"who": who}),
            ]
        return choices

    @property
    def keep_choices(self) -> list[tuple[str, str]]:
        return [(scope, label) for scope, action, label in self.rule_choices if action == RuleAction.KEEP]

    @property
    def dismiss_choices(self) -> list[tuple[str, str]]:
        return [(scope, label) for scope, action, label in self.rule_choices if action == RuleAction.DISMISS]

    @property
    def dismiss_reasons(self) -> list[tuple[str, str]]:
        return [(str(value), str(label)) for value, label in DismissReason.choices]

    @property
    def noise_reason(self) -> str:
        """The reason preselected for the dismiss gestures (the second can choose another)."""
        return self.suggestion.noise_reason if self.suggestion else DismissReason.NOT_RELEVANT


def triage_panel(request: Request) -> TriagePanel:
    suggestion = Suggestion.objects.filter(request=request).first()
    email = (suggestion.sender_email if suggestion else "") or request.requester.email
    return TriagePanel(
        suggestion=suggestion,
        waiting_same_sender=waiting_from(sender_key=suggestion.sender_key) if suggestion else 0,
        rule=rule_for(email) if email else None,
        domain=domain_of(email) if email else "",
        email=email,
        brief=Brief.objects.filter(request=request).first(),
    )


# --- Learning from the second ------------------------------------------------------------------

KEEP = State.KEPT
REASON_TO_CATEGORY = {
    DismissReason.SOLICITATION: K.SOLICITATION,
    DismissReason.NEWSLETTER: K.NEWSLETTER,
    DismissReason.NOTIFICATION: K.NEWSLETTER,
    DismissReason.SPAM: K.SPAM,
    # "Not relevant" says nothing about what the message is: not a training example.
}


@dataclass
class TrainingExample:
    event_id: int
    request_id: int
    at: datetime
    label: str
    keep: bool
    doc: MailDoc
    history: K.History


def decision_events(limit: int = 5000) -> list[Event]:
    """People's triage decisions, newest first (rules' automatic decisions are not examples)."""
    automatic = Suggestion.objects.filter(rule_event_id__isnull=False).values_list("rule_event_id", flat=True)
    return list(
        Event.objects.filter(
            kind=EventKind.TRANSITION,
            from_state=State.RECEIVED,
            to_state__in=[State.KEPT, State.DISMISSED],
            actor__isnull=False,
        )
        .exclude(id__in=automatic)
        .select_related("request", "request__requester")
        .order_by("-at", "-id")[:limit]
    )


def training_examples(*, limit: int = 5000, per_sender: int = 5) -> list[TrainingExample]:
    """The second's decisions as labelled examples, oldest first; one per request (its latest decision),
    at most `per_sender` per sender so that one newsletter does not drown the others."""
    seen_requests: set[int] = set()
    per_key: dict[str, int] = defaultdict(int)
    chosen: list[tuple[Event, str]] = []
    events = decision_events(limit)
    suggestions = {
        s.request_id: s
        for s in Suggestion.objects.filter(request_id__in=[e.request_id for e in events]).only(
            "request_id", "signals", "sender_key"
        )
    }
    for event in events:
        request = event.request
        if event.request_id in seen_requests:
            continue
        seen_requests.add(event.request_id)
        if request.state == State.RECEIVED:
            continue  # restored since: undecided
        if event.to_state == State.DISMISSED:
            if request.state != State.DISMISSED:
                continue
            label = REASON_TO_CATEGORY.get(request.dismiss_reason, "")  # type: ignore[call-overload]
            if not label:
                continue
        else:
            suggestion = suggestions.get(event.request_id)
            history = K.History.from_dict((suggestion.signals if suggestion else {}).get("history"))
            label = K.NETWORK if history.known else K.SERIOUS
        key = suggestions[event.request_id].sender_key if event.request_id in suggestions else ""
        key = key or request.requester.email
        if per_key[key] >= per_sender:
            continue
        per_key[key] += 1
        chosen.append((event, label))
    examples: list[TrainingExample] = []
    for event, label in reversed(chosen):
        request = event.request
        suggestion = suggestions.get(event.request_id)
        stored = (suggestion.signals if suggestion else {}).get("history")
        history = K.History.from_dict(stored) if stored else sender_history(request)
        examples.append(
            TrainingExample(
                event_id=event.pk,
                request_id=request.pk,
                at=event.at,
                label=label,
                keep=event.to_state == State.KEPT,
                doc=request_doc(request),
                history=history,
            )
        )
    return examples


def new_decisions_since(event_id: int) -> int:
    return Event.objects.filter(
        kind=EventKind.TRANSITION,
        from_state=State.RECEIVED,
        to_state__in=[State.KEPT, State.DISMISSED],
        actor__isnull=False,
        id__gt=event_id,
    ).count()


# --- Quality, for the second -------------------------------------------------------------------


@dataclass(frozen=True)
class Agreement:
    decisions: int
    agreed: int
    kept_but_suggested_dismiss: int
    dismissed_but_suggested_keep: int

    @property
    def rate(self) -> float | None:
        return self.agreed / self.decisions if self.decisions else None


def live_agreement(*, last: int = 100) -> Agreement:
    """Did the suggestion shown at the time match what the second decided? (their last decisions)"""
    events = decision_events(limit=last * 2)
    decided: dict[int, bool] = {}
    for event in events:
        if event.request_id not in decided:
            decided[event.request_id] = event.to_state == State.KEPT
        if len(decided) >= last:
            break
    suggestions = {
        s.request_id: s
        for s in Suggestion.objects.filter(request_id__in=list(decided)).only("request_id", "category")
    }
    agreed = keep_missed = dismiss_missed = 0
    counted = 0
    for request_id, kept in decided.items():
        suggestion = suggestions.get(request_id)
        if suggestion is None:
            continue
        counted += 1
        if suggestion.suggests_keep == kept:
            agreed += 1
        elif kept:
            keep_missed += 1
        else:
            dismiss_missed += 1
    return Agreement(counted, agreed, keep_missed, dismiss_missed)


@dataclass(frozen=True)
class Quality:
    agreement: Agreement
    active: TrainingRun | None
    latest: TrainingRun | None
    runs: list[TrainingRun]
    base_version: str
    decisions_total: int
    new_since_active: int
    min_decisions: int


def quality(*, min_decisions: int) -> Quality:
    runs = list(TrainingRun.objects.defer("artefact").order_by("-started_at", "-id")[:10])
    active = next((r for r in runs if r.status == TrainingRun.Status.ACTIVE), None)
    if active is None:
        active = TrainingRun.objects.defer("artefact").filter(status=TrainingRun.Status.ACTIVE).first()
    total = Event.objects.filter(
        kind=EventKind.TRANSITION,
        from_state=State.RECEIVED,
        to_state__in=[State.KEPT, State.DISMISSED],
        actor__isnull=False,
    ).count()
    return Quality(
        agreement=live_agreement(),
        active=active,
        latest=runs[0] if runs else None,
        runs=runs,
        base_version=engine.base_model().meta.get("version", "signals-only"),
        decisions_total=total,
        new_since_active=new_decisions_since(active.last_event_id) if active else total,
        min_decisions=min_decisions,
    )
