"""The speed part of the routing bench: a circle of N members with M past projects, in bulk, and the
timing of ``rank_members`` for one request.

The fill (fresh tables for each stage): N members (users with a profile in one or two of the 30 trades
of ``texts``, French and English headlines, skills, an offer statement, working languages, capacity 2
to 5, one in twenty away), M past requests led by them (heavy-tailed: a few members lead many), each
with its project space (a team of one or two other members for one in five), its offers (the lead
accepted; zero to two others declined or let expire) and a requester among M/3 contacts of M/10
organisations. A past project speaks of its lead's trade four times in five. About 1.5 open projects
per member (accepted or kicked off), the rest closed: won, lost or no-go. A few notes about requesters.
The routing words of every member stored as ``manage.py routing_words`` does after a bulk import
(``cercle/circle/words.py``). Then 12 new requests (validated, waiting to be routed) in 12 trades, French and English, half of them
from a requester the circle already worked with.

The timing: for each of the 12 requests, a cold call (the fold caches and the words ranking keeps in
memory emptied first: the first routing page after a restart; the stored words stay, as in the database) then ``warmup`` untimed calls and ``iterations`` timed ones; p95 over
all the timed calls, wall clock and this process's CPU time; the SQL queries of one call.
"""

from __future__ import annotations

import random
import statistics
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from ..common.env import log
from ..page_bench.texts import contact_fields
from . import texts

PROBES = 12
BATCH = 2_000


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]


@dataclass
class FillStats:
    members: int
    projects: int
    open_projects: int
    contacts: int
    offers: int
    seconds: float


def fill(*, members: int, projects: int, seed: int) -> tuple[FillStats, list[Any]]:
    """A fresh circle of ``members`` with ``projects`` past projects; returns the stats and the new
    requests to rank."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from cercle.accounts.models import Role, User
    from cercle.circle.models import MemberProfile, Offer, OfferState
    from cercle.circulation.models import Request
    from cercle.circulation.states import Outcome, State
    from cercle.network.models import Contact, ContactNote
    from cercle.projects.models import Project

    started = time.perf_counter()
    rng = random.Random(seed)
    now = timezone.now()
    n_trades = len(texts.TRADES)
    unusable = make_password(None)
    with transaction.atomic():
        users = User.objects.bulk_create(
            [
                User(
                    username=f"member{i}",
                    email=f"member{i}@circle.invalid",
                    first_name=rng.choice(("Claire", "Karim", "Inès", "Tom", "Nadia", "Oliver", "Zoé")),
                    last_name=f"M{i}",
                    role=Role.MEMBER,
                    language=rng.choice(("fr", "fr", "en")),
                    password=unusable,
                )
                for i in range(members)
            ]
        )
        member_trades = {}
        profiles = []
        for user in users:
            trades = sorted(set(rng.sample(range(n_trades), rng.choice((1, 2, 2)))))
            member_trades[user.pk] = trades
            fields = texts.member_profile(rng, trades)
            away = now.date() + timedelta(days=rng.randint(3, 30)) if rng.random() < 0.05 else None
            profiles.append(
                MemberProfile(user=user, capacity=rng.randint(2, 5), unavailable_until=away, **fields)
            )
            if rng.random() < 0.5:
                user.offer_statement = fields["offers"]
        MemberProfile.objects.bulk_create(profiles)
        User.objects.bulk_update([u for u in users if u.offer_statement], ["offer_statement"])

    # Requesters: M/3 contacts of M/10 organisations.
    n_contacts = max(projects // 3, 10)
    n_orgs = max(projects // 10, 5)
    orgs: list[str] = []
    contacts: list[Any] = []
    for index in range(n_contacts):
        name, email, org, lang = contact_fields(rng, index)
        if len(orgs) < n_orgs:
            orgs.append(org)
        else:
            org = rng.choice(orgs)
        contacts.append(Contact(name=name, email=email, organisation=org, language=lang, chosen=True))
    with transaction.atomic():
        contacts = Contact.objects.bulk_create(contacts, batch_size=BATCH)

    # Heavy-tailed leads: member k leads with weight 1/(k+1)^0.8 (shuffled).
    weights = [1 / (k + 1) ** 0.8 for k in range(members)]
    rng.shuffle(weights)
    ids = [u.pk for u in users]
    open_share = min(0.15, 1.5 * members / projects)
    offers_made = open_count = 0
    for start in range(0, projects, BATCH):
        size = min(BATCH, projects - start)
        leads = rng.choices(ids, weights=weights, k=size)
        rows = []
        for lead in leads:
            trade = rng.choice(member_trades[lead]) if rng.random() < 0.8 else rng.randrange(n_trades)
            requester = rng.choice(contacts)
            lang = requester.language if rng.random() < 0.9 else rng.choice(("fr", "en"))
            subject, summary = texts.request_text(rng, trade, lang, requester.organisation, requester.name)
            received = now - timedelta(days=rng.uniform(20, 3 * 365))
            if rng.random() < open_share:
                state, outcome, closed = rng.choice((State.ACCEPTED, State.KICKED_OFF)), "", None
                open_count += 1
            else:
                state = State.CLOSED
                outcome = rng.choices((Outcome.WON, Outcome.LOST, Outcome.NO_GO), weights=(5, 3, 2))[0]
                closed = received + timedelta(days=rng.randint(10, 120))
            rows.append(
                Request(
                    subject=subject[:300],
                    summary=summary,
                    requester=requester,
                    language=lang,
                    state=state,
                    state_changed_at=closed or received,
                    received_at=received,
                    lead_id=lead,
                    lead_at=received + timedelta(days=2),
                    outcome=outcome,
                    closed_at=closed,
                )
            )
        with transaction.atomic():
            rows = Request.objects.bulk_create(rows, batch_size=BATCH)
            made = Project.objects.bulk_create(
                [
                    Project(request=r, lead_id=lead, created_at=r.received_at)
                    for r, lead in zip(rows, leads, strict=True)
                ],
                batch_size=BATCH,
            )
            team = []
            offers = []
            for request, project, lead in zip(rows, made, leads, strict=True):
                others = [pk for pk in rng.sample(ids, min(3, len(ids))) if pk != lead][:2]
                if rng.random() < 0.2:
                    team += [
                        Project.team.through(project_id=project.pk, user_id=pk)
                        for pk in others[: rng.randint(1, 2)]
                    ]
                at = request.received_at + timedelta(days=1)
                offers.append(
                    Offer(request=request, member_id=lead, state=OfferState.ACCEPTED, created_at=at)
                )
                for pk in others[: rng.choice((0, 0, 1, 2))]:
                    answer = rng.choice((OfferState.DECLINED, OfferState.DECLINED, OfferState.EXPIRED))
                    offers.append(Offer(request=request, member_id=pk, state=answer, created_at=at))
            Project.team.through.objects.bulk_create(team, batch_size=BATCH)
            Offer.objects.bulk_create(offers, batch_size=BATCH)
            offers_made += len(offers)
    with transaction.atomic():
        ContactNote.objects.bulk_create(
            [
                ContactNote(contact=rng.choice(contacts), author_id=rng.choice(ids), text="Très réactive.")
                for _ in range(max(projects // 50, 1))
            ]
        )

    # The requests to rank: 12 trades, French and English, half from a requester already served.
    served = list(
        Request.objects.filter(state=State.CLOSED).values_list("requester_id", flat=True)[: PROBES * 10]
    )
    by_pk = {c.pk: c for c in contacts}
    probes = []
    for index, trade in enumerate(rng.sample(range(n_trades), PROBES)):
        requester = by_pk[rng.choice(served)] if index % 2 == 0 else rng.choice(contacts)
        lang = "fr" if index % 3 else "en"
        subject, summary = texts.request_text(rng, trade, lang, requester.organisation, requester.name)
        probes.append(
            Request.objects.create(
                subject=subject, summary=summary, requester=requester, language=lang, state=State.APPROVED
            )
        )
    stats = FillStats(
        members, projects, open_count, len(contacts), offers_made, time.perf_counter() - started
    )
    log(
        f"  filled {members} members, {projects:,} past projects ({open_count} open), {len(contacts):,} "
        f"requesters, {offers_made:,} offers in {stats.seconds:.1f} s"
    )
    # Filled in bulk, past the services that keep the routing words: built as `manage.py routing_words`
    # does after an import (else the first ranking builds them, once).
    from cercle.circle.words import member_words_refresh

    started = time.perf_counter()
    member_words_refresh(member_ids=[u.pk for u in users])
    log(f"  routing words stored for {members} members in {time.perf_counter() - started:.1f} s")
    return stats, probes


@dataclass
class SpeedResult:
    stats: FillStats
    cold_ms: list[float]  # one per request, the fold caches emptied before each
    warm_ms: list[float]
    warm_cpu_ms: list[float]
    queries: int

    @property
    def warm_p95(self) -> float:
        return p95(self.warm_ms)

    @property
    def warm_p50(self) -> float:
        return statistics.median(self.warm_ms)

    @property
    def cold_p95(self) -> float:
        return p95(self.cold_ms)


def measure(stats: FillStats, probes: list[Any], *, iterations: int, warmup: int) -> SpeedResult:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cercle.circle import ranking

    cold, warm, cpu = [], [], []
    queries = 0
    for request in probes:
        ranking._folded.clear()  # both caches of the fold, and the words kept in memory: a process
        ranking._chunks.clear()  # that just started
        ranking.index_clear()
        started = time.perf_counter()
        ranking.rank_members(request=request)
        cold.append((time.perf_counter() - started) * 1000)
        for _ in range(warmup):
            ranking.rank_members(request=request)
        for _ in range(iterations):
            started, started_cpu = time.perf_counter(), time.process_time()
            ranking.rank_members(request=request)
            warm.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        with CaptureQueriesContext(connection) as captured:
            ranking.rank_members(request=request)
        queries = max(queries, len(captured.captured_queries))
    return SpeedResult(stats, cold, warm, cpu, queries)
