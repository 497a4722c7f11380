"""Clocks that escalate: a reminder to whoever holds a late request, then the second, then the leader.

For each request over its stage's limit (circulation/clocks.py) the levels follow one another:

- level 0, at the limit: a reminder to whoever holds the request;
- level 1, `escalation_hours` later: an escalation to the second;
- level 2, as long again: an escalation to the leader.

A level never writes twice to the same person about the same clock (the leader who holds a request
waiting for their decision gets the reminder, not a second "escalation" of their own queue), and one
run moves a request up at most one level, so that a worker back after a long stop does not send the
three levels at once.

One run writes **one mail per person**, listing everything it has for them. Each step is a
`ClockStep` row (unique per request, stage, stage start and level) written in the same transaction as
the mail in the outbox: a run that fails records nothing and sends nothing, a retry or a second worker
finds the steps already there, and an SMTP outage only delays the outbox (which retries, never twice).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from cercle.accounts.models import Role, User
from cercle.accounts.permissions import may
from cercle.circulation.clocks import LateRequest, active_with_role, late_requests, seconds_or_leaders
from cercle.circulation.models import ClockLevel, ClockSettings, ClockStage, ClockStep, EventKind
from cercle.circulation.services import event_record
from cercle.core.notes import Label, Note
from cercle.outbox.models import OutgoingMessage
from cercle.outbox.services import address, outbox_enqueue, template_render

TEMPLATE = "clock_reminders"

_NOTES = {
    ClockLevel.REMINDER: gettext_noop("Over the limit of the stage “%(stage)s”: reminder to %(names)s."),
    ClockLevel.SECOND: gettext_noop("Still waiting at the stage “%(stage)s”: escalated to %(names)s."),
    ClockLevel.LEADER: gettext_noop("Still waiting at the stage “%(stage)s”: escalated to %(names)s."),
}


@dataclass
class EscalationReport:
    steps: int = 0
    mails: int = 0
    by_level: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class _Line:
    late: LateRequest
    level: int


def _audience(level: int, late: LateRequest, seconds: list[User], leaders: list[User]) -> list[User]:
    if level == ClockLevel.REMINDER:
        return list(late.holders)
    if level == ClockLevel.SECOND:
        return seconds
    return leaders


def clocks_escalate(*, now: datetime | None = None) -> EscalationReport:
    """Write the reminders and escalations that are due at `now`. Idempotent: run it as often as you like."""
    now = now or timezone.now()
    cfg = ClockSettings.current()
    report = EscalationReport()
    if not cfg.reminders_enabled:
        return report
    delay = timedelta(hours=max(cfg.escalation_hours, 1))
    late = late_requests(now=now, cfg=cfg)
    if not late:
        return report
    seconds, leaders = seconds_or_leaders(), active_with_role(Role.LEADER)

    with transaction.atomic():
        done: dict[tuple[int, str, datetime], list[ClockStep]] = defaultdict(list)
        for step in ClockStep.objects.filter(request_id__in={item.request.pk for item in late}).order_by(
            "level"
        ):
            done[(step.request_id, step.stage, step.since)].append(step)

        lines: dict[int, list[_Line]] = defaultdict(list)
        written: list[tuple[LateRequest, ClockStep, list[User]]] = []
        for item in late:
            steps = done.get(item.key, [])
            level = steps[-1].level + 1 if steps else ClockLevel.REMINDER
            if level > ClockLevel.LEADER:
                continue
            due = item.since + item.limit + level * delay
            if steps:
                due = max(due, steps[-1].at + delay)
            if now < due:
                continue
            told = {uid for step in steps for uid in step.recipients}
            to = [u for u in _audience(level, item, seconds, leaders) if u.pk not in told and u.email]
            step = ClockStep.objects.create(
                request=item.request,
                stage=item.stage,
                since=item.since,
                level=level,
                at=now,
                recipients=[u.pk for u in to],
            )
            report.steps += 1
            report.by_level[level] = report.by_level.get(level, 0) + 1
            for user in to:
                lines[user.pk].append(_Line(late=item, level=level))
            written.append((item, step, to))

        people = {u.pk: u for _item, _step, to in written for u in to}
        mails: dict[int, OutgoingMessage] = {}
        for user_id, user_lines in lines.items():
            user = people[user_id]
            first_step = min(s.pk for _i, s, to in written if user in to)
            mails[user_id] = _mail(user=user, lines=user_lines, key=f"clocks:{user_id}:{first_step}")
        report.mails = len(mails)

        for item, step, to in written:
            if not to:
                continue
            event_record(
                request=item.request,
                actor=None,
                kind=EventKind.NOTE,
                note=Note(
                    _NOTES[ClockLevel(step.level)],
                    stage=Label("clock_stage", item.stage),
                    names=", ".join(u.display_name for u in to),
                ),
                outgoing=mails[to[0].pk] if len(to) == 1 else None,
            )
    return report


def _item_context(line: _Line) -> dict[str, Any]:
    late = line.late
    return {
        "subject": late.request.subject,
        "requester": late.request.requester.display_name,
        "stage": ClockStage(late.stage).label,  # lazy: rendered in the reader's language
        "since": late.since,
        "limit_hours": int(late.limit.total_seconds() // 3600),
        "holders": ", ".join(u.display_name for u in late.holders),
        "level": line.level,
        "url": settings.SITE_URL + reverse("circulation:detail", args=[late.request.pk]),
    }


def _mail(*, user: User, lines: list[_Line], key: str) -> OutgoingMessage:
    held = [_item_context(line) for line in lines if line.level == ClockLevel.REMINDER]
    escalated = [_item_context(line) for line in lines if line.level != ClockLevel.REMINDER]
    mail = template_render(
        key=TEMPLATE,
        language=user.language,
        context={
            "name": user.display_name,
            "held": held,
            "escalated": escalated,
            "count": len(lines),
            "hub_name": settings.CERCLE["HUB_NAME"],
            # The dashboard lists every late request, for those who may open it.
            "dashboard_url": settings.SITE_URL + reverse("circulation:dashboard")
            if may(user, "oversee")
            else "",
        },
    )
    return outbox_enqueue(
        idempotency_key=key,
        to=[address(user.display_name, user.email)],
        subject=mail.subject,
        body=mail.body,
    )
