from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from cercle.accounts.models import Role, User
from cercle.circle.brief import brief_propose, brief_render
from cercle.circle.models import Offer, OfferState
from cercle.circulation.models import Request
from cercle.circulation.states import State


def _count(qs: QuerySet) -> Coalesce:  # type: ignore[type-arg]
    return Coalesce(
        Subquery(qs.values("n")[:1], output_field=IntegerField()), Value(0), output_field=IntegerField()
    )


def members_with_load() -> QuerySet[User]:
    """Active circle members with their skills and current load (pending offers, projects led)."""
    pending = (
        Offer.objects.filter(member=OuterRef("pk"), state=OfferState.PENDING)
        .order_by()
        .values("member")
        .annotate(n=Count("id"))
    )
    leading = (
        Request.objects.filter(lead=OuterRef("pk"), state__in=[State.ACCEPTED, State.KICKED_OFF])
        .order_by()
        .values("lead")
        .annotate(n=Count("id"))
    )
    return (
        User.objects.filter(role=Role.MEMBER, is_active=True)
        .select_related("profile")
        .annotate(pending_offers=_count(pending), active_projects=_count(leading))
        .order_by("active_projects", "first_name", "username")
    )


def offers_for_member(*, user: User, limit: int = 50) -> QuerySet[Offer]:
    return (
        Offer.objects.filter(member=user, state=OfferState.PENDING)
        .select_related("request", "request__requester", "offered_by", "suggested_by")
        # The one to answer first at the top.
        .order_by("deadline_at", "sent_at", "id")[:limit]
    )


def projects_for_member(*, user: User, limit: int = 50) -> QuerySet[Request]:
    return (
        Request.objects.filter(lead=user, state__in=[State.ACCEPTED, State.KICKED_OFF, State.CLOSED])
        .select_related("requester")
        .order_by("-lead_at", "-id")[:limit]
    )


def past_offers_for_member(*, user: User, limit: int = 20) -> QuerySet[Offer]:
    return (
        Offer.objects.filter(member=user)
        # Not the one to answer now, nor one still waiting its turn (not theirs to see yet).
        .exclude(state__in=[OfferState.PENDING, OfferState.QUEUED])
        .select_related("request")
        .order_by("-responded_at", "-id")[:limit]
    )


def route_brief_initial(*, request: Request) -> str:
    """What the routing form proposes as the members' brief, in the second's language (circle/brief.py)."""
    return brief_render(brief_propose(request=request))


def colleagues_of(*, user: User) -> QuerySet[User]:
    """The circle members a member may suggest instead of themself ("suggest someone else")."""
    return (
        User.objects.filter(role=Role.MEMBER, is_active=True)
        .exclude(pk=user.pk)
        .order_by("first_name", "last_name", "username")
    )
