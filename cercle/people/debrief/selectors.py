"""The debrief: what did the network bring this month (or this quarter)?

Every figure is counted in the database, grouped by period (`TruncMonth` / `TruncQuarter` in the
hub's time zone, `settings.TIME_ZONE`: a mail at 00:30 on 1 March in Paris belongs to March), one query
per figure for the whole range of periods shown, whatever the number of rows or of periods.

What each figure counts (the page's help says the same):

- **new contacts**: people of the network whose first exchange (`Contact.first_at`) falls in the period;
- **reactivated contacts**: people with an exchange in the period whose previous exchange was more than
  `REACTIVATED_AFTER_DAYS` days before it (someone whose very first exchange it is, is new, not
  reactivated);
- **introductions made**: introductions in which the hub introduced two people (`match` kind), and
  **introductions received**: introductions of the hub to someone (`ask` kind), each counted once it
  happened (state "introduced"), in the period of its "introduction mail sent" step (else when it closed);
- **leads** by kind (client, supplier, job, other) and **partnerships** (kind "partnership"): requests
  received in the period, not dismissed, by their kind of lead: the one a person set on the request
  page, else the guess from its words (circulation/leads.py); a request whose kind is neither said nor
  guessed is in "requests received" only;
- **requests received**: requests received in the period, not dismissed by the first filter;
- **requests through the network**: among those, the ones whose requester was already in touch with the
  hub (an exchange at least `THROUGH_NETWORK_MARGIN` before the request arrived, so that the request's
  own message does not count) or had been introduced by an introduction that happened before it;
- **meetings**: meetings and calls recorded with people in the period, plus the projects' first
  meetings in the period;
- **projects won** and their **value**: requests closed as won in the period, and the sum of their values.

"People of the network" are contacts in the network, not merged into another record, not spam and not
one of the hub's own addresses.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce, TruncMonth, TruncQuarter
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cercle.circulation.leads import lead_kind_effective
from cercle.circulation.models import LeadKind, Request
from cercle.circulation.states import Outcome, State
from cercle.network.models import Contact, Interaction, InteractionKind
from cercle.people.models import (
    Introduction,
    IntroductionEvent,
    IntroductionEventKind,
    IntroductionKind,
    IntroductionState,
)
from cercle.projects.models import Project

MONTH = "month"
QUARTER = "quarter"
PERIOD_KINDS = (MONTH, QUARTER)
# How many periods the charts and the CSV export show, ending with the chosen one.
HISTORY = {MONTH: 12, QUARTER: 8}

# An exchange after this long a silence brings a person back: a reactivated contact.
REACTIVATED_AFTER_DAYS = 180
# A requester is "through the network" when they were in touch at least this long before the request
# (the request's own message, and the exchanges of the same day, do not make them part of it).
THROUGH_NETWORK_MARGIN = timedelta(days=1)

MEETING_KINDS = (InteractionKind.MEETING, InteractionKind.CALL)


def hub_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


@dataclass(frozen=True)
class Period:
    """A calendar month or quarter in the hub's time zone: [start, end)."""

    kind: str
    year: int
    month: int  # the first month of a quarter

    @classmethod
    def containing(cls, kind: str, day: date) -> Period:
        month = day.month if kind == MONTH else 3 * ((day.month - 1) // 3) + 1
        return cls(kind, day.year, month)

    @property
    def key(self) -> tuple[int, int]:
        return (self.year, self.month)

    @property
    def months(self) -> int:
        return 1 if self.kind == MONTH else 3

    def shifted(self, steps: int) -> Period:
        index = self.year * 12 + (self.month - 1) + steps * self.months
        return Period(self.kind, index // 12, index % 12 + 1)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return self.shifted(1).first_day - timedelta(days=1)

    @property
    def start(self) -> datetime:
        """Midnight on the first day, in the hub's time zone (an aware datetime)."""
        return datetime(self.year, self.month, 1, tzinfo=hub_zone())

    @property
    def end(self) -> datetime:
        return self.shifted(1).start

    @property
    def quarter(self) -> int:
        return (self.month - 1) // 3 + 1

    @property
    def code(self) -> str:
        """As in the page's address (`?at=2026-03`) and the CSV export: the first month, or 2026-Q1."""
        return f"{self.year}-{self.month:02d}" if self.kind == MONTH else f"{self.year}-Q{self.quarter}"

    @property
    def at_param(self) -> str:
        return f"{self.year}-{self.month:02d}"


def current_period(kind: str, now: datetime | None = None) -> Period:
    return Period.containing(kind, timezone.localtime(now or timezone.now(), hub_zone()).date())


def period_parse(kind: str, at: str | None, now: datetime | None = None) -> Period:
    """The period named by `?at=YYYY-MM` (any month of a quarter picks the quarter); else the current one."""
    if kind not in PERIOD_KINDS:
        kind = MONTH
    try:
        year, month = (int(part) for part in (at or "").split("-"))
        return Period.containing(kind, date(year, month, 1))
    except (ValueError, TypeError):
        return current_period(kind, now)


@dataclass
class Figures:
    """What the network brought in one period. Field order is the order of the page, the CSV and the charts."""

    period: Period
    new_contacts: int = 0
    reactivated_contacts: int = 0
    introductions_made: int = 0
    introductions_received: int = 0
    partnerships: int = 0
    meetings: int = 0
    leads_client: int = 0
    leads_supplier: int = 0
    leads_job: int = 0
    leads_other: int = 0
    requests: int = 0
    requests_through_network: int = 0
    projects_won: int = 0
    won_value: Decimal = field(default_factory=lambda: Decimal("0"))

    def values(self) -> dict[str, int | Decimal]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "period"}


# Each figure's stable key (the CSV header) and its label; the charts show the ones in CHARTED.
FIGURES: tuple[tuple[str, Any], ...] = (
    ("new_contacts", _("New contacts")),
    ("reactivated_contacts", _("Reactivated contacts")),
    ("introductions_made", _("Introductions made")),
    ("introductions_received", _("Introductions received")),
    ("partnerships", _("Partnerships")),
    ("meetings", _("Meetings")),
    ("leads_client", _("Client leads")),
    ("leads_supplier", _("Supplier leads")),
    ("leads_job", _("Job leads")),
    ("leads_other", _("Other leads")),
    ("requests", _("Requests received")),
    ("requests_through_network", _("Requests through the network")),
    ("projects_won", _("Projects won")),
    ("won_value", _("Value of the projects won")),
)
CHARTED = (
    "new_contacts",
    "reactivated_contacts",
    "introductions_made",
    "introductions_received",
    "meetings",
    "requests_through_network",
    "projects_won",
    "won_value",
)

_LEAD_FIELDS = {
    LeadKind.CLIENT: "leads_client",
    LeadKind.SUPPLIER: "leads_supplier",
    LeadKind.JOB: "leads_job",
    LeadKind.OTHER: "leads_other",
    LeadKind.PARTNERSHIP: "partnerships",
}


def people() -> QuerySet[Contact]:
    """The people of the network (the contacts every figure about people counts)."""
    return Contact.objects.filter(in_network=True, merged_into__isnull=True, spam=False, hub_own=False)


def _trunc(kind: str, expression: Any) -> Any:
    trunc = TruncMonth if kind == MONTH else TruncQuarter
    return trunc(expression, tzinfo=hub_zone(), output_field=DateTimeField())


def _key(value: datetime | date) -> tuple[int, int]:
    return (value.year, value.month)


def _counts(
    queryset: QuerySet[Any], kind: str, field_name: str, *, group: str | None = None, **aggregates: Any
) -> list[dict[str, Any]]:
    """One query: `queryset` grouped by the period of `field_name` (and `group`), with `aggregates`."""
    rows = queryset.annotate(debrief_period=_trunc(kind, field_name))
    names = ["debrief_period", *([group] if group else [])]
    return list(rows.values(*names).annotate(**aggregates).order_by())


def introduced_at() -> Coalesce:
    """When an introduction happened: its "introduction mail sent" step, else when it closed."""
    sent = (
        IntroductionEvent.objects.filter(introduction=OuterRef("pk"), kind=IntroductionEventKind.INTRODUCED)
        .order_by("at")
        .values("at")[:1]
    )
    return Coalesce(Subquery(sent, output_field=DateTimeField()), "closed_at", output_field=DateTimeField())


def through_network() -> Q:
    """A request whose requester was in touch before it arrived, or had been introduced before it."""
    earlier = Interaction.objects.filter(
        contact=OuterRef("requester"), at__lt=OuterRef("received_at") - THROUGH_NETWORK_MARGIN
    )
    introduced = (
        Introduction.objects.filter(state=IntroductionState.INTRODUCED)
        .filter(Q(target=OuterRef("requester")) | Q(connector=OuterRef("requester")))
        .annotate(happened=introduced_at())
        .filter(happened__lt=OuterRef("received_at"))
    )
    return Q(Exists(earlier)) | Q(Exists(introduced))


def debrief(periods: Iterable[Period]) -> list[Figures]:
    """The figures of consecutive `periods` of one kind, oldest first: a fixed number of queries."""
    periods = list(periods)
    if not periods:
        return []
    kind = periods[0].kind
    start, end = periods[0].start, periods[-1].end
    by_key = {p.key: Figures(period=p) for p in periods}

    def add(rows: list[dict[str, Any]], name: str, value: str = "n") -> None:
        for row in rows:
            figures = by_key.get(_key(row["debrief_period"]))
            if figures is not None and row[value] is not None:
                setattr(figures, name, getattr(figures, name) + row[value])

    add(
        _counts(people().filter(first_at__gte=start, first_at__lt=end), kind, "first_at", n=Count("pk")),
        "new_contacts",
    )

    gap = timedelta(days=REACTIVATED_AFTER_DAYS)
    came_back = Interaction.objects.filter(at__gte=start, at__lt=end, contact__in=people()).filter(
        # There was an exchange before, and none in the `gap` before this one.
        Exists(Interaction.objects.filter(contact=OuterRef("contact"), at__lt=OuterRef("at") - gap)),
        ~Exists(
            Interaction.objects.filter(
                contact=OuterRef("contact"), at__lt=OuterRef("at"), at__gte=OuterRef("at") - gap
            )
        ),
    )
    add(_counts(came_back, kind, "at", n=Count("contact", distinct=True)), "reactivated_contacts")

    introductions = (
        Introduction.objects.filter(state=IntroductionState.INTRODUCED)
        .annotate(happened=introduced_at())
        .filter(happened__gte=start, happened__lt=end)
    )
    for row in _counts(introductions, kind, "happened", group="kind", n=Count("pk")):
        name = "introductions_made" if row["kind"] == IntroductionKind.MATCH else "introductions_received"
        add([row], name)

    received = Request.objects.filter(received_at__gte=start, received_at__lt=end).exclude(
        state=State.DISMISSED
    )
    for row in _counts(
        received.annotate(debrief_lead=lead_kind_effective()),
        kind,
        "received_at",
        group="debrief_lead",
        n=Count("pk"),
    ):
        if row["debrief_lead"] in _LEAD_FIELDS:
            add([row], _LEAD_FIELDS[row["debrief_lead"]])
    add(_counts(received, kind, "received_at", n=Count("pk")), "requests")
    add(
        _counts(received.filter(through_network()), kind, "received_at", n=Count("pk")),
        "requests_through_network",
    )

    meetings = Interaction.objects.filter(
        at__gte=start, at__lt=end, kind__in=MEETING_KINDS, contact__spam=False, contact__hub_own=False
    )
    add(_counts(meetings, kind, "at", n=Count("pk")), "meetings")
    first_meetings = Project.objects.filter(first_meeting_at__gte=start, first_meeting_at__lt=end)
    add(_counts(first_meetings, kind, "first_meeting_at", n=Count("pk")), "meetings")

    won = Request.objects.filter(outcome=Outcome.WON, closed_at__gte=start, closed_at__lt=end)
    rows = _counts(won, kind, "closed_at", n=Count("pk"), value=Sum("outcome_value"))
    add(rows, "projects_won")
    add(rows, "won_value", value="value")
    return [by_key[p.key] for p in periods]


def first_period(kind: str) -> Period | None:
    """The period of the hub's earliest person or request: the debrief offers nothing before it."""
    earliest = [
        people().aggregate(at=Min("first_at"))["at"],
        Request.objects.aggregate(at=Min("received_at"))["at"],
    ]
    known = [at for at in earliest if at is not None]
    if not known:
        return None
    return Period.containing(kind, timezone.localtime(min(known), hub_zone()).date())


def debrief_history(period: Period) -> list[Figures]:
    """The chosen period and the ones before it (12 months or 8 quarters), oldest first."""
    count = HISTORY[period.kind]
    return debrief(period.shifted(step) for step in range(1 - count, 1))
