"""Build the demo hub: a leader, a second, six members, ~40 requests spread over every stage.

Requests go through the real services (so events, offers, projects and outbox mail are real),
with the clock moved back so the dashboard has history and some requests are late.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from decimal import Decimal
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr
from unittest import mock

from django.db import transaction
from django.utils import timezone

from cercle.accounts.models import Role, User
from cercle.circle.models import MemberProfile
from cercle.circle.services import offer_accept, offer_decline, request_route
from cercle.circulation import services as circulation
from cercle.circulation.leads import lead_kind_guess
from cercle.circulation.models import Channel, LeadKind, Request
from cercle.demo import data
from cercle.demo.network import network_build
from cercle.intake.services import message_ingest
from cercle.mail.parse import parse_message
from cercle.network.search import fold_words
from cercle.outbox.models import OutgoingMessage, OutgoingStatus
from cercle.outbox.services import outbox_deliver
from cercle.projects.services import checklist_toggle, project_add_update, project_set_meeting
from cercle.triage.selectors import current_engine
from cercle.triage.services import suggestion_compute

DEMO_PASSWORD = "cercle-demo"  # noqa: S105  (printed to the person who runs the demo; demo only)

ALT_PEOPLE = [
    ("fr", "Hélène Caron", "helene.caron@caron-conseil.fr", "Caron Conseil"),
    ("en", "Ben Walsh", "ben.walsh@walsh-partners.co.uk", "Walsh & Partners"),
    ("fr", "Yasmine Chérif", "yasmine.cherif@cooperative-horizon.fr", "Coopérative Horizon"),
    ("en", "Sarah Lindqvist", "sarah@nordic-commons.org", "Nordic Commons"),
    ("fr", "Louis Barbier", "louis.barbier@barbier-industries.fr", "Barbier Industries"),
    ("fr", "Mathieu Lemoine", "mathieu@atelier-lemoine.fr", "Atelier Lemoine"),
    ("en", "Grace Adeyemi", "grace@bright-harbour.org", "Bright Harbour"),
]

# Why the second dismisses each kind of unsolicited mail of the demo (by sender domain).
DISMISS_REASONS = {
    "leadgen-rocket.com": "solicitation",
    "seo-boost-pro.fr": "solicitation",
    "agence-visibilite.fr": "solicitation",
    "futureofwork.media": "newsletter",
    "plateforme-evenements.fr": "notification",
    "crypto-win.biz": "spam",
}

# Stage for each of the 28 real requests, then 12 solicitations: (state, hours since arrival).
REAL_PLAN = (
    [("received", h) for h in (3, 9, 30)]
    + [("kept", h) for h in (5, 20, 60, 80)]
    + [("deferred", h) for h in (100, 150)]
    + [("declined", 200)]
    + [("approved", h) for h in (26, 40, 70)]
    + [("offered", h) for h in (50, 75, 90, 130)]
    + [("accepted", h) for h in (60, 110, 170)]
    + [("kicked_off", h) for h in (240, 300, 400)]
    + [
        ("closed:won", 500),
        ("closed:won", 650),
        ("closed:won", 900),
        ("closed:lost", 700),
        ("closed:no_go", 800),
    ]
)
SOLICITATION_PLAN = [("received", h) for h in (1, 2, 4, 7, 12, 28, 36)] + [
    ("dismissed", h) for h in (40, 50, 70, 90, 120)
]


@contextmanager
def at(moment: datetime) -> Iterator[None]:
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def _user(spec: tuple[str, str, str, str, str], role: str, **extra: object) -> User:
    username, first, last, email, language = spec
    user = User.objects.create_user(
        username=username,
        email=email,
        password=DEMO_PASSWORD,
        first_name=first,
        last_name=last,
        role=role,
        language=language,
        **extra,
    )
    return user


def _requests() -> list[tuple[str, str, str, str, str, str]]:
    """The real requests, then the same needs written by other people (the demo needs about forty)."""
    real = list(data.REQUESTS)
    seen: dict[str, int] = {}
    for lang, name, _email, _org, subject, body in data.REQUESTS:
        people = [p for p in ALT_PEOPLE if p[0] == lang]
        _lang, alt_name, alt_email, alt_org = people[seen.get(lang, 0) % len(people)]
        seen[lang] = seen.get(lang, 0) + 1
        first, alt_first = name.split()[0], alt_name.split()[0]
        if name in body:  # signed with the full name
            signed = body.replace(name, alt_name)
        elif body.rstrip().endswith(first):  # signed with the first name
            signed = body.rstrip()[: -len(first)] + alt_first
        else:  # not signed
            signed = f"{body.rstrip()}\n\n{alt_name}"
        real.append((lang, alt_name, alt_email, alt_org, subject, signed))
    return real


PROJECT_STATES = ("accepted", "kicked_off", "closed")


def build(*, seed: int = 7) -> dict[str, User]:
    rng = random.Random(seed)
    now = timezone.now()
    with transaction.atomic():
        leader = _user(data.LEADER, Role.LEADER)
        second = _user(data.SECOND, Role.SECOND)
        admin = _user(data.ADMIN, Role.ADMIN, is_staff=True, is_superuser=True)
        members = []
        for username, first, last, email, lang, h_fr, h_en, skills, capacity in data.MEMBERS:
            member = _user((username, first, last, email, lang), Role.MEMBER)
            MemberProfile.objects.create(
                user=member, headline_fr=h_fr, headline_en=h_en, skills=skills, capacity=capacity
            )
            members.append(member)

        plan = list(zip(_requests(), REAL_PLAN, strict=True))
        solicitations = [
            *data.SOLICITATIONS,
            *[(s[0], s[1], "2." + s[2], s[3], s[4], s[5]) for s in data.SOLICITATIONS],
        ]
        plan += list(zip(solicitations, SOLICITATION_PLAN, strict=True))
        suggester = current_engine()
        for index, ((lang, name, email, org, subject, body), (target, hours)) in enumerate(plan):
            arrived = now - timedelta(hours=hours, minutes=rng.randint(0, 50))
            request = _arrive(index, lang, name, email, org, subject, body, arrived)
            # What the worker does on arrival: the machine's suggestion and the brief it drafts, so
            # the second decides with a suggestion (the quality page compares) and the leader's
            # validation cards show briefs instead of raw mail.
            with at(arrived):
                suggestion_compute(request=request, engine_=suggester, apply_rules=False)
            _advance(request, target, arrived, now, rng, leader, second, members)
        # A LinkedIn message waits in the triage queue too, as its notification mail brought it.
        _arrive_from_linkedin(now - timedelta(hours=6, minutes=20))
        # The second says what kind of lead each project is, where the words do not say it already:
        # the debrief counts client leads.
        for request in Request.objects.filter(state__in=PROJECT_STATES, lead_kind="").order_by("pk"):
            if not lead_kind_guess(request.subject, request.summary)[0]:
                circulation.request_lead_kind_set(actor=second, request=request, lead_kind=LeadKind.CLIENT)
        # The people of Léa's mailbox around the requests: two years of exchanges (its own random, so
        # that the requests above stay what they were).
        network_build(rng=random.Random(seed), now=now, leader=leader, second=second)
    _deliver_in_the_story(now)
    return {"leader": leader, "second": second, "admin": admin, **{m.username: m for m in members}}


def _meeting_time(day: datetime) -> datetime:
    """A meeting at a time people set one: 10:00 or 14:30 in the hub's time zone, that day."""
    local = timezone.localtime(day)
    hour, minute = (10, 0) if local.hour < 12 else (14, 30)
    return local.replace(hour=hour, minute=minute, second=0, microsecond=0)


def _deliver_in_the_story(now: datetime) -> None:
    """The mails the story queued leave a minute after it queued them, through the real outbox (to the
    demo's mail backend): their requests read "sent on" the story's date, not the moment the app
    started. Mail queued in the last minutes is left to the worker."""
    queued = OutgoingMessage.objects.filter(
        status=OutgoingStatus.QUEUED, created_at__lt=now - timedelta(minutes=5)
    )
    for pk, created in queued.order_by("created_at").values_list("pk", "created_at"):
        with at(created + timedelta(minutes=1)):
            outbox_deliver(outgoing_id=pk)


def _arrive(
    index: int, lang: str, name: str, email: str, org: str, subject: str, body: str, arrived: datetime
) -> Request:
    # A real message, as a mailbox would give it: the request page offers its original, and the
    # requester's name comes from the From header as for any imported mail.
    mail = EmailMessage()
    mail["From"] = formataddr((name, email))
    mail["To"] = formataddr((f"{data.LEADER[1]} {data.LEADER[2]}", data.LEADER[3]))
    mail["Subject"] = subject
    mail["Date"] = format_datetime(arrived)
    mail["Message-ID"] = f"<demo-{index}@demo.cercle.invalid>"
    mail.set_content(body)
    raw = mail.as_bytes(policy=SMTP)
    parsed = parse_message(raw)
    with at(arrived):
        result = message_ingest(parsed=parsed, raw=raw, channel=Channel.MAIL)
    request = Request.objects.get(pk=result.request_id)
    # The organisation the requester signs with, rather than the domain guessed from the address.
    if org and request.requester.organisation in ("", email.rpartition("@")[2]):
        request.requester.organisation = org
        request.requester.save(update_fields=["organisation"])
    return request


def _arrive_from_linkedin(arrived: datetime) -> Request:
    """LinkedIn's "X sent you a message" mail, as it reaches the leader's mailbox: text and HTML, from
    LinkedIn's messaging relay, with the sender's profile and the thread's address."""
    name, headline, slug, text = data.LINKEDIN_MESSAGE
    profile = f"https://www.linkedin.com/comm/in/{slug}"
    thread = "https://www.linkedin.com/comm/messaging/thread/2-ZGVtby1jZXJjbGUtbGlua2VkaW4=/"
    mail = EmailMessage()
    mail["From"] = formataddr((f"{name} via LinkedIn", "messages-noreply@linkedin.com"))
    mail["To"] = formataddr((f"{data.LEADER[1]} {data.LEADER[2]}", data.LEADER[3]))
    mail["Subject"] = f"{name} vous a envoyé un nouveau message"
    mail["Date"] = format_datetime(arrived)
    mail["Message-ID"] = "<demo-linkedin-1@linkedin.com>"
    mail["List-Unsubscribe"] = "<https://www.linkedin.com/comm/psettings/email-unsubscribe>"
    mail.set_content(
        f"{name}\n{headline}\n\n{text}\n\nRépondre\n{thread}\n\nVoir le profil : {profile}\n\n"
        f"Cet e-mail était destiné à {data.LEADER[1]} {data.LEADER[2]}\n"
    )
    raw = mail.as_bytes(policy=SMTP)
    with at(arrived):
        result = message_ingest(parsed=parse_message(raw), raw=raw, channel=Channel.MAIL)
        request = Request.objects.get(pk=result.request_id)
        suggestion_compute(request=request, engine_=current_engine(), apply_rules=False)
    return request


def _advance(
    request: Request,
    target: str,
    arrived: datetime,
    now: datetime,
    rng: random.Random,
    leader: User,
    second: User,
    members: list[User],
) -> None:
    order = ["received", "kept", "approved", "offered", "accepted", "kicked_off", "closed"]
    span = now - arrived
    state, _sep, outcome = target.partition(":")
    # Each step happens a little later than the previous one, within the request's life so far.
    steps = {
        "dismissed": 0.1,
        "kept": 0.15,
        "declined": 0.3,
        "deferred": 0.3,
        "approved": 0.3,
        "offered": 0.45,
        "accepted": 0.6,
        "kicked_off": 0.75,
        "closed": 0.9,
    }

    def when(step: str) -> datetime:
        return arrived + span * steps[step]

    if state == "received":
        return
    if state == "dismissed":
        with at(when("dismissed")):
            circulation.request_dismiss(
                actor=second,
                request=request,
                # The reason the second would give: the machine learns from these decisions.
                reason=DISMISS_REASONS.get(request.requester.email.rpartition("@")[2], "not_relevant"),
            )
        return
    with at(when("kept")):
        circulation.request_keep(actor=second, request=request)
    if state == "kept":
        return
    if state in ("declined", "deferred"):
        with at(when(state)):
            action = circulation.request_decline if state == "declined" else circulation.request_defer
            action(actor=leader, request=request, note="")
        return
    with at(when("approved")):
        circulation.request_approve(actor=leader, request=request)
    if order.index(state) < order.index("offered"):
        return
    chosen = _route_to(request, members, rng)
    with at(when("offered")):
        offers = request_route(
            actor=second,
            request=request,
            members=chosen,
            brief=request.summary[:300] or request.subject,
        )
    if state == "offered":
        if rng.random() < 0.5:
            with at(when("offered") + timedelta(hours=2)):
                offer_decline(actor=chosen[1], offer=offers[1], reason="Pas disponible ce mois-ci.")
        return
    with at(when("accepted")):
        offer_accept(actor=chosen[0], offer=offers[0])
    request.refresh_from_db()
    project = request.project
    with at(when("accepted") + timedelta(hours=1)):
        checklist_toggle(actor=chosen[0], project=project, item_id=project.checklist.first().pk)  # type: ignore[union-attr]
        project_set_meeting(
            actor=chosen[0], project=project, when=_meeting_time(when("accepted") + timedelta(days=3))
        )
    if state == "accepted":
        return
    with at(when("kicked_off")):
        circulation.request_kick_off(actor=chosen[0], request=request)
        project_add_update(
            actor=chosen[0], project=project, text="Premier rendez-vous fait, proposition en cours."
        )
    if state == "kicked_off":
        return
    with at(when("closed")):
        value = Decimal(rng.choice([4500, 8000, 12000, 25000])) if outcome == "won" else None
        circulation.request_close(actor=chosen[0], request=request, outcome=outcome, value=value)


def _route_to(request: Request, members: list[User], rng: random.Random) -> list[User]:
    """As the second would: first the member whose skills the request speaks of, then another one."""
    text = " ".join([request.subject, *request.messages.values_list("text", flat=True)[:1]])
    asked = set(fold_words(text))
    skills = {m[0]: set(fold_words(f"{m[5]} {m[7]}")) for m in data.MEMBERS}
    ranked = sorted(members, key=lambda m: (-len(skills.get(m.username, set()) & asked), rng.random()))
    return [ranked[0], rng.choice(ranked[1:])]


def demo_logins() -> list[str]:
    """The lines that tell a newcomer how to sign in to the demo hub (empty if it is not loaded)."""
    usernames = {data.LEADER[0], data.SECOND[0], data.ADMIN[0], *(m[0] for m in data.MEMBERS)}
    present = set(User.objects.filter(username__in=usernames).values_list("username", flat=True))
    if data.LEADER[0] not in present:
        return []
    lines = [f"Demo logins (password for all: {DEMO_PASSWORD}):"]
    for label, username in (
        ("second", data.SECOND[0]),
        ("leader", data.LEADER[0]),
        ("member", data.MEMBERS[0][0]),
        ("admin", data.ADMIN[0]),
    ):
        if username in present:
            lines.append(f"  {label:<7} {username}")
    others = [m[0] for m in data.MEMBERS[1:] if m[0] in present]
    if others:
        lines.append("  other members: " + ", ".join(others))
    return lines
