"""Reads for pages and the API. Every list has a fixed number of queries, whatever the row count."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import getaddresses
from typing import Any

from django.conf import settings
from django.db.models import Count, Min, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from cercle.accounts.models import User
from cercle.accounts.permissions import OVERSEE_ROLES, may
from cercle.circulation.models import Event, Message, Request, stage_limits_hours
from cercle.circulation.states import OPEN_STATES, STAGE_OWNER, State
from cercle.network.services import normalize_email
from cercle.outbox.models import OutgoingMessage


def requests_visible_to(user: User) -> QuerySet[Request]:
    """The one place that says which requests a user may see."""
    if not user.is_authenticated:
        return Request.objects.none()
    if user.role in OVERSEE_ROLES or user.is_superuser:
        return Request.objects.all()
    # A member sees what is offered to them now, what they lead and the projects they are in; an offer
    # they declined, or that was withdrawn when someone else took the lead, no longer opens the request
    # (nor that colleague's project).
    live_offer = Q(offers__member=user, offers__state__in=("pending", "accepted"))
    return Request.objects.filter(live_offer | Q(lead=user) | Q(project__team=user)).distinct()


def request_get_for_user(*, user: User, request_id: int) -> Request:
    """Fetch-and-authorize: a request the user may not see does not exist for them (404)."""
    request = requests_visible_to(user).select_related("requester", "lead").filter(pk=request_id).first()
    if request is None:
        raise Http404(_("No such request."))
    return request


def message_for_user(*, user: User, request_id: int, message_id: int) -> Message:
    """One message of a request, through the request's fetch-and-authorize (404 otherwise)."""
    request = request_get_for_user(user=user, request_id=request_id)
    message = request.messages.filter(pk=message_id).first()
    if message is None:
        raise Http404(_("No such message."))
    return message


def message_attachment_for_user(
    *, user: User, request_id: int, message_id: int, index: int
) -> tuple[Request, dict[str, Any]]:
    """One entry of a message's `attachments`, through the request's fetch-and-authorize: a request
    the user may not see, a message of another request or an index past the list is a 404."""
    request = request_get_for_user(user=user, request_id=request_id)
    entries = request.messages.filter(pk=message_id).values_list("attachments", flat=True).first()
    if not isinstance(entries, list) or not 0 <= index < len(entries) or not isinstance(entries[index], dict):
        raise Http404(_("No such attachment."))
    return request, entries[index]


def validation_queue(*, limit: int = 25) -> QuerySet[Request]:
    return (
        Request.objects.filter(state__in=[State.KEPT, State.DEFERRED])
        .select_related("requester", "triage_brief")
        # Fresh decisions first ("kept" sorts after "deferred"), oldest first within each.
        .order_by("-state", "state_changed_at", "id")[:limit]
    )


def routing_queue(*, limit: int = 50) -> QuerySet[Request]:
    return (
        Request.objects.filter(state=State.APPROVED)
        .select_related("requester")
        .order_by("state_changed_at", "id")[:limit]
    )


def offered_queue(*, limit: int = 50) -> QuerySet[Request]:
    """Requests offered to the circle and still without a project lead, the longest waiting first."""
    return (
        Request.objects.filter(state=State.OFFERED)
        .select_related("requester")
        .annotate(
            pending=Count("offers", filter=Q(offers__state="pending")),
            declined=Count("offers", filter=Q(offers__state="declined")),
        )
        .order_by("state_changed_at", "id")[:limit]
    )


def count_in_state(*states: str) -> int:
    return Request.objects.filter(state__in=states).count()


def stage_limit(state: str) -> timedelta | None:
    hours = stage_limits_hours().get(state)
    return timedelta(hours=hours) if hours else None


@dataclass(frozen=True)
class StageRow:
    state: str
    label: str
    owner: str
    count: int
    oldest: datetime | None
    overdue: int
    limit_hours: int | None

    @property
    def oldest_wait(self) -> timedelta | None:
        return timezone.now() - self.oldest if self.oldest else None


@dataclass(frozen=True)
class Dashboard:
    stages: list[StageRow]
    closed_counts: dict[str, int]
    serious: int
    answered_in_time: int
    answer_rate: float | None
    median_lead_delay: timedelta | None
    leads_named: int
    overdue_requests: list[Request]
    window_days: int
    answer_target_hours: int


def dashboard(*, window_days: int = 90, now: datetime | None = None) -> Dashboard:
    now = now or timezone.now()
    # The limits set on the clocks' page (circulation/clocks.py), the environment's until someone does.
    limits = stage_limits_hours()
    overdue_q: dict[str, Any] = {}
    overdue_filter = Q(pk__in=[])
    for state in OPEN_STATES:
        hours = limits.get(state)
        if hours:
            cond = Q(state=state, state_changed_at__lt=now - timedelta(hours=hours))
            overdue_q[f"overdue_{state}"] = Count("id", filter=cond)
            overdue_filter |= cond
    per_state = {
        row["state"]: row
        for row in Request.objects.values("state").annotate(n=Count("id"), oldest=Min("state_changed_at"))
    }
    # Only open stages can be late: the filter lets the database read the (state, state_changed_at) index.
    overdue = (
        Request.objects.filter(state__in=[k.removeprefix("overdue_") for k in overdue_q]).aggregate(
            **overdue_q
        )
        if overdue_q
        else {}
    )
    stages = [
        StageRow(
            state=state,
            label=str(State(state).label),
            owner=str(STAGE_OWNER.get(state, "")),
            count=per_state.get(state, {}).get("n", 0),
            oldest=per_state.get(state, {}).get("oldest"),
            overdue=overdue.get(f"overdue_{state}") or 0,
            limit_hours=limits.get(state),
        )
        for state in OPEN_STATES
    ]
    closed_counts: dict[str, int] = {
        str(state): per_state.get(state, {}).get("n", 0)
        for state in (State.DISMISSED, State.DECLINED, State.CLOSED)
    }

    # The metric that matters: serious requests (kept by the second) answered within the target.
    since = now - timedelta(days=window_days)
    target = timedelta(hours=settings.CERCLE["ANSWER_TARGET_HOURS"])
    serious = Request.objects.filter(kept_at__isnull=False, received_at__gte=since)
    agg = serious.aggregate(
        # Only requests whose window has elapsed (or that were answered) count in the denominator.
        due=Count("id", filter=Q(received_at__lte=now - target) | Q(answered_at__isnull=False)),
        in_time=Count("id", filter=Q(answer_delay_s__lte=int(target.total_seconds()))),
    )
    due, in_time = agg["due"] or 0, agg["in_time"] or 0

    with_lead = Request.objects.filter(lead_delay_s__isnull=False, received_at__gte=since)
    leads = with_lead.count()
    median = None
    if leads:
        middle = with_lead.order_by("lead_delay_s").values_list("lead_delay_s", flat=True)[leads // 2]
        median = timedelta(seconds=middle or 0)

    overdue_requests = list(
        Request.objects.filter(overdue_filter).select_related("requester").order_by("state_changed_at")[:10]
    )
    return Dashboard(
        stages=stages,
        closed_counts=closed_counts,
        serious=due,
        answered_in_time=in_time,
        answer_rate=(in_time / due) if due else None,
        median_lead_delay=median,
        leads_named=leads,
        overdue_requests=overdue_requests,
        window_days=window_days,
        answer_target_hours=settings.CERCLE["ANSWER_TARGET_HOURS"],
    )


# What a member reads of another member's answer to an offer: that they declined, not why (a decline
# reason is written for the second, about the request and sometimes about colleagues).
_DECLINE_MSGIDS = {
    "%(name)s declined: %(reason)s",
    "%(name)s declined and suggested %(colleague)s: %(reason)s",  # circle: "suggest someone else"
}


def history_for_user(*, request: Request, user: User) -> list[Event]:
    """The request's history as this user may read it: whoever routes sees everything; a member does
    not see other members' decline reasons."""
    events = list(request.events.select_related("actor", "outgoing").order_by("at", "id"))
    if may(user, "route"):
        return events
    return [
        e
        for e in events
        if not (e.note_source and e.note_source.get("msgid") in _DECLINE_MSGIDS and e.actor_id != user.pk)
    ]


def original_visible_to(*, request: Request, user: User) -> bool:
    """The original .eml (every header, every address): the people who oversee the circulation, and the
    member once they lead the project — not a member who was only offered it."""
    return may(user, "route") or may(user, "oversee") or request.lead_id == user.pk


def requester_page_visible_to(*, request: Request, user: User) -> bool:
    """Whether the requester's page in the network opens for this user, as the network's own rule says
    (people/selectors.contacts_visible_to): the whole network for the leader and the second; for a
    member, the requesters of the projects they lead or work in."""
    if may(user, "network_all"):
        return True
    if not may(user, "network"):
        return False
    return (
        Request.objects.filter(pk=request.pk).filter(Q(project__lead=user) | Q(project__team=user)).exists()
    )


def mail_sent_for_user(*, request: Request, user: User, limit: int = 50) -> list[OutgoingMessage]:
    """The mail Cercle wrote about the request (receipt, acknowledgement, offers, introduction, what the
    second wrote), as this user may read it: whoever routes or oversees sees all of it; a member sees
    what went to the requester and what was written to them, not the offers made to colleagues."""
    mails = list(OutgoingMessage.objects.filter(request=request).order_by("created_at", "id")[:limit])
    if may(user, "route") or may(user, "oversee"):
        return mails
    readers = {normalize_email(e) for e in (request.requester.email, user.email) if e}
    return [m for m in mails if readers & {normalize_email(a) for _name, a in getaddresses([*m.to, *m.cc])}]


# --- Requests at risk of breaking the hub's promise ------------------------------------------------


@dataclass(frozen=True)
class AtRisk:
    """A validated request without a project lead whose offers, if nobody answers before their deadlines,
    would leave the requester waiting longer than the hub's promise (settings ANSWER_TARGET_HOURS)."""

    request: Request
    holders: list[str]  # who holds the offer now; empty: nobody, it waits to be routed
    offer_deadline: datetime | None  # the current offer's deadline (the latest, several at once)
    waiting: int  # members still waiting their turn (one at a time)
    promise_at: datetime  # approval + the promise
    worst_at: datetime  # when the last answer could come, every deadline used
    now: datetime

    @property
    def offer_left(self) -> timedelta | None:
        return max(self.offer_deadline - self.now, timedelta(0)) if self.offer_deadline else None

    @property
    def promise_left(self) -> timedelta:
        return max(self.promise_at - self.now, timedelta(0))

    @property
    def promise_broken(self) -> bool:
        return self.now >= self.promise_at

    @property
    def late_by(self) -> timedelta:
        """How far past the promise the worst case lands."""
        return self.worst_at - self.promise_at


def requests_at_risk(*, now: datetime | None = None, limit: int = 20, scan: int = 500) -> list[AtRisk]:
    """Approved or offered requests without a project lead where the time since approval plus the offer
    deadlines still to run (the current one, then each member waiting their turn) passes the promise;
    a request waiting to be routed counts one offer at the usual answer time. Most urgent first; three
    queries whatever the number of rows (the offers are read through the relation circle/ owns)."""
    # In UTC: added to a zone-aware time, a timedelta moves its wall clock (23 h across a DST night).
    now = (now or timezone.now()).astimezone(UTC)
    promise = timedelta(hours=settings.CERCLE["ANSWER_TARGET_HOURS"])
    usual = timedelta(hours=int(settings.CERCLE.get("OFFER_ANSWER_HOURS", 24)))
    # The first approval starts the promise's clock (a request back to routing keeps its first one).
    approved_at = Event.objects.filter(
        request=OuterRef("pk"), to_state=State.APPROVED, from_state__in=[State.KEPT, State.DEFERRED]
    ).order_by("at", "id")
    rows = (
        Request.objects.filter(state__in=[State.APPROVED, State.OFFERED], lead__isnull=True)
        .annotate(approved_at=Subquery(approved_at.values("at")[:1]))
        .select_related("requester")
        .prefetch_related("offers__member")
        .order_by("state_changed_at", "id")[:scan]
    )
    found: list[AtRisk] = []
    for r in rows:
        start = r.approved_at or r.state_changed_at  # type: ignore[attr-defined]
        live = sorted(
            (o for o in r.offers.all() if o.state in ("pending", "queued")),
            key=lambda o: (o.round, o.position, o.pk),
        )
        pending = [o for o in live if o.state == "pending"]
        queued = [o for o in live if o.state == "queued"]
        deadline = max((o.deadline_at for o in pending if o.deadline_at), default=None)
        if r.state == State.OFFERED:
            worst = max(deadline or now, now) + sum(
                (timedelta(hours=o.answer_hours) for o in queued), timedelta(0)
            )
        else:
            worst = now + usual
        if worst <= start + promise:
            continue
        found.append(
            AtRisk(
                request=r,
                holders=[o.member.display_name for o in pending],
                offer_deadline=deadline,
                waiting=len(queued),
                promise_at=start + promise,
                worst_at=worst,
                now=now,
            )
        )
    found.sort(key=lambda a: (a.promise_at, -a.late_by.total_seconds(), a.request.pk))
    return found[:limit]
