"""Routing to the first circle and the hand-off to a project lead."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from cercle.accounts.models import Role, User
from cercle.accounts.permissions import ROUTE_ROLES, NotAllowed, require_role
from cercle.accounts.selectors import hub_leader, users_with_role
from cercle.circle.brief import brief_parse, brief_propose, brief_render
from cercle.circle.models import (
    MAX_ANSWER_HOURS,
    Offer,
    OfferMode,
    OfferState,
    offer_answer_hours_default,
)
from cercle.circle.words import member_words_refresh
from cercle.circulation.errors import IllegalTransition, TransitionConflict
from cercle.circulation.mail import request_mail_queue
from cercle.circulation.models import Event, EventKind, Request
from cercle.circulation.services import event_record, transition
from cercle.circulation.states import State
from cercle.core.notes import Moment, Note
from cercle.outbox.models import OutgoingMessage
from cercle.outbox.services import address
from cercle.projects.services import project_open


def request_route(
    *,
    actor: User,
    request: Request,
    members: Sequence[User],
    brief: str,
    expected_state: str | None = None,
    mode: str = OfferMode.PARALLEL,
    answer_hours: int | None = None,
) -> list[Offer]:
    """Offer an approved request to circle members (or add members to an open offer).

    `members` in the order the second chose. Several at once (`parallel`): each gets the offer now and
    the first to accept leads. One at a time (`sequential`): the first gets it now, the others wait their
    turn, and a decline or a deadline passed without an answer sends it to the next (`offers_expire`).
    Each member has `answer_hours` to answer (default: settings.CERCLE["OFFER_ANSWER_HOURS"]).
    """
    require_role(actor, ROUTE_ROLES)
    if mode not in OfferMode.values:
        raise IllegalTransition(_("Choose how to offer it: one member at a time, or several at once."))
    hours = _answer_hours(answer_hours)
    members = list({m.pk: m for m in members}.values())  # the order chosen, each member once
    if not members:
        raise IllegalTransition(_("Pick at least one circle member."))
    if any(m.role != Role.MEMBER or not m.is_active for m in members):
        raise IllegalTransition(_("Requests can only be offered to active circle members."))
    with transaction.atomic():
        # The state the page saw may be stale: a member may have accepted meanwhile. Read it again under
        # the row lock that accepting takes too, so offers are never added to a request that has a lead.
        request.state = Request.objects.select_for_update().values_list("state", flat=True).get(pk=request.pk)
        adding = request.state == State.OFFERED and expected_state in (None, State.OFFERED)
        # One offer per member and request: whoever already had it (and answered) is not asked again.
        already = set(request.offers.values_list("member_id", flat=True))
        members = [m for m in members if m.pk not in already]
        now = timezone.now()
        note = _route_note(members=members, mode=mode, hours=hours, now=now)
        if adding:
            # Adding members to an open offer: not a state change, but audited all the same.
            if members:
                event_record(
                    request=request,
                    actor=actor,
                    kind=EventKind.OFFER,
                    note=Note(gettext_noop("Also: %(what)s"), what=note),
                )
        else:
            transition(
                request=request, actor=actor, to_state=State.OFFERED, expected_state=expected_state, note=note
            )
        if not members:
            raise IllegalTransition(_("These members have already been offered this request."))
        last = request.offers.aggregate(round=Max("round"))["round"] or 0
        round_ = last if adding and last else last + 1
        position = (request.offers.filter(round=round_).aggregate(p=Max("position"))["p"] or 0) + 1
        # The facts the second kept as proposed stay data, so that each member reads them in their language.
        parts = brief_parse(brief, proposed=brief_propose(request=request))
        offers = [
            Offer.objects.create(
                request=request,
                member=m,
                brief=brief.strip(),
                brief_parts=parts,
                offered_by=actor,
                created_at=now,
                state=OfferState.QUEUED,
                mode=mode,
                round=round_,
                position=position + i,
                answer_hours=hours,
            )
            for i, m in enumerate(members)
        ]
        if mode == OfferMode.PARALLEL:
            for offer in offers:
                _send(offer=offer, request=request, now=now)
        elif not Offer.objects.filter(request=request, state=OfferState.PENDING).exists():
            # One at a time: the first in the order now; the others when their turn comes.
            _send(offer=offers[0], request=request, now=now)
    return offers


def _answer_hours(hours: int | None) -> int:
    if hours is None:
        return offer_answer_hours_default()
    if not 1 <= hours <= MAX_ANSWER_HOURS:
        raise IllegalTransition(
            _("The time to answer is between 1 hour and %(days)s days.") % {"days": MAX_ANSWER_HOURS // 24}
        )
    return hours


def _route_note(*, members: list[User], mode: str, hours: int, now: datetime) -> Note:
    names = ", ".join(m.display_name for m in members)
    if mode == OfferMode.PARALLEL:
        return Note(
            gettext_noop("Offered to %(names)s at once, the first to accept leads; answer by %(deadline)s."),
            names=names,
            deadline=Moment(_after(now, hours=hours)),
        )
    return Note(
        gettext_noop("Offered to %(names)s one at a time, in this order; %(hours)s h each to answer."),
        names=names,
        hours=hours,
    )


def _after(moment: datetime, *, hours: int) -> datetime:
    """`hours` elapsed hours after `moment`. Added in UTC: Python adds a timedelta to a time-zone-aware
    datetime on its wall clock, so "24 hours" from Saturday 10:00 in Paris would be Sunday 10:00 in Paris,
    only 23 hours later when the clocks go forward that night."""
    return moment.astimezone(UTC) + timedelta(hours=hours)


def _send(*, offer: Offer, request: Request, now: datetime) -> bool:
    """Make a waiting offer the member's to answer, with its deadline, and write them the mail."""
    deadline = _after(now, hours=offer.answer_hours)
    if (
        Offer.objects.filter(pk=offer.pk, state=OfferState.QUEUED).update(
            state=OfferState.PENDING, sent_at=now, deadline_at=deadline
        )
        != 1
    ):
        return False
    offer.state, offer.sent_at, offer.deadline_at = OfferState.PENDING, now, deadline
    _notify_member(offer=offer, request=request)
    return True


def _notify_member(*, offer: Offer, request: Request) -> None:
    member = offer.member
    if not member.email:
        return
    leader = hub_leader()
    request_mail_queue(
        request=request,
        template="offer",
        language=member.language,
        context={
            "member_name": member.display_name,
            "router_name": offer.offered_by.display_name if offer.offered_by else "",
            "leader_name": leader.display_name if leader else "",
            "subject": request.subject,
            "brief": brief_render(offer.brief_parts, member.language) if offer.brief_parts else offer.brief,
            "url": settings.SITE_URL + reverse("circle:opportunities"),
            "deadline": offer.deadline_at,
            **_suggestion_context(offer),
        },
        idempotency_key=f"offer:{offer.pk}",
        to=[address(member.display_name, member.email)],
    )


def _suggestion_context(offer: Offer) -> dict[str, object]:
    """Who named this member ("suggest someone else") and their word, for the member's mail."""
    if offer.suggested_by is None:
        return {}
    note = (
        Offer.objects.filter(request_id=offer.request_id, member_id=offer.suggested_by_id)
        .values_list("reason", flat=True)
        .first()
    )
    return {"suggested_by_name": offer.suggested_by.display_name, "suggestion_note": note or ""}


def offer_get_for_member(*, user: User, offer_id: int) -> Offer:
    """Fetch-and-authorize: an offer is only ever visible to the member it was made to."""
    offer = (
        Offer.objects.select_related("request", "request__requester").filter(pk=offer_id, member=user).first()
    )
    if offer is None:
        raise NotAllowed(_("This opportunity was not offered to you."))
    return offer


def offer_accept(*, actor: User, offer: Offer) -> Request:
    """The member becomes project lead; the other pending offers are withdrawn; the requester is introduced."""
    if offer.member_id != actor.pk:
        raise NotAllowed(_("This opportunity was not offered to you."))
    now = timezone.now()
    with transaction.atomic():
        # Lock order is always the request, then its offers: two members accepting at once
        # queue up on the request row instead of deadlocking on each other's offers.
        request = Request.objects.select_for_update().get(pk=offer.request_id)
        if (
            Offer.objects.filter(pk=offer.pk, state=OfferState.PENDING).update(
                state=OfferState.ACCEPTED, responded_at=now
            )
            != 1
        ):
            raise TransitionConflict(_("This opportunity is no longer open."))
        if request.state != State.OFFERED:
            raise TransitionConflict(_("Another member has already taken this request."))
        transition(
            request=request,
            actor=actor,
            to_state=State.ACCEPTED,
            expected_state=State.OFFERED,
            note=Note(gettext_noop("%(name)s is the project lead."), name=actor.display_name),
            fields={
                "lead": actor,
                "lead_at": now,
                "lead_delay_s": max(int((now - request.received_at).total_seconds()), 0),
            },
        )
        # Those still waiting their turn are released too: the request has its project lead.
        others = Offer.objects.filter(
            request=request, state__in=[OfferState.PENDING, OfferState.QUEUED]
        ).exclude(pk=offer.pk)
        released = ", ".join(o.member.display_name for o in others.select_related("member").order_by("id"))
        if others.update(state=OfferState.WITHDRAWN, responded_at=now):
            event_record(
                request=request,
                actor=actor,
                kind=EventKind.OFFER,
                note=Note(gettext_noop("No longer offered to %(names)s."), names=released),
            )
        project_open(request=request, lead=actor)
        # The project is theirs now: routing reads its words among the lead's from the next request on.
        member_words_refresh(member_ids=[actor.pk])
        _introduce(request=request, lead=actor)
    return request


def _introduce(*, request: Request, lead: User) -> None:
    leader = hub_leader()
    if not request.requester.email:
        event_record(
            request=request,
            actor=lead,
            kind=EventKind.MAIL,
            note=Note(
                gettext_noop("No e-mail address for %(name)s: %(lead)s introduces themself on LinkedIn."),
                name=request.requester.display_name,
                lead=lead.display_name,
            ),
        )
        return
    profile = getattr(lead, "profile", None)
    cc = [address(lead.display_name, lead.email)] if lead.email else []
    if leader and leader.email:
        cc.append(address(leader.display_name, leader.email))
    mail = request_mail_queue(
        request=request,
        template="introduction",
        language=request.language,
        context={
            "requester_name": request.requester.display_name,
            "lead_name": lead.display_name,
            "lead_headline": profile.headline(request.language) if profile else "",
            "leader_name": leader.display_name if leader else settings.CERCLE["HUB_NAME"],
            "subject": request.subject,
        },
        idempotency_key=f"intro:{request.pk}",
        to=[address(request.requester.name, request.requester.email)],
        cc=cc,
        reply_to=[address(lead.display_name, lead.email)] if lead.email else [],
        threaded=True,
    )
    event_record(
        request=request,
        actor=lead,
        kind=EventKind.MAIL,
        note=Note(
            gettext_noop("Introduction of %(lead)s queued for %(email)s"),
            lead=lead.display_name,
            email=request.requester.email,
        ),
        outgoing=mail,
    )


def offer_decline(*, actor: User, offer: Offer, reason: str) -> Offer:
    """The member says no, with a reason. One at a time, the next member in the order gets the offer;
    when nobody is left, the request goes back to routing. Whoever routed it is told, by mail."""
    if offer.member_id != actor.pk:
        raise NotAllowed(_("This opportunity was not offered to you."))
    if not reason.strip():
        raise IllegalTransition(_("Say in a few words why you decline, so the second can route it better."))
    now = timezone.now()
    with transaction.atomic():
        request = Request.objects.select_for_update().get(pk=offer.request_id)
        _close(offer=offer, to_state=OfferState.DECLINED, reason=reason.strip(), now=now)
        event = event_record(
            request=request,
            actor=actor,
            kind=EventKind.OFFER,
            note=Note(
                gettext_noop("%(name)s declined: %(reason)s"), name=actor.display_name, reason=reason.strip()
            ),
        )
        moved = _move_on(request=request, actor=actor, now=now)
        _tell_router(
            request=request,
            closed=[offer],
            why="declined",
            reason=reason.strip(),
            moved=moved,
            event=event,
        )
    offer.state = OfferState.DECLINED
    return offer


def offer_suggest(*, actor: User, offer: Offer, colleague: User, note: str = "") -> Offer:
    """The member declines and names a colleague ("suggest someone else"), who is next in line (one at a
    time) or gets the offer at once (several at once). Returns the colleague's offer."""
    if offer.member_id != actor.pk:
        raise NotAllowed(_("This opportunity was not offered to you."))
    if colleague.pk == actor.pk:
        raise IllegalTransition(_("Name a colleague other than yourself."))
    if colleague.role != Role.MEMBER or not colleague.is_active:
        raise IllegalTransition(_("Only an active circle member can be suggested."))
    note = note.strip()
    now = timezone.now()
    with transaction.atomic():
        request = Request.objects.select_for_update().get(pk=offer.request_id)
        _close(offer=offer, to_state=OfferState.DECLINED, reason=note, now=now)
        theirs = Offer.objects.filter(request=request, member=colleague).first()
        if theirs is not None and theirs.state not in (OfferState.QUEUED, OfferState.PENDING):
            raise IllegalTransition(
                _("%(name)s has already answered this request: suggest someone else.")
                % {"name": colleague.display_name}
            )
        event = event_record(
            request=request,
            actor=actor,
            kind=EventKind.OFFER,
            note=(
                Note(
                    gettext_noop("%(name)s declined and suggested %(colleague)s: %(reason)s"),
                    name=actor.display_name,
                    colleague=colleague.display_name,
                    reason=note,
                )
                if note
                else Note(
                    gettext_noop("%(name)s declined and suggested %(colleague)s."),
                    name=actor.display_name,
                    colleague=colleague.display_name,
                )
            ),
        )
        # Next in line: the declined offer's place in the order, before everyone who came after it.
        place = {"round": offer.round, "position": offer.position, "suggested_by": actor}
        if theirs is None:
            theirs = Offer.objects.create(
                request=request,
                member=colleague,
                brief=offer.brief,
                brief_parts=offer.brief_parts,
                offered_by=offer.offered_by,
                created_at=now,
                state=OfferState.QUEUED,
                mode=offer.mode,
                answer_hours=offer.answer_hours,
                **place,
            )
        elif theirs.state == OfferState.QUEUED:
            Offer.objects.filter(pk=theirs.pk).update(
                round=offer.round, position=offer.position, suggested_by=actor
            )
            theirs.round, theirs.position, theirs.suggested_by = offer.round, offer.position, actor
        if offer.mode == OfferMode.PARALLEL and theirs.state == OfferState.QUEUED:
            _send(offer=theirs, request=request, now=now)
        moved = _move_on(request=request, actor=actor, now=now)
        _tell_router(
            request=request,
            closed=[offer],
            why="suggested",
            reason=note,
            colleague=colleague.display_name,
            moved=moved,
            event=event,
        )
    theirs.refresh_from_db()
    return theirs


def _close(*, offer: Offer, to_state: str, reason: str, now: datetime) -> None:
    """Answer a pending offer, once: a second click, or an answer after the deadline moved it on, is told."""
    if (
        Offer.objects.filter(pk=offer.pk, state=OfferState.PENDING).update(
            state=to_state, reason=reason, responded_at=now
        )
        != 1
    ):
        raise TransitionConflict(_("This opportunity is no longer open."))


@dataclass
class Moved:
    """What happened after an offer closed: sent to the next member, still waiting for others, or back
    to routing."""

    next_offer: Offer | None = None
    waiting: list[str] = field(default_factory=list)
    back_to_routing: bool = False


def _move_on(*, request: Request, actor: User | None, now: datetime) -> Moved:
    """After an offer closed (caller holds the request's row lock): the next member in the order gets
    it when nobody else holds it; nobody left, the request goes back to routing."""
    if request.state != State.OFFERED:
        return Moved()
    pending = list(
        Offer.objects.filter(request=request, state=OfferState.PENDING)
        .select_related("member")
        .order_by("round", "position", "id")
    )
    if pending:
        return Moved(waiting=[o.member.display_name for o in pending])
    queued = (
        Offer.objects.filter(request=request, state=OfferState.QUEUED)
        .select_related("member")
        .order_by("round", "position", "id")
    )
    for nxt in queued:
        if not nxt.member.is_active or nxt.member.role != Role.MEMBER:
            # Deactivated (or no longer a member) while waiting their turn: skipped, and said so.
            if Offer.objects.filter(pk=nxt.pk, state=OfferState.QUEUED).update(
                state=OfferState.WITHDRAWN, responded_at=now
            ):
                event_record(
                    request=request,
                    actor=None,
                    kind=EventKind.OFFER,
                    note=Note(
                        gettext_noop("%(name)s skipped: no longer an active circle member."),
                        name=nxt.member.display_name,
                    ),
                )
            continue
        if _send(offer=nxt, request=request, now=now):
            event_record(
                request=request,
                actor=actor,
                kind=EventKind.OFFER,
                note=Note(
                    gettext_noop("Now offered to %(name)s, next in line; answer by %(deadline)s."),
                    name=nxt.member.display_name,
                    deadline=Moment(nxt.deadline_at or now),
                ),
            )
            return Moved(next_offer=nxt)
    transition(
        request=request,
        actor=actor,
        to_state=State.APPROVED,
        expected_state=State.OFFERED,
        note=Note(gettext_noop("Nobody left to offer it to: back to routing.")),
    )
    return Moved(back_to_routing=True)


def _router_of(request: Request, offers: Sequence[Offer]) -> User | None:
    """Whoever routed the request hears how it goes; if they left, the hub's second, else the leader."""
    for offer in offers:
        who = offer.offered_by
        if who is not None and who.is_active and who.role in ROUTE_ROLES:
            return who
    last = (
        Offer.objects.filter(request=request, offered_by__is_active=True, offered_by__role__in=ROUTE_ROLES)
        .select_related("offered_by")
        .order_by("-created_at", "-id")
        .first()
    )
    if last is not None:
        return last.offered_by
    return users_with_role(Role.SECOND).first() or hub_leader()


def _tell_router(
    *,
    request: Request,
    closed: Sequence[Offer],
    why: str,
    moved: Moved,
    event: Event,
    key: str | None = None,
    reason: str = "",
    colleague: str = "",
) -> OutgoingMessage | None:
    """One mail to whoever routed the request (in their language, in this transaction): who declined or
    did not answer, and who holds it now. The event that records the decision shows the mail's fate."""
    router = _router_of(request, closed)
    if router is None or not router.email:
        return None
    next_offer = moved.next_offer
    mail = request_mail_queue(
        request=request,
        template="offer_moved_on",
        language=router.language,
        context={
            "router_name": router.display_name,
            "subject": request.subject,
            "who": ", ".join(o.member.display_name for o in closed),
            "why": why,
            # The sentence ends with the template's own full stop: "Pas disponible ce mois-ci." is said
            # without its own ("…ce mois-ci.." otherwise); "etc…" or "?" stay as written.
            "reason": reason[:-1] if reason.endswith(".") and not reason.endswith("..") else reason,
            "colleague": colleague,
            "next_name": next_offer.member.display_name if next_offer else "",
            "next_deadline": next_offer.deadline_at if next_offer else None,
            "waiting": ", ".join(moved.waiting),
            "back_to_routing": moved.back_to_routing,
            "url": settings.SITE_URL + reverse("circulation:detail", args=[request.pk]),
            "hub_name": settings.CERCLE["HUB_NAME"],
        },
        idempotency_key=key or f"offer-moved:{closed[0].pk}",
        to=[address(router.display_name, router.email)],
    )
    Event.objects.filter(pk=event.pk).update(outgoing=mail)
    return mail


# --- Offers that were not answered in time ---------------------------------------------------


def _lapsed() -> Q:
    return Q(member__is_active=False) | ~Q(member__role=Role.MEMBER)


def offers_expire(*, now: datetime | None = None) -> int:
    """Every pending offer whose deadline passed (or whose member is no longer an active member) closes,
    and the request moves on as after a decline. Requests left offered with nobody holding them (a
    member's account deleted) move on too. Run every minute by circle/tasks.py; safe to run twice at
    once or again after a crash: each offer closes once, under the request's row lock. Returns how
    many requests moved."""
    now = now or timezone.now()
    due = set(
        Offer.objects.filter(state=OfferState.PENDING)
        .filter(Q(deadline_at__lte=now) | _lapsed())
        .values_list("request_id", flat=True)
    )
    orphans = set(
        Request.objects.filter(state=State.OFFERED)
        .exclude(offers__state=OfferState.PENDING)
        .values_list("pk", flat=True)
    )
    return sum(_expire_request(request_id=pk, now=now) for pk in sorted(due | orphans))


def _expire_request(*, request_id: int, now: datetime) -> bool:
    with transaction.atomic():
        request = Request.objects.select_for_update().filter(pk=request_id).first()
        if request is None or request.state != State.OFFERED:
            return False
        lapsed = list(
            Offer.objects.filter(request=request, state=OfferState.PENDING)
            .filter(Q(deadline_at__lte=now) | _lapsed())
            .select_related("member", "offered_by")
            .order_by("round", "position", "id")
        )
        closed: list[Offer] = []
        for offer in lapsed:
            if Offer.objects.filter(pk=offer.pk, state=OfferState.PENDING).update(
                state=OfferState.EXPIRED, responded_at=now
            ):
                closed.append(offer)
        inactive = all(not o.member.is_active or o.member.role != Role.MEMBER for o in closed)
        if closed:
            note = Note(
                gettext_noop("No longer an active circle member: %(names)s. The offer moves on.")
                if inactive
                else gettext_noop("%(names)s did not answer in time."),
                names=", ".join(o.member.display_name for o in closed),
            )
            why = "inactive" if inactive else "expired"
        elif Offer.objects.filter(request=request, state=OfferState.PENDING).exists():
            return False  # another run moved it on already
        else:
            note = Note(gettext_noop("Nobody was holding this request any more: the offer moves on."))
            why = "gone"
        event = event_record(request=request, actor=None, kind=EventKind.OFFER, note=note)
        moved = _move_on(request=request, actor=None, now=now)
        _tell_router(
            request=request,
            closed=closed,
            why=why,
            moved=moved,
            event=event,
            key=f"offer-moved:{closed[0].pk}" if closed else f"offer-moved:gone:{request.pk}:{event.pk}",
        )
    return True
