"""The leader stays informed without a copy of every message: one status mail a week per project in
progress, and a notice when a project's outcome is recorded. Both go to the leader, in the leader's
language, through the outbox.

The weekly mail reports the calendar week that ended (Monday to Sunday, in the hub's time zone), so what
it says does not depend on when the worker runs. A project gets one when that week brought news (a status
update, a step done, a change such as the kick-off, the first meeting or a new team member) or when it is
stalled (nothing for `PROJECT_STALLED_DAYS`): a project quiet this week but not stalled gets none, since
there is nothing to say. The outbox's idempotency key, one per project and week, means never twice the
same week, however often the job runs and whichever worker runs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from cercle.accounts.models import User
from cercle.accounts.selectors import hub_leader
from cercle.circulation.mail import request_mail_queue
from cercle.circulation.models import Event, EventKind, Request
from cercle.circulation.services import BOOKKEEPING_NOTES, event_record
from cercle.circulation.states import State
from cercle.core.notes import Note
from cercle.core.templatetags.cercle import duration, money
from cercle.outbox.models import OutgoingMessage
from cercle.outbox.services import address
from cercle.projects.models import Project

WEEKLY_KEY = "weekly"


def _project_url(request_id: int) -> str:
    return settings.SITE_URL + reverse("projects:detail", args=[request_id])


def _leader_to_tell(actor: User | None = None) -> User | None:
    """The leader, when they have an address and are not the one who acted (they know already)."""
    leader = hub_leader()
    if leader is None or not leader.email or (actor is not None and leader.pk == actor.pk):
        return None
    return leader


def _to_the_lead(project: Project) -> list[str] | None:
    """The leader's answer ("how is it going?") goes to the project lead; else the hub's reply-to."""
    lead = project.lead
    return [address(lead.display_name, lead.email)] if lead.email else None


# --- The notice of an outcome -----------------------------------------------------------------


def outcome_notice_queue(*, project: Project, actor: User, note: str = "") -> OutgoingMessage | None:
    """Tell the leader that the project was closed won, lost or abandoned, with its value; in the
    transaction that records the outcome (`projects.services.project_close`)."""
    request = Request.objects.select_related("requester").get(pk=project.request_id)
    leader = _leader_to_tell(actor)
    if leader is None or request.state != State.CLOSED or request.closed_at is None:
        return None
    with translation.override(leader.language):  # the amount and the delay as the leader reads them
        value = money(request.outcome_value) if request.outcome_value is not None else ""
        lead_delay = (
            duration(timedelta(seconds=request.lead_delay_s)) if request.lead_delay_s is not None else ""
        )
    mail = request_mail_queue(
        request=request,
        template="project_outcome",
        language=leader.language,
        context={
            "leader_name": leader.display_name,
            "actor_name": actor.display_name,
            "lead_name": project.lead.display_name,
            "subject": request.subject,
            "requester_name": request.requester.display_name,
            "outcome": request.outcome,
            "value": value,
            "note": " ".join(note.split())[:1000],
            "received": timezone.localtime(request.received_at),
            "closed": timezone.localtime(request.closed_at),
            "lead_delay": lead_delay,
            "url": _project_url(request.pk),
        },
        # One per closing: a project reopened and closed again is a new outcome, a new notice.
        idempotency_key=f"outcome:{request.pk}:{request.closed_at.isoformat()}",
        to=[address(leader.display_name, leader.email)],
        reply_to=_to_the_lead(project),
    )
    event_record(
        request=request,
        actor=actor,
        kind=EventKind.MAIL,
        note=Note(gettext_noop("Outcome notice queued for %(email)s"), email=leader.email),
        outgoing=mail,
    )
    return mail


# --- The weekly status ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Week:
    """A calendar week in the hub's time zone: [start, end) from Monday 00:00 to the next Monday 00:00."""

    start: datetime
    end: datetime

    @property
    def key(self) -> str:
        year, number, _day = self.start.date().isocalendar()
        return f"{year}-W{number:02d}"

    @property
    def first_day(self) -> date:
        return self.start.date()

    @property
    def last_day(self) -> date:
        return (self.end - timedelta(days=1)).date()


def week_ended_before(now: datetime) -> Week:
    """The last full week before `now`."""
    today = timezone.localtime(now).date()
    this_monday = today - timedelta(days=today.weekday())
    tz = timezone.get_current_timezone()
    end = datetime.combine(this_monday, time.min, tzinfo=tz)
    start = datetime.combine(this_monday - timedelta(days=7), time.min, tzinfo=tz)
    return Week(start=start, end=end)


def _weekly_key(week: Week, project_id: int) -> str:
    return f"{WEEKLY_KEY}:{week.key}:{project_id}"


@dataclass(frozen=True)
class WeeklyNews:
    updates: list[dict[str, object]]
    steps_done: list[str]
    steps_open: list[str]
    happened: list[Event]  # the week's other news (kick-off, meeting set, team member…), oldest first
    quiet_days: int  # days without news at the week's end

    @property
    def has_news(self) -> bool:
        return bool(self.updates or self.steps_done or self.happened)


def _happened_line(event: Event) -> dict[str, object]:
    """One line of "what happened": the event's note in the active language, else its change of state."""
    text = event.note_text
    if not text and event.kind == EventKind.TRANSITION:
        text = str(State(event.to_state).label)
    return {"at": timezone.localtime(event.at), "text": text}


def weekly_news(*, project: Project, week: Week) -> WeeklyNews:
    """What happened to the project in `week`, and for how long it has been quiet at the week's end."""
    updates = list(
        project.updates.filter(at__gte=week.start, at__lt=week.end)
        .select_related("author")
        .order_by("at", "id")
    )
    steps = list(project.checklist.all())
    done = [s.label for s in steps if s.done_at and week.start <= s.done_at < week.end]
    events = (
        project.request.events.exclude(kind=EventKind.MAIL)
        .exclude(kind=EventKind.NOTE, note_source__msgid__in=sorted(BOOKKEEPING_NOTES))
        .filter(at__lt=week.end)
    )
    happened = list(events.filter(at__gte=week.start).order_by("at", "id"))
    last = max(
        [
            project.created_at,
            *(s.done_at for s in steps if s.done_at and s.done_at < week.end),
            project.updates.filter(at__lt=week.end).aggregate(m=Max("at"))["m"] or project.created_at,
            events.aggregate(m=Max("at"))["m"] or project.created_at,
        ]
    )
    return WeeklyNews(
        updates=[
            {
                "at": timezone.localtime(u.at),
                "author": u.author.display_name if u.author else "",
                "text": u.text,
            }
            for u in updates
        ],
        steps_done=done,
        steps_open=[s.label for s in steps if not s.done_at],
        happened=happened,
        quiet_days=max((week.end - last).days, 0),
    )


def weekly_status_queue(*, now: datetime | None = None) -> dict[str, int]:
    """Queue this week's status mail of every project in progress that has something to say.

    Run by the worker every hour (tasks.py); the first run after Monday 00:00 does the work, the others
    find every mail of the week already queued or nothing to say. Returns counts, for the worker's log.
    """
    now = now or timezone.now()
    week = week_ended_before(now)
    counts = {"queued": 0, "quiet": 0, "already": 0}
    leader = _leader_to_tell()
    if leader is None:
        return counts
    sent = set(
        OutgoingMessage.objects.filter(idempotency_key__startswith=f"{WEEKLY_KEY}:{week.key}:").values_list(
            "idempotency_key", flat=True
        )
    )
    projects = (
        Project.objects.filter(request__state__in=[State.ACCEPTED, State.KICKED_OFF], created_at__lt=week.end)
        .select_related("request", "request__requester", "lead")
        .order_by("id")
    )
    stalled_after = int(settings.CERCLE.get("PROJECT_STALLED_DAYS", 14))
    for project in projects:
        key = _weekly_key(week, project.pk)
        if key in sent:
            counts["already"] += 1
            continue
        news = weekly_news(project=project, week=week)
        stalled = news.quiet_days >= stalled_after
        if not news.has_news and not stalled:
            counts["quiet"] += 1
            continue
        request = project.request
        with translation.override(leader.language):
            state = str(State(request.state).label)
            happened = [_happened_line(event) for event in news.happened]
        with transaction.atomic():
            request_mail_queue(
                request=request,
                template="project_weekly",
                language=leader.language,
                context={
                    "leader_name": leader.display_name,
                    "subject": request.subject,
                    "lead_name": project.lead.display_name,
                    "requester_name": request.requester.display_name,
                    "state": state,
                    "week_start": week.first_day,
                    "week_end": week.last_day,
                    "updates": news.updates,
                    "steps_done": news.steps_done,
                    "steps_open": news.steps_open,
                    "happened": happened,
                    "stalled": stalled,
                    "quiet_days": news.quiet_days,
                    "next_meeting": timezone.localtime(project.first_meeting_at)
                    if project.first_meeting_at and project.first_meeting_at > now
                    else None,
                    "url": _project_url(request.pk),
                },
                idempotency_key=key,
                to=[address(leader.display_name, leader.email)],
                reply_to=_to_the_lead(project),
            )
        counts["queued"] += 1
    return counts
