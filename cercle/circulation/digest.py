"""The leader decides from the mail: the daily digest, its one-click links, and the weekly proof list.

**The digest** goes to each leader on the days and at the local time set on the clocks' page (the
hub's `TIME_ZONE`, daylight-saving included: 08:00 is 08:00 on the wall the day after the switch),
once a day, and not at all on a day when nothing waits for them. A worker that was stopped at that time
sends it when it comes back, the same day. It lists the validation queue, each request with its brief
and three links: approve, decline, later.

**A link** is signed (`django.core.signing`, a salt of its own), names the request, the leader and the
action, carries the time it was made (it expires after `CERCLE_DIGEST_LINK_HOURS`) and a nonce
recorded when it is used (it works once). It opens a confirmation page: a GET never acts, because mail
scanners open links to check them. The page's one button posts (with Django's CSRF check) and the
service acts as the leader, through the same services as the validation page, audited as "from the
digest".

**The weekly proof list** tells the leader, on the chosen day, each serious request of the past seven
days (kept by the second), who answered the requester and when — and how many are still unanswered.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from cercle.accounts.models import Role, User
from cercle.circulation import services
from cercle.circulation.clocks import active_with_role
from cercle.circulation.errors import CirculationError
from cercle.circulation.models import (
    ClockSettings,
    DigestKind,
    DigestLinkUse,
    DigestRun,
    Event,
    EventKind,
    Request,
)
from cercle.circulation.states import State
from cercle.core.notes import Note
from cercle.outbox.models import OutgoingMessage
from cercle.outbox.services import address, outbox_enqueue, template_render

DIGEST_TEMPLATE = "leader_digest"
PROOF_TEMPLATE = "proof_list"
# One salt per purpose: a signature made for anything else in Cercle is not a digest link.
LINK_SALT = "cercle.circulation.digest.decision"
DIGEST_LIMIT = 25
WAITING = (State.KEPT, State.DEFERRED)


class DigestAction:
    APPROVE = "approve"
    DECLINE = "decline"
    LATER = "later"
    ALL = (APPROVE, DECLINE, LATER)


def hub_now(now: datetime | None = None) -> datetime:
    """`now` on the hub's wall clock (settings.TIME_ZONE), whatever time zone a page activated."""
    return timezone.localtime(now or timezone.now(), timezone.get_default_timezone())


def local_midnight(day: date) -> datetime:
    """The start of `day` in the hub's time zone (an aware datetime: 23 or 25 hours long on a switch)."""
    return datetime.combine(day, time(0), tzinfo=timezone.get_default_timezone())


# --- When -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueReport:
    digests: int = 0
    skipped: int = 0
    proofs: int = 0


def digest_send_due(*, now: datetime | None = None) -> DueReport:
    """Send what is due at `now`: today's digest once the time is past, the proof list on its day."""
    now = now or timezone.now()
    local = hub_now(now)
    cfg = ClockSettings.current()
    # A wall-clock comparison: the local time of day against the time set (DST included).
    if local.time().replace(tzinfo=None) < cfg.digest_time:
        return DueReport()
    today = local.date()
    leaders = [u for u in active_with_role(Role.LEADER) if u.email]
    digests = skipped = proofs = 0
    if cfg.digest_enabled and today.weekday() in cfg.day_list:
        for leader in leaders:
            result = digest_send(leader=leader, day=today, now=now)
            digests += result == "sent"
            skipped += result == "empty"
    if today.weekday() == cfg.proof_weekday:
        for leader in leaders:
            proofs += proof_list_send(leader=leader, day=today, now=now) is not None
    return DueReport(digests=digests, skipped=skipped, proofs=proofs)


def _run_claim(*, kind: str, user: User, day: date, now: datetime) -> DigestRun | None:
    """This day's run for this person, or None when it was already done (a retry, another worker)."""
    try:
        with transaction.atomic():
            return DigestRun.objects.create(kind=kind, user=user, day=day, at=now)
    except IntegrityError:
        return None


# --- The digest ------------------------------------------------------------------------------


def digest_send(*, leader: User, day: date, now: datetime | None = None) -> str:
    """Today's digest for `leader`: "sent", "empty" (nothing waits: no mail) or "done" (already)."""
    now = now or timezone.now()
    if DigestRun.objects.filter(kind=DigestKind.DIGEST, user=leader, day=day).exists():
        return "done"
    waiting = Request.objects.filter(state__in=WAITING)
    total = waiting.count()
    queue = list(
        waiting.select_related("requester", "triage_brief").order_by("-state", "state_changed_at", "id")[
            :DIGEST_LIMIT
        ]
    )
    with transaction.atomic():
        run = _run_claim(kind=DigestKind.DIGEST, user=leader, day=day, now=now)
        if run is None:
            return "done"
        if not queue:
            return "empty"
        hours = int(settings.CERCLE.get("DIGEST_LINK_HOURS", 72))
        items = [_digest_item(r, leader=leader, now=now) for r in queue]
        mail = template_render(
            key=DIGEST_TEMPLATE,
            language=leader.language,
            context={
                "name": leader.display_name,
                "items": items,
                "count": total,
                "more": max(total - len(items), 0),
                "link_hours": hours,
                "validation_url": settings.SITE_URL + reverse("circulation:validation"),
                "hub_name": settings.CERCLE["HUB_NAME"],
            },
        )
        run.count = total
        run.outgoing = outbox_enqueue(
            idempotency_key=f"digest:{leader.pk}:{day.isoformat()}",
            to=[address(leader.display_name, leader.email)],
            subject=mail.subject,
            body=mail.body,
        )
        run.save(update_fields=["count", "outgoing"])
    return "sent"


def _digest_item(request: Request, *, leader: User, now: datetime) -> dict[str, Any]:
    brief = getattr(request, "triage_brief", None)  # the triage's brief, when the second checked one

    def link(action: str) -> str:
        token = digest_link_make(request_id=request.pk, leader_id=leader.pk, action=action, now=now)
        return settings.SITE_URL + reverse("circulation:digest_link", args=[token])

    deferred = request.state == State.DEFERRED
    return {
        "subject": request.subject,
        "who": brief.who(request.requester.display_name) if brief else _requester_line(request),
        "need": (brief.need if brief else "") or request.summary[:500],
        "goal": brief.goal if brief else "",
        "deadline": (brief.deadline if brief else None) or request.deadline,
        "urgency": brief.urgency if brief else "",
        "budget": brief.budget if brief else "",
        "received_at": request.received_at,
        "deferred": deferred,
        "approve_url": link(DigestAction.APPROVE),
        "decline_url": link(DigestAction.DECLINE),
        "later_url": "" if deferred else link(DigestAction.LATER),
        "url": settings.SITE_URL + reverse("circulation:detail", args=[request.pk]),
    }


def _requester_line(request: Request) -> str:
    requester = request.requester
    org = getattr(requester, "organisation", "")
    return f"{requester.display_name} · {org}" if org else requester.display_name


# --- The one-click links -----------------------------------------------------------------------


def digest_link_make(*, request_id: int, leader_id: int, action: str, now: datetime | None = None) -> str:
    if action not in DigestAction.ALL:
        raise ValueError(action)
    issued = int((now or timezone.now()).timestamp())
    payload = {"r": request_id, "u": leader_id, "a": action, "t": issued, "n": secrets.token_urlsafe(12)}
    return signing.Signer(salt=LINK_SALT).sign_object(payload, compress=False)


class LinkRefused(Exception):
    """Why a link does not act, for a page in the leader's language."""

    FORGED = "forged"
    EXPIRED = "expired"
    USED = "used"
    OTHER_LEADER = "other_leader"
    DECIDED = "decided"

    def __init__(
        self,
        reason: str,
        *,
        leader: User | None = None,
        request: Request | None = None,
        used_at: datetime | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason, self.leader, self.request, self.used_at = reason, leader, request, used_at


@dataclass(frozen=True)
class DigestLink:
    request: Request
    leader: User
    action: str
    nonce: str
    issued_at: datetime


def digest_link_read(token: str, *, viewer: User | None = None, now: datetime | None = None) -> DigestLink:
    """The link's request, leader and action, or `LinkRefused` saying why it cannot act now.

    `viewer` is whoever is signed in on this browser, if anyone: a link sent to one leader does not act
    in another person's session."""
    now = now or timezone.now()
    try:
        data = signing.Signer(salt=LINK_SALT).unsign_object(token)
        request_id, leader_id = int(data["r"]), int(data["u"])
        action, issued, nonce = str(data["a"]), int(data["t"]), str(data["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise LinkRefused(LinkRefused.FORGED) from None
    if action not in DigestAction.ALL:
        raise LinkRefused(LinkRefused.FORGED)
    leader = User.objects.filter(pk=leader_id).first()
    request = Request.objects.select_related("requester").filter(pk=request_id).first()
    if leader is None or request is None:
        raise LinkRefused(LinkRefused.FORGED, leader=leader)
    issued_at = datetime.fromtimestamp(issued, tz=timezone.get_default_timezone())
    used = DigestLinkUse.objects.filter(nonce=nonce).first()
    if used is not None:
        raise LinkRefused(LinkRefused.USED, leader=leader, request=request, used_at=used.used_at)
    hours = int(settings.CERCLE.get("DIGEST_LINK_HOURS", 72))
    if now - issued_at > timedelta(hours=hours) or issued_at > now + timedelta(minutes=5):
        raise LinkRefused(LinkRefused.EXPIRED, leader=leader, request=request)
    if not leader.is_active or leader.role != Role.LEADER:
        raise LinkRefused(LinkRefused.OTHER_LEADER, leader=leader, request=request)
    if viewer is not None and getattr(viewer, "is_authenticated", False) and viewer.pk != leader.pk:
        raise LinkRefused(LinkRefused.OTHER_LEADER, leader=leader, request=request)
    if request.state not in WAITING or (action == DigestAction.LATER and request.state == State.DEFERRED):
        raise LinkRefused(LinkRefused.DECIDED, leader=leader, request=request)
    return DigestLink(request=request, leader=leader, action=action, nonce=nonce, issued_at=issued_at)


_SERVICES = {
    DigestAction.APPROVE: services.request_approve,
    DigestAction.DECLINE: services.request_decline,
    DigestAction.LATER: services.request_defer,
}


def digest_link_use(
    *, token: str, note: str = "", viewer: User | None = None, now: datetime | None = None
) -> DigestLink:
    """Act on a link, once: the decision as the leader, the link recorded as used, and a line in the
    history saying it came from the digest — all in one transaction, or nothing."""
    link = digest_link_read(token, viewer=viewer, now=now)
    request = link.request
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    DigestLinkUse.objects.create(
                        nonce=link.nonce, request=request, user=link.leader, action=link.action
                    )
            except IntegrityError:  # the same link, posted twice at once: the other one acted
                raise LinkRefused(LinkRefused.USED, leader=link.leader, request=request) from None
            _SERVICES[link.action](
                actor=link.leader, request=request, note=note.strip(), expected_state=request.state
            )
            services.event_record(
                request=request,
                actor=link.leader,
                kind=EventKind.NOTE,
                note=Note(gettext_noop("Decided from the leader's digest (a link in the mail).")),
            )
    except CirculationError:
        # Someone decided in the app meanwhile: the link did nothing and says so.
        request.refresh_from_db()
        raise LinkRefused(LinkRefused.DECIDED, leader=link.leader, request=request) from None
    return link


# --- The weekly proof list ----------------------------------------------------------------------


@dataclass(frozen=True)
class ProofLine:
    request: Request
    answered_at: datetime | None
    answered_by: str


def proof_list(*, day: date) -> tuple[datetime, datetime, list[ProofLine]]:
    """The serious requests (kept by the second) of the seven days before `day`, in the hub's time
    zone, with who answered the requester and when."""
    start, end = local_midnight(day - timedelta(days=7)), local_midnight(day)
    kept = list(
        Request.objects.filter(kept_at__gte=start, kept_at__lt=end)
        .select_related("requester")
        .order_by("kept_at", "id")
    )
    # Who answered: the person whose act set `answered_at`, the first answer — the approval (with its
    # acknowledgement) or a message written from the request page, whichever came first.
    acts: dict[int, list[Event]] = {}
    answered = [r.pk for r in kept if r.answered_at]
    if answered:
        for event in (
            Event.objects.filter(request_id__in=answered, actor__isnull=False)
            .filter(Q(kind=EventKind.MAIL) | Q(kind=EventKind.TRANSITION, to_state=State.APPROVED))
            .select_related("actor")
            .order_by("at", "id")
        ):
            acts.setdefault(event.request_id, []).append(event)
    lines = []
    for r in kept:
        by = ""
        if r.answered_at and acts.get(r.pk):
            first = acts[r.pk][0]
            by = first.actor.display_name if first.actor else ""
        lines.append(ProofLine(request=r, answered_at=r.answered_at, answered_by=by))
    return start, end, lines


def proof_list_send(*, leader: User, day: date, now: datetime | None = None) -> OutgoingMessage | None:
    """The week's proof list for `leader`, once for `day`; None when it was already sent."""
    now = now or timezone.now()
    if DigestRun.objects.filter(kind=DigestKind.PROOF, user=leader, day=day).exists():
        return None
    start, end, lines = proof_list(day=day)
    with transaction.atomic():
        run = _run_claim(kind=DigestKind.PROOF, user=leader, day=day, now=now)
        if run is None:
            return None
        mail = template_render(
            key=PROOF_TEMPLATE,
            language=leader.language,
            context={
                "name": leader.display_name,
                "start": start,
                "last_day": end - timedelta(days=1),
                "items": [
                    {
                        "subject": line.request.subject,
                        "requester": line.request.requester.display_name,
                        "kept_at": line.request.kept_at,
                        "answered_at": line.answered_at,
                        "answered_by": line.answered_by,
                        "state": State(line.request.state).label,
                        "url": settings.SITE_URL + reverse("circulation:detail", args=[line.request.pk]),
                    }
                    for line in lines
                ],
                "count": len(lines),
                "unanswered": sum(1 for line in lines if line.answered_at is None),
                "hub_name": settings.CERCLE["HUB_NAME"],
            },
        )
        run.count = len(lines)
        run.outgoing = outbox_enqueue(
            idempotency_key=f"proof:{leader.pk}:{day.isoformat()}",
            to=[address(leader.display_name, leader.email)],
            subject=mail.subject,
            body=mail.body,
        )
        run.save(update_fields=["count", "outgoing"])
    return run.outgoing
