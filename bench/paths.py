"""Introduction paths benchmark: "who can introduce us to X?" on a large network, beside networkx.

What it measures
    1. Fills a throwaway database (fresh ``CERCLE_DATA_DIR``; SQLite) in stages (10,000 contacts, then
       N; each stage holds its share M·n/N of the interactions). Each contact belongs to an
       organisation of about 30 people; their exchanges with the hub are heavy-tailed in number (most
       people a handful, a few hundreds) over two years, and a quarter of them are mails with 2 to 5
       people (80 % from one organisation, the rest from anywhere): those tie each pair of their
       correspondents, as ``network/ties.py`` does at ingest. Strength comes from the app's ``Tally``
       (the interactions are folded while filling, not stored: the path search never reads them);
       ties are the ``ContactTie`` rows the path search reads.
    2. At each stage: ``introduction_paths`` (network/paths.py: up to 3 hops, ranked by the weakest
       link, 5 paths) for 200 random targets, each timed once after 20 warm-up targets; then the same
       graph loaded into ``networkx`` (hub → every contact it knows, weighted by the contact's score;
       every tie, by its strength; cost of a link = 101 − strength) and, for the same targets,
       ``nx.bidirectional_dijkstra`` from the hub (networkx's fastest weighted shortest path between
       two nodes; the graph is in memory, its loading is not timed). p50 / p95 in ms of each.
    3. Agreement: for the same targets, the best weakest-link value over every ≤ 3-hop path,
       enumerated exhaustively on the networkx graph, against the best path ``introduction_paths``
       found (it expands only the target's 200 strongest ties).
    4. Memory: the networkx graph's size (``tracemalloc`` while building it), the largest
       ``tracemalloc`` peak of one ``introduction_paths`` call (it holds no graph), and the process's
       peak RSS (``VmHWM``; it includes the networkx graph and the fill).

Run (from the project root)
    .venv/bin/python bench/paths.py                                      # quick: 10,000 contacts
    .venv/bin/python bench/paths.py --contacts 100000 --interactions 2000000

Options: ``--stages 10000`` (smaller sizes measured first), ``--targets 200``, ``--seed N``,
``--data-dir DIR``, ``--keep``.

Goals (from the issue): ≥ 10× faster than the networkx reference; p95 flat from 10k to 100k contacts.
MB here is 2**20 bytes. Progress goes to stderr. The last line of stdout is always
``paths: N contacts, M ties, p95 X ms, networkx p95 Y ms, ratio R, peak RSS Z MB``.
"""

from __future__ import annotations

import argparse
import gc
import math
import random
import statistics
import sys
import time
import tracemalloc
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

if not __package__:  # run as a script (python bench/paths.py): the bench's parts import from the root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import contextlib

from bench.common.env import data_dir_from, log, mb, remove_dirs, setup_django

ORG_SIZE = 30
MULTI_SHARE = 0.25  # of the interactions: mails with several people, which tie them
WARMUP = 20
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--interactions", type=int, help="at full size (default 20 per contact)")
    parser.add_argument("--stages", default="10000", help="smaller sizes measured first (comma-separated)")
    parser.add_argument("--targets", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20_261_205)
    parser.add_argument("--data-dir")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)
    if args.interactions is None:
        args.interactions = args.contacts * 20
    smaller = sorted({int(s) for s in args.stages.split(",") if s.strip()})
    args.sizes = [s for s in smaller if 0 < s < args.contacts] + [args.contacts]
    return args


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return mb(float(line.split()[1]))
    return 0.0


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)]


# --- Fill -----------------------------------------------------------------------------------------


class Filler:
    """Adds contacts and their exchanges stage by stage; pair events fold into ties as they come."""

    def __init__(self, seed: int) -> None:
        from cercle.network.strength import Tally

        self.rng = random.Random(seed)
        self.tallies: dict[int, Tally] = {}
        self.ids: list[int] = []  # contact pks, in creation order
        self.ties: dict[tuple[int, int], list] = {}  # (a, b) -> [count, a_wrote, b_wrote, first, last]
        self.saved_ties: set[tuple[int, int]] = set()
        self.interactions = 0

    def _when(self) -> datetime:
        return NOW - timedelta(seconds=self.rng.random() * 2 * 365 * 86400)

    def grow(self, contacts: int, interactions: int) -> None:
        from django.db import connection, transaction

        from cercle.network.models import Contact, ContactTie
        from cercle.network.strength import Tally

        rng, start = self.rng, len(self.ids)
        new = [
            Contact(
                name=f"Personne {i}",
                email=f"p{i}@org{i // ORG_SIZE}.example",
                organisation=f"Organisation {i // ORG_SIZE}",
                in_network=True,
            )
            for i in range(start, contacts)
        ]
        with transaction.atomic():
            Contact.objects.bulk_create(new, batch_size=2000)
        if connection.vendor == "sqlite" and new[0].pk is None:
            raise SystemExit("bulk_create returned no keys")
        self.ids += [c.pk for c in new]
        for contact in new:
            self.tallies[contact.pk] = Tally()
        population = len(self.ids)
        budget = interactions
        multi_budget = int(budget * MULTI_SHARE)
        # Person-to-person exchanges: heavy-tailed per contact (Pareto), spread over everyone.
        single = budget - multi_budget
        weights = [rng.paretovariate(1.3) for _ in range(population)]
        scale = single / sum(weights)
        for pk, w in zip(self.ids, weights, strict=True):
            tally = self.tallies[pk]
            for _ in range(max(0, round(w * scale))):
                tally.add(kind="mail", inbound=rng.random() < 0.5, at=self._when(), audience=1)
                self.interactions += 1
        # Mails with several people: each is an interaction with each of them, and ties each pair.
        while multi_budget > 0:
            k = rng.randint(2, 5)
            anchor = rng.randrange(population)
            org = anchor // ORG_SIZE
            people = {self.ids[anchor]}
            while len(people) < k:
                if rng.random() < 0.8:
                    i = org * ORG_SIZE + rng.randrange(ORG_SIZE)
                    i = i if i < population else anchor
                else:
                    i = rng.randrange(population)
                people.add(self.ids[i])
            at, outbound = self._when(), rng.random() < 0.4
            sender = None if outbound else rng.choice(sorted(people))
            for pk in people:
                self.tallies[pk].add(kind="mail", inbound=not outbound, at=at, audience=len(people))
            ordered = sorted(people)
            for x_index, x in enumerate(ordered):
                for y in ordered[x_index + 1 :]:
                    row = self.ties.get((x, y))
                    if row is None:
                        row = self.ties[(x, y)] = [0, 0, 0, at, at]
                    row[0] += 1
                    row[1] += sender == x
                    row[2] += sender == y
                    row[3], row[4] = min(row[3], at), max(row[4], at)
            multi_budget -= len(people)
            self.interactions += len(people)
        # Write: strength of everyone (one UPDATE per contact), then the ties (new rows, updated rows).
        from cercle.network.strength import _contacts_write

        with transaction.atomic():
            batch = []
            for pk in self.ids:
                contact = Contact(pk=pk, in_network=True)
                self.tallies[pk].apply(contact)
                batch.append(contact)
                if len(batch) >= 5000:
                    _contacts_write(batch)
                    batch = []
            _contacts_write(batch)
        with transaction.atomic():
            fresh, changed = [], []
            for (a, b), (count, a_wrote, b_wrote, first, last) in self.ties.items():
                tie = ContactTie(
                    a_id=a,
                    b_id=b,
                    count=count,
                    a_wrote=a_wrote,
                    b_wrote=b_wrote,
                    first_at=first,
                    last_at=last,
                )
                (changed if (a, b) in self.saved_ties else fresh).append(tie)
            ContactTie.objects.bulk_create(fresh, batch_size=2000)
            self.saved_ties.update(self.ties)
            with connection.cursor() as cursor:
                cursor.executemany(
                    "UPDATE network_contacttie SET count = %s, a_wrote = %s, b_wrote = %s, first_at = %s, "
                    "last_at = %s WHERE a_id = %s AND b_id = %s",
                    [
                        (
                            t.count,
                            t.a_wrote,
                            t.b_wrote,
                            t.first_at.isoformat(),
                            t.last_at.isoformat(),
                            t.a_id,
                            t.b_id,
                        )
                        for t in changed
                    ],
                )
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("ANALYZE")
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


# --- Measures -------------------------------------------------------------------------------------


@dataclass
class Stage:
    contacts: int
    interactions: int
    ties: int
    ours: list[float]
    theirs: list[float]
    agree: int
    checked: int
    graph_mb: float
    graph_seconds: float
    query_peak_kb: float


def nx_graph(at: datetime):
    import networkx as nx

    from cercle.network.models import Contact, ContactTie
    from cercle.network.strength import score_from_rank
    from cercle.network.ties import tie_strength

    graph = nx.Graph()
    for pk, rank_key in (
        Contact.objects.filter(merged_into__isnull=True)
        .values_list("pk", "rank_key")
        .iterator(chunk_size=10_000)
    ):
        score = score_from_rank(rank_key, at=at)
        graph.add_node(pk)
        if score > 0:
            graph.add_edge("hub", pk, strength=score, cost=101 - score)
    for a, b, count, a_wrote, b_wrote, last_at, manual in ContactTie.objects.values_list(
        "a_id", "b_id", "count", "a_wrote", "b_wrote", "last_at", "manual"
    ).iterator(chunk_size=10_000):
        s = tie_strength(count=count, a_wrote=a_wrote, b_wrote=b_wrote, last_at=last_at, manual=manual, at=at)
        if s > 0:
            graph.add_edge(a, b, strength=s, cost=101 - s)
    return graph


def best_weakest(graph, target: int) -> int:
    """Exhaustive: the best weakest link over every path hub → A → target or hub → A → B → target."""
    adj = graph.adj
    best = 0
    hub = adj["hub"]
    for b, tb in adj[target].items():
        if b == "hub":
            continue
        if b in hub:
            best = max(best, min(hub[b]["strength"], tb["strength"]))
        for a, ab in adj[b].items():
            if a in ("hub", target) or a not in hub:
                continue
            best = max(best, min(hub[a]["strength"], ab["strength"], tb["strength"]))
    return best


def measure(filler: Filler, targets_n: int, rng: random.Random) -> Stage:
    import networkx as nx
    from django.db import connections

    from cercle.network.models import ContactTie
    from cercle.network.paths import introduction_paths

    connections.close_all()
    gc.collect()
    targets = rng.sample(filler.ids, WARMUP + targets_n)
    ours: list[float] = []
    found: dict[int, int] = {}
    query_peak = 0
    for i, target in enumerate(targets):
        started = time.perf_counter()
        paths = introduction_paths(target_id=target, at=NOW)
        elapsed = (time.perf_counter() - started) * 1000
        if i >= WARMUP:
            ours.append(elapsed)
            found[target] = paths[0].weakest if paths else 0
    for target in targets[WARMUP : WARMUP + 20]:  # memory of one call, measured apart from its time
        tracemalloc.start()
        introduction_paths(target_id=target, at=NOW)
        query_peak = max(query_peak, tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    log("    building the networkx graph")
    gc.collect()
    tracemalloc.start()
    started = time.perf_counter()
    graph = nx_graph(NOW)
    graph_seconds = time.perf_counter() - started
    graph_bytes = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    theirs: list[float] = []
    for i, target in enumerate(targets):
        started = time.perf_counter()
        with contextlib.suppress(nx.NetworkXNoPath):
            nx.bidirectional_dijkstra(graph, "hub", target, weight="cost")
        elapsed = (time.perf_counter() - started) * 1000
        if i >= WARMUP:
            theirs.append(elapsed)
    agree = sum(best_weakest(graph, t) == found[t] for t in found)
    ties = ContactTie.objects.count()
    del graph
    gc.collect()
    return Stage(
        contacts=len(filler.ids),
        interactions=filler.interactions,
        ties=ties,
        ours=ours,
        theirs=theirs,
        agree=agree,
        checked=len(found),
        graph_mb=graph_bytes / 2**20,
        graph_seconds=graph_seconds,
        query_peak_kb=query_peak / 1024,
    )


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    data_dir, created = data_dir_from(args.data_dir, prefix="cercle-bench-paths-")
    setup_django(data_dir)
    from django.core.management import call_command

    try:
        log(f"bench: {args.contacts:,} contacts, {args.interactions:,} interactions, data dir {data_dir}")
        call_command("migrate", interactive=False, verbosity=0)
        filler = Filler(args.seed)
        rng = random.Random(args.seed + 1)
        stages: list[Stage] = []
        for size in args.sizes:
            share = args.interactions * size // args.contacts - filler.interactions
            log(f"  filling to {size:,} contacts (+{share:,} interactions)")
            started = time.perf_counter()
            filler.grow(size, share)
            log(f"    filled in {time.perf_counter() - started:.0f} s; measuring")
            stages.append(measure(filler, args.targets, rng))
        print(
            f"{'contacts':>9} {'interactions':>12} {'ties':>9} | {'paths p50':>9} {'p95':>7} | "
            f"{'networkx p50':>12} {'p95':>7} | {'ratio':>6} | {'agree':>7} | {'nx graph MB':>11} {'load s':>6} | "
            f"{'query peak KB':>13}"
        )
        for s in stages:
            ratio = pct(s.theirs, 0.95) / pct(s.ours, 0.95)
            print(
                f"{s.contacts:>9,} {s.interactions:>12,} {s.ties:>9,} | {statistics.median(s.ours):>9.1f} "
                f"{pct(s.ours, 0.95):>7.1f} | {statistics.median(s.theirs):>12.1f} {pct(s.theirs, 0.95):>7.1f} | "
                f"{ratio:>5.1f}x | {s.agree:>3}/{s.checked:<3} | {s.graph_mb:>11.1f} {s.graph_seconds:>6.1f} | "
                f"{s.query_peak_kb:>13.0f}"
            )
        first, last = stages[0], stages[-1]
        growth = pct(last.ours, 0.95) / pct(first.ours, 0.95)
        print(
            f"(ms; agree: targets whose best weakest link equals the exhaustive ≤ 3-hop search on the same graph; "
            f"p95 growth {first.contacts:,} → {last.contacts:,}: {growth:.2f}x)"
        )
        ratio = pct(last.theirs, 0.95) / pct(last.ours, 0.95)
        print(
            f"paths: {last.contacts} contacts, {last.ties} ties, p95 {pct(last.ours, 0.95):.1f} ms, "
            f"networkx p95 {pct(last.theirs, 0.95):.1f} ms, ratio {ratio:.1f}, peak RSS {peak_rss_mb():.0f} MB"
        )
    finally:
        if created and not args.keep:
            remove_dirs([data_dir])


if __name__ == "__main__":
    main()
