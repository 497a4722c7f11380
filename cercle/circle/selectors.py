from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import formats
from django.utils.translation import gettext as _

from cercle.accounts.models import Role, User
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
        .select_related("request", "request__requester", "offered_by")
        .order_by("created_at", "id")[:limit]
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
        .exclude(state=OfferState.PENDING)
        .select_related("request")
        .order_by("-responded_at", "-id")[:limit]
    )


SUMMARY_MAX_CHARS = 1500  # the raw summary, when there is no brief
NEED_MAX_CHARS = 3000  # the form takes 4,000 characters: the facts under the need always fit


def route_brief_initial(*, request: Request) -> str:
    """What the routing form proposes as the members' brief: the triage brief the second checked (and
    edited, if they did) — what they need, then who, when, budget and language — else the raw summary;
    with the leader's note on approval, when they wrote one."""
    leader_note = (
        _line(_("The leader's note"), " ".join(request.decision_note.split()))
        if request.decision_note.strip()
        else ""
    )
    try:
        brief = request.triage_brief
    except ObjectDoesNotExist:
        summary = request.summary[:SUMMARY_MAX_CHARS]
        return f"{summary}\n\n{leader_note}".strip() if leader_note else summary
    need = (brief.need.strip() or request.summary.strip()[:SUMMARY_MAX_CHARS])[:NEED_MAX_CHARS]
    lines = [need, "", _line(_("Who"), brief.who(fallback=request.requester.display_name))]
    # Written out ("15 March 2027"): a member reading another language's short date would misread it.
    deadline = formats.date_format(brief.deadline, "DATE_FORMAT") if brief.deadline else ""
    when = " · ".join(part for part in (deadline, brief.urgency) if part)
    if when:
        lines.append(_line(_("When"), when))
    if brief.budget:
        lines.append(_line(_("Budget"), brief.budget))
    lines.append(_line(_("Language"), str(brief.get_language_display())))
    if leader_note:
        lines.append(leader_note)
    return "\n".join(lines).strip()


def _line(label: str, value: str) -> str:
    return _("%(label)s: %(value)s") % {"label": label, "value": value}
