"""The accuracy part of the routing bench: labelled requests placed in their world, ranked by
``rank_members``, scored against baselines; the frozen test split.

A world is a fresh set of tables: the demo hub (``cercle.demo.build``) for the demo's requests, the
eight traders and their past projects for the Enron ones (``enron.py``). Each labelled request becomes
a validated request (state approved, waiting to be routed) from its requester; none has a lead, so
none changes what the others are ranked on.

Scores: top-1 (the first suggestion is a right member) and top-3 (one of the first three is). The
baseline is the routing page before suggestions: fewest open projects first (accepted or kicked off,
as the page counted them); its ties are broken in a random order seeded by the request's id (the
page's own tie-break, the first name, would be luck: in the Enron world "Matthew" comes third and
answers two requests in five). Also shown, for context: the member who led the most past projects
first ("busiest"), and each of the ranking's signals alone ("fit only", "knows only"; ties random).
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ..common.env import log

DATA = Path(__file__).resolve().parent.parent / "routing_data"
DEMO_REQUESTS = DATA / "demo_requests.json"
TEST_SPLIT = DATA / "test_split.txt"


@dataclass
class Labelled:
    id: str
    source: str  # "demo" or "enron"
    answers: list[str]  # usernames of the right members
    language: str
    subject: str
    text: str
    requester_email: str
    requester_name: str
    organisation: str
    received_at: datetime | None = None
    tags: dict[str, str] = field(default_factory=dict)  # for the breakdowns

    def digest(self) -> str:
        """What the frozen split checks: the request as ranked (its words and its right answers)."""
        payload = json.dumps(
            [self.id, sorted(self.answers), self.language, self.subject, self.text, self.requester_email],
            ensure_ascii=False,
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


@dataclass
class Outcome:
    item: Labelled
    ranked: list[str]  # usernames, best first
    orders: dict[str, list[str]]  # the baselines and ablations, by name

    def hit(self, order: list[str], k: int) -> bool:
        return bool(set(order[:k]) & set(self.item.answers))


# --- The frozen split --------------------------------------------------------------------------------


def split_rule(item_id: str) -> bool:
    """Half of the requests, by the hash of their id (not their content, not their result)."""
    return hashlib.sha256(item_id.encode()).digest()[0] < 128


def read_split(path: Path = TEST_SPLIT) -> dict[str, str]:
    """id -> digest of the frozen test requests ({} when not frozen yet)."""
    if not path.exists():
        return {}
    frozen = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            item_id, digest = line.split()
            frozen[item_id] = digest
    return frozen


def write_split(items: list[Labelled], path: Path = TEST_SPLIT) -> int:
    test = sorted((i for i in items if split_rule(i.id)), key=lambda i: i.id)
    lines = [
        "# The frozen test split of bench/routing.py: one request a line, its id and the digest of what",
        "# is ranked (words, requester, right answers). Chosen by the hash of the id, before any result was",
        "# looked at; nothing in cercle/circle/ranking.py was tuned on these requests. Do not tune on them.",
        *(f"{i.id} {i.digest()}" for i in test),
    ]
    path.write_text("\n".join(lines) + "\n")
    return len(test)


# --- The demo world ----------------------------------------------------------------------------------


def demo_items(path: Path = DEMO_REQUESTS) -> list[Labelled]:
    from ..page_bench.texts import (
        FIRST_EN,
        FIRST_FR,
        LAST_EN,
        LAST_FR,
        ORGS_EN,
        ORGS_FR,
        TOWNS_EN,
        TOWNS_FR,
        WORDS_EN,
        WORDS_FR,
    )

    rng = random.Random(20_261_205)
    items = []
    for index, row in enumerate(json.loads(path.read_text())):
        fr = row["language"] == "fr"
        first, last = rng.choice(FIRST_FR if fr else FIRST_EN), rng.choice(LAST_FR if fr else LAST_EN)
        org = rng.choice(ORGS_FR if fr else ORGS_EN).format(
            last=last,
            town=rng.choice(TOWNS_FR if fr else TOWNS_EN),
            word=rng.choice(WORDS_FR if fr else WORDS_EN),
        )
        slug = "".join(c for c in org.lower() if c.isascii() and c.isalnum())[:30]
        items.append(
            Labelled(
                id=row["id"],
                source="demo",
                answers=[row["member"]],
                language=row["language"],
                subject=row["subject"],
                text=row["body"],
                requester_email=f"{first.lower()}.{index}@{slug}.example",
                requester_name=f"{first} {last}",
                organisation=org,
            )
        )
    return items


def demo_world(items: list[Labelled]) -> None:
    """The demo hub (its six members, its requests and their projects), and each item's requester."""
    from cercle.circle.models import MemberProfile
    from cercle.demo.build import build
    from cercle.network.search import fold_words

    build()
    # The breakdown "shares a word with the right member's profile": whether fit can find them
    # from the profile alone, or only from their past projects.
    profiles = {
        p.user.username: set(fold_words(f"{p.headline_fr} {p.headline_en} {p.skills} {p.offers}"))
        for p in MemberProfile.objects.select_related("user")
    }
    for item in items:
        words = set(fold_words(f"{item.subject} {item.text}"))
        item.tags["profile words"] = "shares some" if words & profiles[item.answers[0]] else "shares none"
        item.tags["language"] = item.language


# --- The Enron world ---------------------------------------------------------------------------------


def enron_items(labelled: list[Any]) -> list[Labelled]:
    return [
        Labelled(
            id=x.id,
            source="enron",
            answers=list(x.traders),
            language="en",
            subject=x.subject,
            text=x.text,
            requester_email=x.requester,
            requester_name=x.requester_name,
            organisation="",
            received_at=x.date,
            tags={"found": x.found},
        )
        for x in labelled
    ]


def enron_world(traders: list[Any], past: list[Any], items: list[Labelled]) -> None:
    """The eight traders as members, their past projects (closed, won) with their requesters."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from cercle.accounts.models import Role, User
    from cercle.circle.models import MemberProfile
    from cercle.circulation.models import Request
    from cercle.circulation.states import Outcome as RequestOutcome
    from cercle.circulation.states import State
    from cercle.network.models import Contact
    from cercle.network.services import organisation_from_email
    from cercle.projects.models import Project

    unusable = make_password(None)
    with transaction.atomic():
        users = {}
        for trader in traders:
            first, _sep, last = trader.name.partition(" ")
            users[trader.user] = User.objects.create(
                username=trader.user,
                email=trader.addresses[0],
                first_name=first,
                last_name=last,
                role=Role.MEMBER,
                language="en",
                password=unusable,
            )
            MemberProfile.objects.create(user=users[trader.user], languages="en", capacity=3)
        names: dict[str, str] = {}
        for p in past:
            names.setdefault(p.requester, p.requester_name)
        for item in items:
            names.setdefault(item.requester_email, item.requester_name)
        contacts = {
            c.email: c
            for c in Contact.objects.bulk_create(
                [
                    Contact(
                        email=address,
                        name=name[:200],
                        organisation=organisation_from_email(address),
                        language="en",
                        chosen=True,
                    )
                    for address, name in sorted(names.items())
                ],
                batch_size=1000,
            )
        }
        rows = Request.objects.bulk_create(
            [
                Request(
                    subject=(p.subject or "(no subject)")[:300],
                    summary=p.summary,
                    requester=contacts[p.requester],
                    language="en",
                    state=State.CLOSED,
                    outcome=RequestOutcome.WON,
                    lead=users[p.trader],
                    received_at=p.date,
                    state_changed_at=p.date,
                    lead_at=p.date,
                    closed_at=p.date,
                )
                for p in past
            ],
            batch_size=1000,
        )
        Project.objects.bulk_create(
            [Project(request=r, lead=r.lead, created_at=r.received_at) for r in rows], batch_size=1000
        )
    known = set(Request.objects.filter(state=State.CLOSED).values_list("requester__email", flat=True))
    for item in items:
        item.tags["requester"] = "known before the cut" if item.requester_email in known else "new"


# --- Ranking and scoring -----------------------------------------------------------------------------


def place(items: list[Labelled]) -> dict[str, Any]:
    """Each item as a validated request from its requester: id -> Request."""
    from django.utils import timezone

    from cercle.circulation.models import Request
    from cercle.circulation.states import State
    from cercle.network.services import contact_get_or_create

    placed = {}
    for item in items:
        requester = contact_get_or_create(
            email=item.requester_email,
            name=item.requester_name,
            organisation=item.organisation,
            language=item.language,
        )
        placed[item.id] = Request.objects.create(
            subject=item.subject[:300],
            summary=item.text,
            requester=requester,
            language=item.language,
            state=State.APPROVED,
            received_at=item.received_at or timezone.now(),
        )
    return placed


def _by(signal: Callable[[Any], float], suggestions: list[Any], rng: random.Random) -> list[str]:
    # The random tie-break drawn in a fixed order (by username), not in the ranking's: a baseline must not
    # move when the ranking does.
    ordered = sorted(suggestions, key=lambda s: s.member.username)
    keyed = [(-signal(s), rng.random(), s.member.username) for s in ordered]
    return [username for *_key, username in sorted(keyed)]


def evaluate(items: list[Labelled]) -> list[Outcome]:
    from django.db.models import Count, Q

    from cercle.accounts.models import Role, User
    from cercle.circle.ranking import OPEN_STATES, rank_members

    placed = place(items)
    members = User.objects.filter(role=Role.MEMBER, is_active=True).annotate(
        open_projects=Count("led_requests", filter=Q(led_requests__state__in=OPEN_STATES), distinct=True),
        past_projects=Count("led_requests", distinct=True),
    )
    load = {m.username: m.open_projects for m in members}
    busy = {m.username: m.past_projects for m in members}
    outcomes = []
    for index, item in enumerate(items):
        suggestions = rank_members(request=placed[item.id])
        rng = random.Random(item.id)
        orders = {
            "baseline": _by(lambda s: -load[s.member.username], suggestions, rng),
            "busiest": _by(lambda s: busy[s.member.username], suggestions, rng),
            "fit only": _by(lambda s: s.signals["fit"], suggestions, rng),
            "knows only": _by(lambda s: s.signals["knows"], suggestions, rng),
        }
        outcomes.append(Outcome(item, [s.member.username for s in suggestions], orders))
        if (index + 1) % 100 == 0:
            log(f"    ranked {index + 1} of {len(items)}")
    return outcomes
