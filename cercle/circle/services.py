"""Routing to the first circle and the hand-off to a project lead."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from cercle.accounts.models import Role, User
from cercle.accounts.permissions import ROUTE_ROLES, NotAllowed, require_role
from cercle.accounts.selectors import hub_leader
from cercle.circle.brief import brief_parse, brief_propose, brief_render
from cercle.circle.models import Offer, OfferState
from cercle.circulation.errors import IllegalTransition, TransitionConflict
from cercle.circulation.mail import request_mail_queue
from cercle.circulation.models import EventKind, Request
from cercle.circulation.services import event_record, transition
from cercle.circulation.states import State
from cercle.core.notes import Note
from cercle.outbox.services import address
from cercle.projects.services import project_open


def request_route(
    *,
    actor: User,
    request: Request,
    members: Sequence[User],
    brief: str,
    expected_state: str | None = None,
) -> list[Offer]:
    """Offer an approved request to one or more circle members (or add members to an open offer)."""
    require_role(actor, ROUTE_ROLES)
    members = list({m.pk: m for m in members}.values())
    if not members:
        raise IllegalTransition(_("Pick at least one circle member."))
    if any(m.role != Role.MEMBER or not m.is_active for m in members):
        raise IllegalTransition(_("Requests can only be offered to active circle members."))
    with transaction.atomic():
        # The state the page saw may be stale: a member may have accepted meanwhile. Read it again under
        # the row lock that accepting takes too, so offers are never added to a request that has a lead.
        request.state = Request.objects.select_for_update().values_list("state", flat=True).get(pk=request.pk)
        names = ", ".join(m.display_name for m in members)
        if request.state == State.OFFERED and expected_state in (None, State.OFFERED):
            # Adding members to an open offer: not a state change, but audited all the same.
            already = set(request.offers.values_list("member_id", flat=True))
            members = [m for m in members if m.pk not in already]
            if not members:
                raise IllegalTransition(_("These members have already been offered this request."))
            names = ", ".join(m.display_name for m in members)
            event_record(
                request=request,
                actor=actor,
                kind=EventKind.OFFER,
                note=Note(gettext_noop("Also offered to %(names)s"), names=names),
            )
        else:
            transition(
                request=request,
                actor=actor,
                to_state=State.OFFERED,
                expected_state=expected_state,
                note=Note(gettext_noop("Offered to %(names)s"), names=names),
            )
        # The facts the second kept as proposed stay data, so that each member reads them in their language.
        parts = brief_parse(brief, proposed=brief_propose(request=request))
        offers = [
            Offer.objects.create(
                request=request,
                member=m,
                brief=brief.strip(),
                brief_parts=parts,
                offered_by=actor,
                created_at=timezone.now(),
            )
            for m in members
        ]
        for offer in offers:
            _notify_member(offer=offer, request=request)
    return offers


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
        },
        idempotency_key=f"offer:{offer.pk}",
        to=[address(member.display_name, member.email)],
    )


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
        others = Offer.objects.filter(request=request, state=OfferState.PENDING).exclude(pk=offer.pk)
        released = ", ".join(o.member.display_name for o in others.select_related("member").order_by("id"))
        if others.update(state=OfferState.WITHDRAWN, responded_at=now):
            event_record(
                request=request,
                actor=actor,
                kind=EventKind.OFFER,
                note=Note(gettext_noop("No longer offered to %(names)s."), names=released),
            )
        project_open(request=request, lead=actor)
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
    """The member says no, with a reason. When nobody is left, the request goes back to routing."""
    if offer.member_id != actor.pk:
        raise NotAllowed(_("This opportunity was not offered to you."))
    if not reason.strip():
        raise IllegalTransition(_("Say in a few words why you decline, so the second can route it better."))
    now = timezone.now()
    with transaction.atomic():
        request = Request.objects.select_for_update().get(pk=offer.request_id)
        if (
            Offer.objects.filter(pk=offer.pk, state=OfferState.PENDING).update(
                state=OfferState.DECLINED, reason=reason.strip(), responded_at=now
            )
            != 1
        ):
            raise TransitionConflict(_("This opportunity is no longer open."))
        event_record(
            request=request,
            actor=actor,
            kind=EventKind.OFFER,
            note=Note(
                gettext_noop("%(name)s declined: %(reason)s"), name=actor.display_name, reason=reason.strip()
            ),
        )
        still_open = Offer.objects.filter(request=request, state=OfferState.PENDING).exists()
        if not still_open and request.state == State.OFFERED:
            transition(
                request=request,
                actor=actor,
                to_state=State.APPROVED,
                expected_state=State.OFFERED,
                note=Note(gettext_noop("Every member declined: back to routing.")),
            )
    offer.state = OfferState.DECLINED
    return offer
