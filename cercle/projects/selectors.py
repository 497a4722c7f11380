from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from cercle.accounts.models import User
from cercle.circulation.models import Request
from cercle.circulation.selectors import request_get_for_user
from cercle.circulation.states import Outcome, State
from cercle.projects.models import Project


def project_get_for_user(*, user: User, request_id: int) -> Project:
    """Fetch-and-authorize through the request: whoever may see the request may see its project."""
    request = request_get_for_user(user=user, request_id=request_id)
    project = (
        Project.objects.select_related("lead", "request", "request__requester")
        .prefetch_related("team", "checklist")
        .filter(request=request)
        .first()
    )
    if project is None:
        raise Http404(_("This request has no project yet."))
    return project


# --- The projects page: what the leader and the second see of every project ------------------------

OUTCOME_FILTERS = ("open", Outcome.WON, Outcome.LOST, Outcome.NO_GO)
PERIODS = ("month", "quarter", "year", "last_year", "all")
IN_PROGRESS = (State.ACCEPTED, State.KICKED_OFF)


@dataclass(frozen=True)
class ProjectRow:
    project: Project
    request: Request
    time_to_lead: timedelta | None

    @property
    def in_progress(self) -> bool:
        return self.request.state in IN_PROGRESS


@dataclass(frozen=True)
class ProjectsOverview:
    rows: list[ProjectRow]
    truncated: bool
    in_progress: int
    won: int
    lost: int
    abandoned: int
    won_value: Decimal
    lost_value: Decimal
    win_rate: float | None  # won among the projects closed in the period
    median_time_to_lead: timedelta | None


def period_bounds(period: str, *, now: datetime | None = None) -> tuple[datetime | None, datetime | None]:
    """[start, end) of a period in the hub's time zone; (None, None) for all time."""
    today = timezone.localtime(now or timezone.now()).date()
    tz = timezone.get_current_timezone()

    def at(day: date) -> datetime:
        return datetime.combine(day, time.min, tzinfo=tz)

    if period == "month":
        start = today.replace(day=1)
        return at(start), None
    if period == "quarter":
        start = today.replace(month=3 * ((today.month - 1) // 3) + 1, day=1)
        return at(start), None
    if period == "year":
        return at(today.replace(month=1, day=1)), None
    if period == "last_year":
        return at(date(today.year - 1, 1, 1)), at(date(today.year, 1, 1))
    return None, None


def _between(field: str, start: datetime | None, end: datetime | None) -> Q:
    q = Q()
    if start is not None:
        q &= Q(**{f"{field}__gte": start})
    if end is not None:
        q &= Q(**{f"{field}__lt": end})
    return q


def projects_overview(
    *, outcome: str = "", period: str = "all", now: datetime | None = None, limit: int = 300
) -> ProjectsOverview:
    """Every project (a request that got a project lead), in progress or closed, for the projects page.

    The period is when the project was closed, for a closed one, and when it got its project lead, for one
    in progress. The totals count every outcome of the period; the rows, only the chosen outcome.
    """
    start, end = period_bounds(period, now=now)
    open_q = Q(request__state__in=IN_PROGRESS)
    closed_q = Q(request__state=State.CLOSED)
    in_period = (open_q & _between("request__lead_at", start, end)) | (
        closed_q & _between("request__closed_at", start, end)
    )
    base = Project.objects.filter(in_period)
    totals = base.aggregate(
        in_progress=Count("id", filter=open_q),
        won=Count("id", filter=closed_q & Q(request__outcome=Outcome.WON)),
        lost=Count("id", filter=closed_q & Q(request__outcome=Outcome.LOST)),
        abandoned=Count("id", filter=closed_q & Q(request__outcome=Outcome.NO_GO)),
        won_value=Sum("request__outcome_value", filter=closed_q & Q(request__outcome=Outcome.WON)),
        lost_value=Sum("request__outcome_value", filter=closed_q & Q(request__outcome=Outcome.LOST)),
    )
    delays = base.filter(request__lead_delay_s__isnull=False).order_by("request__lead_delay_s")
    named = delays.count()
    median = None
    if named:
        middle = delays.values_list("request__lead_delay_s", flat=True)[named // 2]
        median = timedelta(seconds=middle or 0)

    shown = base
    if outcome == "open":
        shown = shown.filter(open_q)
    elif outcome in Outcome.values:
        shown = shown.filter(closed_q, request__outcome=outcome)
    projects = list(
        shown.select_related("request", "request__requester", "lead").order_by(
            F("request__closed_at").desc(nulls_first=True), F("request__lead_at").desc(nulls_last=True), "-id"
        )[: limit + 1]
    )
    rows = [
        ProjectRow(
            project=p,
            request=p.request,
            time_to_lead=timedelta(seconds=p.request.lead_delay_s)
            if p.request.lead_delay_s is not None
            else None,
        )
        for p in projects[:limit]
    ]
    decided = totals["won"] + totals["lost"] + totals["abandoned"]
    return ProjectsOverview(
        rows=rows,
        truncated=len(projects) > limit,
        in_progress=totals["in_progress"],
        won=totals["won"],
        lost=totals["lost"],
        abandoned=totals["abandoned"],
        won_value=totals["won_value"] or Decimal(0),
        lost_value=totals["lost_value"] or Decimal(0),
        win_rate=(totals["won"] / decided) if decided else None,
        median_time_to_lead=median,
    )
