"""Every write of the triage: suggestions, the brief, sender rules and their automatic decisions, bulk
dismissals, and retraining on the second's decisions.

Decisions on a request always go through `circulation.services` (request_keep / request_dismiss), so
each one is an audited Event. An automatic decision by a sender rule is made in the name of the person
who created the rule — the circulation services insist on an actor with the triage role, and that
person is who answers for the rule — with a note naming the rule; `Suggestion.rule_event_id` marks the
event as automatic, so it is never mistaken for a person's decision (nor learnt from).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from cercle.accounts.models import User
from cercle.accounts.permissions import TRIAGE_ROLES, NotAllowed, require_role
from cercle.circulation import services as circulation
from cercle.circulation.errors import CirculationError
from cercle.circulation.models import Event, EventKind, Request
from cercle.circulation.states import DismissReason, State
from cercle.core.notes import Note
from cercle.network.domains import FREEMAIL_DOMAINS
from cercle.triage import classifier as K
from cercle.triage import engine, metrics, selectors
from cercle.triage.brief import extract_brief
from cercle.triage.features import MailDoc, domain_of
from cercle.triage.models import Brief, RuleAction, RuleScope, SenderRule, Suggestion, TrainingRun

log = logging.getLogger(__name__)


class TriageError(Exception):
    """A refused triage action, with a message meant for the person who tried it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _setting(name: str, default: int) -> int:
    return int(settings.CERCLE.get(name, default))


# --- Suggestions ------------------------------------------------------------------------------


def suggestion_compute(
    *, request: Request, engine_: engine.Engine | None = None, apply_rules: bool = True
) -> Suggestion:
    """Read the request's first message, suggest a category with its reasons, draft the brief, and
    apply a sender rule if one matches."""
    message = selectors.first_inbound_message(request)
    doc = selectors.request_doc(request, message)
    history = selectors.sender_history(request, message)
    current = engine_ or selectors.current_engine()
    row = engine.encode_for_suggestion(doc, history)
    prediction = current.predict([row])[0]
    email = (doc.from_email or request.requester.email).lower()
    values: dict[str, Any] = {
        "category": prediction.category,
        "confidence": prediction.confidence,
        "score": prediction.score,
        "human": prediction.human,
        "probabilities": prediction.probabilities,
        "reasons": prediction.reasons,
        "signals": {
            "headers": [code for code, _detail in row.meta.get("signals", [])],  # type: ignore[attr-defined]
            "cues": row.meta.get("cues", []),
            "history": history.as_dict(),
            "person": bool(row.meta.get("person")),
            "via": doc.via,
        },
        "sender_key": selectors.sender_key(doc, request),
        "sender_email": email[:254],
        "sender_domain": domain_of(email)[:254],
        "known_sender": history.known,
        "model_version": current.version[:64],
        "computed_at": timezone.now(),
    }
    with transaction.atomic():
        suggestion, _created = Suggestion.objects.update_or_create(request=request, defaults=values)
        brief_extract(request=request, doc=doc)
    if apply_rules:
        rule_apply(request=request, suggestion=suggestion, history=history)
    return suggestion


def suggestions_compute_pending(*, limit: int = 500) -> int:
    """Requests waiting for the second that have no suggestion yet (new mail, or an old import)."""
    pending = list(
        Request.objects.filter(state=State.RECEIVED, triage_suggestion__isnull=True)
        .select_related("requester")
        .order_by("received_at", "id")[:limit]
    )
    if not pending:
        return 0
    current = selectors.current_engine()
    for request in pending:
        try:
            suggestion_compute(request=request, engine_=current)
        except IntegrityError:  # computed concurrently by another worker
            continue
        except Exception:
            # Never leave a request pending forever (the sweep would retry it every minute): it gets an
            # empty suggestion that says so, and the second reads it as before.
            log.exception("triage: no suggestion for request %s", request.pk)
            Suggestion.objects.get_or_create(
                request=request,
                defaults={
                    "category": K.SERIOUS,
                    "confidence": 0.0,
                    "score": 0.5,
                    "reasons": [["unreadable", {}]],
                },
            )
    return len(pending)


def suggestions_refresh_waiting(*, limit: int = 2000) -> int:
    """After a retraining: the waiting requests get the new model's suggestions (rules already ran)."""
    current = selectors.current_engine()
    waiting = list(
        Request.objects.filter(state=State.RECEIVED)
        .select_related("requester")
        .order_by("received_at")[:limit]
    )
    for request in waiting:
        suggestion_compute(request=request, engine_=current, apply_rules=False)
    return len(waiting)


# --- The brief --------------------------------------------------------------------------------


def brief_extract(*, request: Request, doc: MailDoc | None = None) -> Brief:
    """Draft the brief from the message; a brief a person edited is never overwritten."""
    existing = Brief.objects.filter(request=request).first()
    if existing is not None and existing.edited_by_id is not None:
        return existing
    doc = doc or selectors.request_doc(request)
    contact = request.requester
    draft = extract_brief(
        doc,
        sent_at=request.received_at,
        contact_name=contact.name,
        contact_organisation=contact.organisation,
        contact_position=getattr(contact, "position", "") or "",
    )
    values = {
        "person": draft.person,
        "organisation": draft.organisation,
        "role": draft.role,
        "need": draft.need,
        "goal": draft.goal,
        "deadline": request.deadline or draft.deadline,
        "urgency": draft.urgency,
        "budget": draft.budget,
        "language": draft.language if draft.language in ("fr", "en") else request.language,
        "extracted_at": timezone.now(),
    }
    brief, _created = Brief.objects.update_or_create(request=request, defaults=values)
    return brief


@dataclass(frozen=True)
class BriefFields:
    person: str
    organisation: str
    role: str
    need: str
    deadline: date | None
    urgency: str
    budget: str
    language: str
    goal: str = ""


def brief_update(*, actor: User, request: Request, fields: BriefFields) -> Brief:
    require_role(actor, TRIAGE_ROLES)
    values = {
        "person": fields.person.strip()[:200],
        "organisation": fields.organisation.strip()[:200],
        "role": fields.role.strip()[:200],
        "need": fields.need.strip(),
        "goal": fields.goal.strip(),
        "deadline": fields.deadline,
        "urgency": fields.urgency.strip()[:200],
        "budget": fields.budget.strip()[:200],
        "language": fields.language if fields.language in ("fr", "en") else "fr",
        "edited_by": actor,
        "edited_at": timezone.now(),
    }
    with transaction.atomic():
        brief, _created = Brief.objects.update_or_create(request=request, defaults=values)
        circulation.event_record(
            request=request, actor=actor, kind=EventKind.NOTE, note=Note(gettext_noop("Brief edited."))
        )
    return brief


# --- Sender rules (the screener) -----------------------------------------------------------------


def _add_reason(suggestion: Suggestion, item: list[Any]) -> list[Any]:
    rule_codes = ("rule", "rule_spared", "rule_spared_person")
    reasons = [r for r in (suggestion.reasons or []) if r and r[0] not in rule_codes]
    return [item, *reasons]


def reads_as_person(suggestion: Suggestion) -> bool:
    """Whether the suggestion's message reads as one person writing to the leader (`engine.reads_as_person`
    as computed when it arrived; read again from its header signals for a suggestion stored before)."""
    signals = suggestion.signals or {}
    if "person" in signals:
        return bool(signals["person"])
    return engine.reads_as_person(signals.get("headers", []), str(signals.get("via") or ""))


def rule_apply(*, request: Request, suggestion: Suggestion, history: K.History | None = None) -> str:
    """Apply the matching sender rule to a waiting request: "kept", "dismissed", "spared",
    "spared_person" or "".

    "Always dismiss" never dismisses a known correspondent (someone the leader wrote to, a request
    kept before, a reply to the leader, a LinkedIn connection — see `History.known`): the message stays
    in the queue with the reason shown. A sender who only ever wrote, never answered, is no
    correspondent: the rule applies — except as spam to a message that reads as a person writing
    (no bulk, list, campaign or no-reply header; a LinkedIn message): calling a person's request spam
    is the worst error (the sender is also marked as spam), so a person decides it.
    """
    if request.state != State.RECEIVED or suggestion.rule_event_id:
        return ""
    rule = selectors.rule_for(suggestion.sender_email or request.requester.email)
    if rule is None:
        return ""
    history = history or selectors.sender_history(request)
    reason = (rule.reason or suggestion.noise_reason) if rule.action == RuleAction.DISMISS else ""
    spared = ""
    if rule.action == RuleAction.DISMISS and history.known:
        spared = "rule_spared"
    elif reason == DismissReason.SPAM and reads_as_person(suggestion):
        spared = "rule_spared_person"
    if spared:
        Suggestion.objects.filter(pk=suggestion.pk).update(
            reasons=_add_reason(suggestion, [spared, {"detail": rule.label}])
        )
        return "spared" if spared == "rule_spared" else "spared_person"
    note = Note(
        gettext_noop("Automatic: sender rule “%(rule)s” (created by %(name)s)."),
        rule=rule.label_note,
        name=rule.created_by.display_name,
    )
    try:
        with transaction.atomic():
            if rule.action == RuleAction.KEEP:
                circulation.request_keep(
                    actor=rule.created_by, request=request, note=note, expected_state=State.RECEIVED
                )
            else:
                circulation.request_dismiss(
                    actor=rule.created_by,
                    request=request,
                    reason=reason,
                    note=note,
                    expected_state=State.RECEIVED,
                )
            event_id = (
                Event.objects.filter(request=request, kind=EventKind.TRANSITION)
                .order_by("-id")
                .values_list("id", flat=True)
                .first()
            )
            Suggestion.objects.filter(pk=suggestion.pk).update(
                rule=rule,
                rule_event_id=event_id,
                rule_note=note.render()[:300],
                reasons=_add_reason(suggestion, ["rule", {"detail": rule.label}]),
            )
            SenderRule.objects.filter(pk=rule.pk).update(hits=F("hits") + 1, last_hit_at=timezone.now())
    except (CirculationError, NotAllowed) as exc:
        # The request moved meanwhile, or the rule's author lost the triage role: leave it to a person.
        log.info("sender rule %s not applied to request %s: %s", rule.pk, request.pk, exc)
        return ""
    return "kept" if rule.action == RuleAction.KEEP else "dismissed"


@dataclass(frozen=True)
class RuleResult:
    rule: SenderRule
    applied: int  # other waiting requests decided by the new rule
    spared: int  # known correspondents left in the queue
    spared_person: int = 0  # messages that read as a person writing, not dismissed as spam by the rule


def rule_create(
    *,
    actor: User,
    request: Request,
    scope: str,
    action: str,
    reason: str = "",
    apply_waiting: bool = True,
) -> RuleResult:
    """One gesture from the queue: a rule for this sender (address or domain), the current message
    decided by the person, and the other waiting messages from the sender decided by the rule."""
    require_role(actor, TRIAGE_ROLES)
    if scope not in RuleScope.values or action not in RuleAction.values:
        raise TriageError(_("Unknown rule."))
    suggestion = Suggestion.objects.filter(request=request).first() or suggestion_compute(
        request=request, apply_rules=False
    )
    email = (suggestion.sender_email or request.requester.email).lower().strip()
    if not email:
        raise TriageError(_("This message has no sender address: no rule can be made from it."))
    value = email if scope == RuleScope.ADDRESS else domain_of(email)
    if scope == RuleScope.DOMAIN and value in FREEMAIL_DOMAINS:
        raise TriageError(
            _("%(domain)s is a public mail service: make a rule for this address instead.")
            % {"domain": value}
        )
    if action == RuleAction.DISMISS:
        # The gesture's reason: the one the second chose, else what the machine reads this noise as
        # (its suggestion, or its likeliest kind of noise when it suggested keeping) — never a fixed
        # default, which filed promotions under "Newsletter".
        reason = reason or suggestion.noise_reason
        if reason not in DismissReason.values:
            raise TriageError(_("Choose a reason to dismiss this request."))
    else:
        reason = ""
    try:
        rule = _rule_replace(
            actor=actor, request=request, scope=scope, value=value, action=action, reason=reason
        )
    except IntegrityError as exc:  # the same rule made at the same moment by someone else
        raise TriageError(_("A rule for this sender was just made by someone else: look again.")) from exc
    applied = spared = spared_person = 0
    if apply_waiting:
        for other in _waiting_requests(selectors.waiting_ids_matching(scope=scope, value=value)):
            outcome = rule_apply(request=other, suggestion=other.triage_suggestion)  # type: ignore[attr-defined]
            applied += outcome in ("kept", "dismissed")
            spared += outcome == "spared"
            spared_person += outcome == "spared_person"
    return RuleResult(rule, applied, spared, spared_person)


def _rule_replace(
    *, actor: User, request: Request, scope: str, value: str, action: str, reason: str
) -> SenderRule:
    """The new rule replaces the sender's active one; the gesture also decides the message the person is
    reading (their own decision, audited in their name)."""
    with transaction.atomic():
        SenderRule.objects.filter(scope=scope, value=value, active=True).update(active=False)
        rule = SenderRule.objects.create(
            scope=scope, value=value, action=action, reason=reason, created_by=actor
        )
        if request.state == State.RECEIVED:
            note = Note(gettext_noop("Sender rule created: %(rule)s."), rule=rule.label_note)
            try:
                if action == RuleAction.KEEP:
                    circulation.request_keep(
                        actor=actor, request=request, note=note, expected_state=State.RECEIVED
                    )
                else:
                    circulation.request_dismiss(
                        actor=actor, request=request, reason=reason, note=note, expected_state=State.RECEIVED
                    )
            except CirculationError as exc:
                raise TriageError(exc.message) from exc
    return rule


def rule_deactivate(*, actor: User, rule: SenderRule) -> None:
    require_role(actor, TRIAGE_ROLES)
    SenderRule.objects.filter(pk=rule.pk).update(active=False)


def _waiting_requests(ids: list[int]) -> list[Request]:
    return list(
        Request.objects.filter(pk__in=ids, state=State.RECEIVED)
        .select_related("requester", "triage_suggestion")
        .order_by("received_at", "id")
    )


# --- Bulk ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BulkResult:
    dismissed: int
    spared: int
    conflicts: int


def bulk_dismiss(*, actor: User, sender_key: str, reason: str) -> BulkResult:
    """Dismiss every waiting message from one sender (a newsletter, a list) with one reason.

    Each one is an ordinary audited dismissal by the actor. Known correspondents are left in the queue
    (a list can carry a message from someone the leader knows); a sender nobody ever answered is not
    one, however often they wrote."""
    require_role(actor, TRIAGE_ROLES)
    if reason not in DismissReason.values:
        raise TriageError(_("Choose a reason to dismiss this request."))
    if not sender_key:
        raise TriageError(_("Nothing to dismiss."))
    dismissed = spared = conflicts = 0
    note = Note(
        gettext_noop("Dismissed with every waiting message from %(sender)s."),
        sender=sender_key.removeprefix("list:"),
    )
    for request in _waiting_requests(selectors.waiting_ids_from(sender_key=sender_key)):
        if selectors.sender_history(request).known:
            spared += 1
            continue
        try:
            circulation.request_dismiss(
                actor=actor, request=request, reason=reason, note=note, expected_state=State.RECEIVED
            )
            dismissed += 1
        except CirculationError:
            conflicts += 1
    return BulkResult(dismissed, spared, conflicts)


# --- The queue: its order, and undoing the last decision -----------------------------------------


def queue_order_set(*, actor: User, order: str) -> bool:
    """Remember on the person's account the order they chose for the queue (it follows them to their
    next session and device). True when it changed."""
    require_role(actor, TRIAGE_ROLES)
    if order not in selectors.TRIAGE_ORDERS or actor.triage_order == order:
        return False
    User.objects.filter(pk=actor.pk).update(triage_order=order)
    actor.triage_order = order
    return True


def undo_seconds() -> int:
    """How long after a decision in the queue it can be undone."""
    return _setting("TRIAGE_UNDO_SECONDS", 10)


def decision_undo(*, actor: User, event_id: int) -> Request:
    """Put back in the queue, exactly as it was, a request the actor kept or dismissed a few seconds ago
    (`TRIAGE_UNDO_SECONDS`): its state, its clock (`state_changed_at`, so its waiting time and lateness
    are what they were), no reason, no "kept at". Audited as an event; refused once someone acted on it.
    """
    require_role(actor, TRIAGE_ROLES)
    decision = selectors.decision_for_undo(actor=actor, event_id=event_id)
    seconds = undo_seconds()
    # The server's clock decides: a page left open, or a late key press, cannot stretch the window.
    if decision is None or (timezone.now() - decision.at).total_seconds() > seconds:
        raise TriageError(
            _("Too late to undo: a decision can be undone for %(n)d seconds only. Nothing was changed.")
            % {"n": seconds}
        )
    request = decision.request
    changed = TriageError(
        _("“%(s)s” changed since your decision: nothing was undone.") % {"s": request.subject}
    )
    if request.state != decision.to_state or selectors.acted_on_since(decision):
        raise changed
    restored: dict[str, Any] = {
        "state_changed_at": selectors.queue_entered_at(decision),
        "dismiss_reason": "",
    }
    note = Note(selectors.UNDONE_NOTE)
    if decision.to_state == State.DISMISSED:
        # The edge "Restore" takes on the request's page, with the clock put back as it was.
        try:
            circulation.transition(
                request=request,
                actor=actor,
                to_state=State.RECEIVED,
                expected_state=State.DISMISSED,
                note=note,
                fields=restored,
            )
        except CirculationError as exc:
            raise changed from exc
        return request
    # Kept → received is no edge of a request's life (states.TRANSITIONS): once kept, it is the
    # leader's. Undoing a keep within seconds is the one exception, written the way `transition` writes
    # an edge: a conditional update (the leader may have acted in the meantime) and its event.
    restored["kept_at"] = None
    now = timezone.now()
    with transaction.atomic():
        if (
            Request.objects.filter(pk=request.pk, state=State.KEPT).update(state=State.RECEIVED, **restored)
            != 1
        ):
            raise changed
        Event.objects.create(
            request=request,
            actor=actor,
            at=now,
            kind=EventKind.TRANSITION,
            from_state=State.KEPT,
            to_state=State.RECEIVED,
            note=note.render(),
            note_source=note.to_json(),
        )
    for name, value in {"state": State.RECEIVED, **restored}.items():
        setattr(request, name, value)
    return request


# --- Learning from the second ---------------------------------------------------------------------


def _evaluate(truth: list[str], predicted: list[str]) -> dict[str, Any]:
    return metrics.decision_figures(truth, predicted, categories=K.CATEGORIES, human=K.HUMAN)


def model_retrain(*, force: bool = False) -> TrainingRun | None:
    """Train the hub's model on the second's decisions, measure it on the most recent ones (held
    out), and put it in use when it does not do worse than the base model on them.

    Without `force`, nothing happens until `CERCLE_TRIAGE_RETRAIN_MIN_NEW` new decisions were made."""
    min_decisions = _setting("TRIAGE_MIN_DECISIONS", 30)
    min_new = _setting("TRIAGE_RETRAIN_MIN_NEW", 10)
    last = TrainingRun.objects.defer("artefact").order_by("-started_at", "-id").first()
    if not force and last is not None and selectors.new_decisions_since(last.last_event_id) < min_new:
        return None
    started = time.monotonic()
    run = TrainingRun(started_at=timezone.now())
    examples = selectors.training_examples(limit=_setting("TRIAGE_MAX_EXAMPLES", 5000))
    run.decisions = len(examples)
    run.last_event_id = max((e.event_id for e in examples), default=last.last_event_id if last else 0)
    labels = [e.label for e in examples]
    kept = {label in K.HUMAN for label in labels}
    if len(examples) < min_decisions or len(kept) < 2:
        run.status = TrainingRun.Status.SKIPPED
        run.metrics = {"min_decisions": min_decisions}
        run.message = run.explanation  # for the admin; the page explains in each reader's language
        run.finished_at = timezone.now()
        run.save()
        return run

    base_engine = engine.Engine(base=engine.base_model())
    rows = [K.encode(e.doc, e.history) for e in examples]
    X = K.design(rows, base_engine.base.idf)
    base_proba = base_engine.base.predict_proba(X)
    Z = engine.stack_columns(X, base_proba)

    # Held out: the most recent decisions (examples are oldest first).
    held = max(5, len(examples) // 5)
    split = len(examples) - held
    train_labels, test_labels = labels[:split], labels[split:]
    base_pred = [K.CATEGORIES[i] for i in engine.decide(base_proba[split:], rows[split:])]
    figures: dict[str, Any] = {"base": _evaluate(test_labels, base_pred)}
    if len({label in K.HUMAN for label in train_labels}) == 2:
        trial = engine.fit_hub(Z[:split], train_labels)
        hub_pred = trial.categories(rows[split:])
        figures["hub"] = _evaluate(test_labels, hub_pred)
    run.held_out = held
    final = engine.fit_hub(Z, labels)
    assert final.keep is not None
    final.keep.meta = {"version": f"hub-{timezone.now():%Y%m%d%H%M}", "decisions": str(len(examples))}
    run.artefact = engine.pack_hub(final.keep, final.noise)
    better = "hub" in figures and (
        figures["hub"]["keep_dismiss_accuracy"] >= figures["base"]["keep_dismiss_accuracy"] - 0.02
    )
    run.status = TrainingRun.Status.ACTIVE if better else TrainingRun.Status.REJECTED
    if not better:
        run.message = run.explanation
    figures["seconds"] = round(time.monotonic() - started, 2)
    run.metrics = figures
    run.finished_at = timezone.now()
    with transaction.atomic():
        if better:
            TrainingRun.objects.filter(status=TrainingRun.Status.ACTIVE).update(
                status=TrainingRun.Status.RETIRED
            )
        run.save()
    if better:
        suggestions_refresh_waiting()
    return run
