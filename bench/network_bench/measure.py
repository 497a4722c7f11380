"""The measuring of the network bench: "who can do X?" (the function and its page), the network list and
profile pages through the real Django stack, the strength recompute in a child process, the fold.

Latencies are wall-clock milliseconds (``time.perf_counter``) after a warm-up; p95 is the 19th
20-quantile (inclusive). Query counts come from ``CaptureQueriesContext`` on one extra request.
"""

from __future__ import annotations

import random
import re
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from ..common.env import ROOT, child_env, log
from ..common.process import Run, run_measured
from . import texts


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]


@dataclass
class Timing:
    p50: float
    p95: float
    worst: float
    queries: int = 0  # the most any measured request ran
    samples: int = 0
    cpu_p95: float = 0.0  # this process's CPU time: steadier than wall time on a busy machine

    @classmethod
    def of(cls, timings: list[float], queries: int = 0, cpu: list[float] | None = None) -> Timing:
        return cls(
            statistics.median(timings),
            p95(timings),
            max(timings),
            queries,
            len(timings),
            p95(cpu) if cpu else 0.0,
        )


@dataclass
class QueryFigure:
    query: str
    matches: int  # documents matching every word (all of them, not only the 200 candidates)
    hits: int
    p50: float
    p95: float


@dataclass
class StageResult:
    contacts: int
    interactions: int
    search: Timing
    per_query: list[QueryFigure]
    search_rounds: list[float]  # the p95 of each round
    search_page: Timing
    list_page: Timing
    deep_list_page: Timing
    profile_page: Timing
    heaviest_profile: Timing
    heaviest_interactions: int
    notes: list[str] = field(default_factory=list)


# --- "Who can do X?" ------------------------------------------------------------------------------


def match_count(query: str) -> int:
    """How many search documents contain every word of the query (what the database ranks)."""
    from django.db import connection

    from cercle.network import search

    # The search's own query building (private: the bench follows it if it changes).
    groups = getattr(search, "query_groups", None) or search._query_groups  # type: ignore[attr-defined]
    _fts_match, _ts_query = search._fts_match, search._ts_query
    groups = groups(query)
    if not groups:
        return 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM network_contactsearch WHERE document_tsv @@ to_tsquery('simple', %s)",
                [_ts_query(groups, every=True)],
            )
        else:
            cursor.execute(
                "SELECT count(*) FROM network_contact_fts WHERE network_contact_fts MATCH %s",
                [_fts_match(groups, every=True)],
            )
        return int(cursor.fetchone()[0])


def measure_search(
    iterations: int, warmup: int, rounds: int = 3
) -> tuple[Timing, list[QueryFigure], list[float]]:
    """`who_can` on every question of texts.QUERIES, as the leader asks it (no restriction).

    `rounds` times over all the questions, `iterations` runs of each; the figures are those of the
    round with the lowest p95 (with the p95 of every round): on a shared machine, another process's
    burst inflates one round, not the cost of the search."""
    from cercle.network.search import who_can

    matches = {query: match_count(query) for query in texts.QUERIES}
    results: list[tuple[Timing, list[QueryFigure]]] = []
    for _ in range(rounds):
        pooled: list[float] = []
        pooled_cpu: list[float] = []
        figures = []
        for query in texts.QUERIES:
            for _ in range(warmup):
                who_can(query)
            timings = []
            hits = 0
            for _ in range(iterations):
                started, cpu_started = time.perf_counter(), time.process_time()
                hits = len(who_can(query))
                timings.append((time.perf_counter() - started) * 1000)
                pooled_cpu.append((time.process_time() - cpu_started) * 1000)
            pooled += timings
            figures.append(QueryFigure(query, matches[query], hits, statistics.median(timings), p95(timings)))
        results.append((Timing.of(pooled, cpu=pooled_cpu), figures))
    best = min(results, key=lambda r: r[0].p95)
    return best[0], best[1], [r[0].p95 for r in results]


# --- Pages ----------------------------------------------------------------------------------------


def _client(user: Any) -> Any:
    from django.conf import settings
    from django.test import Client

    if "localhost" not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client


def time_pages(client: Any, urls: list[str], iterations: int, warmup: int) -> Timing:
    """Each URL warmed up, its queries counted once, then the URLs timed in turn `iterations` times."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def get(url: str) -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")

    most = 0
    for url in urls:
        for _ in range(warmup):
            get(url)
        with CaptureQueriesContext(connection) as captured:
            get(url)
        most = max(most, len(captured.captured_queries))
    timings = []
    for i in range(iterations):
        url = urls[i % len(urls)]
        started = time.perf_counter()
        get(url)
        timings.append((time.perf_counter() - started) * 1000)
    return Timing.of(timings, most)


def profile_sample(rng: random.Random, size: int = 30) -> tuple[list[int], int, int]:
    """Contacts whose profile is measured: random people of the network, plus the five with the most
    interactions; and (the heaviest one's id, its interaction count)."""
    from django.db.models import Count

    from cercle.network.models import Contact, Interaction

    heavy = list(
        Interaction.objects.values("contact_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("contact_id", "n")[:5]
    )
    top = Contact.objects.order_by("-pk").values_list("pk", flat=True).first() or 1
    picked: set[int] = set()
    while len(picked) < size:
        pk = rng.randint(1, top)
        if Contact.objects.filter(pk=pk, in_network=True).exists():
            picked.add(pk)
    return sorted(picked) + [pk for pk, _ in heavy], heavy[0][0], heavy[0][1]


def measure_stage(
    *,
    leader: Any,
    contacts: int,
    interactions: int,
    iterations: int,
    page_iterations: int,
    warmup: int,
    seed: int,
) -> StageResult:
    from urllib.parse import quote

    log(f"  measuring at {contacts:,} contacts")
    search, per_query, rounds = measure_search(iterations, warmup)
    log(
        f"    who_can: p50 {search.p50:.1f} ms, p95 {search.p95:.1f} ms (rounds: {', '.join(f'{r:.1f}' for r in rounds)})"
    )
    client = _client(leader)
    search_page = time_pages(
        client, [f"/network/?q={quote(q)}" for q in texts.QUERIES], page_iterations, min(warmup, 1)
    )
    log(f"    search page: p95 {search_page.p95:.1f} ms, {search_page.queries} queries at most")
    list_page = time_pages(client, ["/network/"], page_iterations, warmup)
    deep = time_pages(client, ["/network/?page=10"], page_iterations, warmup)
    log(f"    list page: p95 {list_page.p95:.1f} ms, {list_page.queries} queries")
    sample, heaviest, heaviest_n = profile_sample(random.Random(seed))
    profile = time_pages(client, [f"/network/{pk}/" for pk in sample], page_iterations, 1)
    heavy = time_pages(client, [f"/network/{heaviest}/"], max(10, page_iterations // 5), warmup)
    log(f"    profile page: p95 {profile.p95:.1f} ms, {profile.queries} queries at most")
    return StageResult(
        contacts,
        interactions,
        search,
        per_query,
        rounds,
        search_page,
        list_page,
        deep,
        profile,
        heavy,
        heaviest_n,
    )


# --- Recompute and fold -----------------------------------------------------------------------------

_CHILD = """
import sys, time
sys.path.insert(0, {root!r})
import django
django.setup()
from cercle.network.strength import strength_recompute
if {work}:
    started = time.perf_counter()
    updated = strength_recompute()
    print(f"recompute: {{updated}} contacts in {{time.perf_counter() - started:.3f}} s")
else:
    from cercle.network.models import Contact
    print(f"idle: {{Contact.objects.count()}} contacts")
# The high-water mark of this process image alone (see Recompute.hwm_kib).
with open("/proc/self/status") as status:
    print(next(line for line in status if line.startswith("VmHWM:")).strip())
"""
_RECOMPUTE_LINE = re.compile(r"recompute: (\d+) contacts in ([\d.]+) s")
_HWM_LINE = re.compile(r"VmHWM:\s+(\d+) kB")


@dataclass
class Recompute:
    run: Run
    idle: Run
    contacts: int
    seconds: float  # strength_recompute itself (the child's wall time includes Django's start)
    max_rank_diff: float
    compared: int
    # VmHWM read by the child at its end: its own peak since exec. `run.peak_kib` (ru_maxrss from
    # wait4) also counts, on Linux, the bench process's own resident size when it spawned the child
    # (the kernel keeps the larger of the pre-exec image and the new one), so it is never below the
    # bench's size; the VmHWM is the figure of the recompute itself.
    hwm_kib: int
    idle_hwm_kib: int


def _hwm(run: Run) -> int:
    match = _HWM_LINE.search(run.output)
    return int(match.group(1)) if match else 0


def rank_keys(pks: list[int]) -> dict[int, float]:
    from cercle.network.models import Contact

    found: dict[int, float] = {}
    for start in range(0, len(pks), 500):
        found.update(Contact.objects.filter(pk__in=pks[start : start + 500]).values_list("pk", "rank_key"))
    return found


def measure_recompute(data_dir: Path, sample: list[int]) -> Recompute:
    """`strength_recompute()` of everything in a child process (its wall time and ``ru_maxrss``), an idle
    child for comparison (Django started, one query), and the rank keys of `sample` before and after
    (the fill's `Tally` against the recompute)."""
    from django.db import connections

    before = rank_keys(sample)
    connections.close_all()  # the child writes: SQLite wants a single writer
    env = child_env(data_dir)
    idle = run_measured([sys.executable, "-c", _CHILD.format(root=str(ROOT), work=False)], env, "idle child")
    log("  strength_recompute in a child process")
    run = run_measured(
        [sys.executable, "-c", _CHILD.format(root=str(ROOT), work=True)], env, "recompute", every=15.0
    )
    if run.returncode != 0:
        log(run.output[-4000:])
        raise SystemExit(f"strength_recompute failed (exit {run.returncode})")
    match = _RECOMPUTE_LINE.search(run.output)
    if match is None:
        log(run.output[-4000:])
        raise SystemExit("strength_recompute: no summary line")
    after = rank_keys(sample)
    diff = max((abs(before[pk] - after[pk]) for pk in before if pk in after), default=0.0)
    return Recompute(
        run, idle, int(match.group(1)), float(match.group(2)), diff, len(before), _hwm(run), _hwm(idle)
    )


@dataclass
class Fold:
    batch: int
    batch_seconds: float
    single_ms: list[float]


def measure_fold(rng: random.Random, batch: int = 5_000, singles: int = 20) -> Fold:
    """New interactions (unfolded) for random contacts, then `strength_fold()`: a batch of `batch` at
    once, and `singles` times one alone (what a mail arriving costs)."""
    from django.utils import timezone

    from cercle.network.models import Contact, Interaction
    from cercle.network.strength import strength_fold

    top = Contact.objects.order_by("-pk").values_list("pk", flat=True).first() or 1
    now = timezone.now()
    serial = [0]

    def new(n: int) -> None:
        rows = []
        for _ in range(n):
            serial[0] += 1
            rows.append(
                Interaction(
                    contact_id=rng.randint(1, top),
                    kind="mail",
                    inbound=rng.random() < 0.5,
                    at=now - timedelta(seconds=rng.randint(0, 3600)),
                    subject="Re: bilan carbone",
                    source_key=f"<fold{serial[0]}@bench.invalid>",
                    audience=1,
                )
            )
        Interaction.objects.bulk_create(rows, batch_size=1000)

    new(batch)
    started = time.perf_counter()
    folded = strength_fold()
    batch_seconds = time.perf_counter() - started
    if folded != batch:
        log(f"  note: strength_fold folded {folded} interactions, {batch} were new")
    single = []
    for _ in range(singles):
        new(1)
        started = time.perf_counter()
        strength_fold()
        single.append((time.perf_counter() - started) * 1000)
    return Fold(batch, batch_seconds, single)
