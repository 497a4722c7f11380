"""The clocks: which requests are over their stage's limit, since when, and who holds them.

A stage's clock starts when the stage starts and stops when the request leaves it:

| stage | running while | started at | held by |
|---|---|---|---|
| triage | received | the state change | the second |
| leader | kept | the state change | the leader |
| later | deferred | the state change | the leader |
| routing | approved | the state change | the second |
| offer | offered | the latest offer sent and still waiting | the members it is offered to |
| first contact | accepted (project lead named), until the "call" step is ticked or the project kicks off | the state change | the project lead |
| first meeting | accepted or kicked off, until a first meeting is set in the project | the project lead's naming | the project lead |

The limits are the clocks' settings (`ClockSettings`, editable by the leader and the second). The
project's first steps and first meeting are read through the request's relations (`project__…`): the
projects app sits above this one and is never imported here.

Durations are absolute (aware datetimes, compared in UTC): 24 hours are 24 hours across a change of
daylight-saving time. Only the digest's hour of the day is a wall-clock time (circulation/digest.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import F, Max, Q, QuerySet
from django.db.models.functions import Coalesce

from cercle.accounts.models import Role, User
from cercle.circulation.models import ClockSettings, ClockStage, Request
from cercle.circulation.states import State

# The projects app's key of the "call the requester" first step (projects/models.py: DEFAULT_FIRST_STEPS).
CALL_STEP_KEY = "call"

_BY_STATE: dict[str, str] = {
    ClockStage.TRIAGE: State.RECEIVED,
    ClockStage.LEADER: State.KEPT,
    ClockStage.LATER: State.DEFERRED,
    ClockStage.ROUTING: State.APPROVED,
}


@dataclass(frozen=True)
class LateRequest:
    """A request over its stage's limit."""

    request: Request
    stage: str
    since: datetime
    limit: timedelta
    holders: tuple[User, ...]

    @property
    def key(self) -> tuple[int, str, datetime]:
        return (self.request.pk, self.stage, self.since)


def active_with_role(role: str) -> list[User]:
    return list(User.objects.filter(role=role, is_active=True).order_by("id"))


def seconds_or_leaders() -> list[User]:
    """Whoever does the second's work: the seconds, or the leader of a hub without one."""
    return active_with_role(Role.SECOND) or active_with_role(Role.LEADER)


def _started(stage: str) -> QuerySet[Request]:
    """The requests whose `stage` clock runs, annotated with `since` (when it started)."""
    base = Request.objects.select_related("requester", "lead")
    if stage in _BY_STATE:
        return base.filter(state=_BY_STATE[stage]).annotate(since=F("state_changed_at"))
    if stage == ClockStage.OFFER:
        # The offer waiting for an answer now: a new member offered later starts a new clock.
        pending = Q(offers__state="pending")
        return base.filter(state=State.OFFERED).annotate(
            since=Coalesce(
                Max("offers__sent_at", filter=pending),
                Max("offers__created_at", filter=pending),
                F("state_changed_at"),
            )
        )
    if stage == ClockStage.FIRST_CONTACT:
        called = Request.objects.filter(
            project__checklist__key=CALL_STEP_KEY, project__checklist__done_at__isnull=False
        ).values("pk")
        return base.filter(state=State.ACCEPTED).exclude(pk__in=called).annotate(since=F("state_changed_at"))
    if stage == ClockStage.FIRST_MEETING:
        return base.filter(
            state__in=[State.ACCEPTED, State.KICKED_OFF], project__first_meeting_at__isnull=True
        ).annotate(since=Coalesce(F("lead_at"), F("state_changed_at")))
    raise ValueError(stage)


def late_requests(*, now: datetime, cfg: ClockSettings | None = None) -> list[LateRequest]:
    """Every request over its stage's limit at `now`, oldest first within each stage; a request may
    be late at two stages at once (no first contact and no first meeting). A fixed number of queries."""
    cfg = cfg or ClockSettings.current()
    late: list[tuple[Request, str, datetime, timedelta]] = []
    for stage in ClockStage.values:
        hours = cfg.limit_hours(stage)
        if not hours:
            continue  # 0: no clock for this stage
        limit = timedelta(hours=hours)
        rows = _started(stage).filter(since__lt=now - limit).order_by("since", "id")  # type: ignore[misc]
        late.extend((r, stage, r.since, limit) for r in rows)  # type: ignore[attr-defined]
    if not late:
        return []

    seconds, leaders = seconds_or_leaders(), active_with_role(Role.LEADER)
    offered = {r.pk for r, stage, _s, _l in late if stage == ClockStage.OFFER}
    members: dict[int, list[User]] = {}
    if offered:
        pending = (
            Request.objects.filter(pk__in=offered, offers__state="pending")
            .values_list("pk", "offers__member_id")
            .order_by("pk", "offers__created_at")
        )
        pairs = list(pending)
        users = User.objects.in_bulk({uid for _pk, uid in pairs})
        for pk, uid in pairs:
            if uid in users and users[uid].is_active:
                members.setdefault(pk, []).append(users[uid])

    def holders(request: Request, stage: str) -> tuple[User, ...]:
        if stage in (ClockStage.TRIAGE, ClockStage.ROUTING):
            return tuple(seconds)
        if stage in (ClockStage.LEADER, ClockStage.LATER):
            return tuple(leaders)
        if stage == ClockStage.OFFER:
            return tuple(members.get(request.pk, ())) or tuple(seconds)
        # First contact and first meeting: the project lead.
        return (request.lead,) if request.lead and request.lead.is_active else tuple(seconds)

    return [
        LateRequest(request=r, stage=stage, since=since, limit=limit, holders=holders(r, stage))
        for r, stage, since, limit in late
    ]
