"""Network benchmark: "who can do X?", the network pages and relationship strength on a large network.

What it measures
    1. Fills a throwaway database (fresh ``CERCLE_DATA_DIR``; SQLite by default, PostgreSQL when
       ``DATABASE_URL`` is set) with N contacts and M interactions, in stages (1,000 contacts, then
       10,000, then N; each stage holds its share M·n/N of the interactions): French and English
       profiles (what they do, offers, needs, tags, how we met) for a third of them, name, address and
       organisation for all, notes for a few, two years of interactions per contact, heavy-tailed in
       number (most people a handful, a few thousands), their identities and search documents (the
       app's ``fold``). Strength is computed by the app's ``Tally`` while filling. See
       ``bench/network_bench/fill.py``.
    2. At each stage: ``who_can`` (the "who in my network can do X?" search) on 24 questions (common,
       rare and unanswered topics, French and English, one or several words), each timed
       ``--iterations`` times after a warm-up, in 3 rounds (the round with the lowest p95 is reported,
       with every round's p95: on a shared machine another process's burst inflates one round); then through the real Django stack as the leader
       (``django.test.Client``, DEBUG off): the search page ``/network/?q=``, the network list
       ``/network/`` (first page and page 10), and the profile ``/network/<pk>/`` of 30 random people
       of the network plus the 5 with the most interactions — p50 / p95 in ms and SQL queries per page.
    3. At the full size: ``strength_recompute()`` of everyone in a child process (its wall time and peak
       RSS; an idle child that only starts Django, for comparison), checking that it finds the rank keys
       the fill computed; then the fold (``strength_fold``) of 5,000 new interactions at once and of one
       new interaction at a time. The peak is the child's own ``VmHWM`` read at its end: ``ru_maxrss``
       (``wait4``, also printed) counts on Linux the resident size of the process that spawned the
       child too, here the bench with its filled network.

    Between the fill and the timings the bench folds SQLite's write-ahead log back into the database
    (``PRAGMA wal_checkpoint``: a bulk fill leaves hundreds of MB in it, which a running hub would have
    checkpointed long before), on PostgreSQL runs ``VACUUM`` (autovacuum's work after a bulk insert:
    the GIN pending list merged, the visibility map set), reconnects and freezes the fill's objects out
    of the garbage collector.

Run (from the project root)
    .venv/bin/python bench/network.py                                   # quick: 10,000 contacts
    .venv/bin/python bench/network.py --contacts 100000 --interactions 2000000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cercle_bench_network .venv/bin/python bench/network.py \
        --contacts 100000 --interactions 2000000 --flush

Options: ``--stages 1000,10000`` (the smaller sizes measured before N; growth is p95 at N over p95 at
the first), ``--iterations N`` (timed runs of each question, default 10), ``--page-iterations N``
(timed requests per page kind, default 60), ``--warmup N`` (default 2), ``--data-dir DIR``,
``--keep``, ``--flush``, ``--analyze`` (ANALYZE after each stage on SQLite too; always on
PostgreSQL), ``--seed N``, ``--profile`` (cProfile of the slowest question at N, with its SQL).

Goals (from the issue): search p95 flat from 1k to 100k contacts (growth ≤ 1.5); the recompute's peak
RSS ≤ 500 MB; pages' query counts flat in the number of rows. MB here is 2**20 bytes.

Progress goes to stderr. The last line of stdout is always
``network: N contacts, M interactions, search p95 X ms (growth G), recompute S s, peak RSS R MB``.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import sys
import time
from pathlib import Path

if not __package__:  # run as a script (python bench/network.py): the bench's parts import from the root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common.database import analyze, database_label, prepare_database, release_database
from bench.common.env import data_dir_from, load_average, log, mb, remove_dirs, setup_django
from bench.common.profiling import print_profile, profile_call
from bench.network_bench import texts
from bench.network_bench.fill import NetworkFiller, check_documents
from bench.network_bench.measure import StageResult, measure_fold, measure_recompute, measure_stage

GROWTH_GOAL = 1.5
RSS_GOAL_MB = 500


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=10_000, help="contacts at full size (default 10,000)")
    parser.add_argument("--interactions", type=int, help="interactions at full size (default 20 per contact)")
    parser.add_argument(
        "--stages", default="1000,10000", help="smaller sizes measured first (comma-separated)"
    )
    parser.add_argument("--iterations", type=int, default=10, help="timed runs of each question (default 10)")
    parser.add_argument("--page-iterations", type=int, default=60, help="timed requests per page kind")
    parser.add_argument("--warmup", type=int, default=2, help="untimed runs first (default 2)")
    parser.add_argument("--data-dir", help="CERCLE_DATA_DIR to use (default: a new temporary directory)")
    parser.add_argument("--keep", action="store_true", help="keep the data dir / the PostgreSQL rows")
    parser.add_argument(
        "--flush", action="store_true", help="empty the bench tables if the database has data"
    )
    parser.add_argument(
        "--analyze", action="store_true", help="ANALYZE after each stage (always on PostgreSQL)"
    )
    parser.add_argument("--seed", type=int, default=20_250_111, help="random seed (the fill is reproducible)")
    parser.add_argument("--profile", action="store_true", help="profile the slowest question at full size")
    args = parser.parse_args(argv)
    if args.contacts < 100:
        parser.error("--contacts must be at least 100")
    if args.interactions is None:
        args.interactions = args.contacts * 20
    try:
        smaller = sorted({int(s) for s in args.stages.split(",") if s.strip()})
    except ValueError:
        parser.error("--stages wants sizes separated by commas")
    args.sizes = [s for s in smaller if 0 < s < args.contacts] + [args.contacts]
    if args.iterations < 2 or args.page_iterations < 2 or args.warmup < 0:
        parser.error("--iterations and --page-iterations must be at least 2")
    return args


def settle() -> None:
    """Between the fill and the timings, the state a running hub is in: SQLite's write-ahead log folded
    back into the database (a bulk fill leaves hundreds of MB in it, which every read then looks up),
    PostgreSQL's tables vacuumed (autovacuum's work), a fresh connection, and the fill's objects out
    of the garbage collector's way."""
    from django.db import connection, connections

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    else:
        # PostgreSQL: what autovacuum (on by default) does after a bulk insert: the GIN index's pending
        # list merged into the index (else every search scans it) and the visibility map set.
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM")
        log(f"  VACUUM in {time.perf_counter() - started:.1f} s")
    connections.close_all()
    gc.collect()
    gc.freeze()


def holds_contacts() -> bool:
    from cercle.network.models import Contact

    return Contact.objects.exists()


def make_leader() -> object:
    from cercle.accounts.models import Role, User

    return User.objects.create_user(
        username="leader", email="leader@hub.invalid", role=Role.LEADER, first_name="Léa", language="fr"
    )


# --- Report ---------------------------------------------------------------------------------------


def print_stages(stages: list[StageResult]) -> None:
    print(
        f"{'contacts':>9} {'interactions':>12} | {'who_can p50':>11} {'p95':>7} | {'search page p95':>15} {'q':>3} | "
        f"{'list p95':>8} {'q':>3} | {'page 10':>7} {'q':>3} | {'profile p95':>11} {'q':>3} | "
        f"{'heaviest profile':>16} {'q':>3}"
    )
    for s in stages:
        print(
            f"{s.contacts:>9,} {s.interactions:>12,} | {s.search.p50:>11.1f} {s.search.p95:>7.1f} | "
            f"{s.search_page.p95:>15.1f} {s.search_page.queries:>3} | {s.list_page.p95:>8.1f} {s.list_page.queries:>3} | "
            f"{s.deep_list_page.p95:>7.1f} {s.deep_list_page.queries:>3} | {s.profile_page.p95:>11.1f} "
            f"{s.profile_page.queries:>3} | {s.heaviest_profile.p95:>9.1f} ({s.heaviest_interactions:>5}) "
            f"{s.heaviest_profile.queries:>3}"
        )
    print(
        "(ms; who_can: the best of 3 rounds, whose p95 were "
        + "; ".join(f"{s.contacts:,}: " + ", ".join(f"{r:.1f}" for r in s.search_rounds) for s in stages)
        + "; q = SQL queries of the heaviest request of that kind; heaviest profile: its interactions)"
    )


def print_queries(first: StageResult, last: StageResult) -> None:
    print(
        f"\nwho_can per question: matches (documents with every word) and p95 ms, at {first.contacts:,} and "
        f"{last.contacts:,} contacts"
    )
    print(
        f"  {'question':<36} {'matches':>8} {'p95':>7} | {'matches':>8} {'p95':>7} {'growth':>7} {'hits':>5}"
    )
    for a, b in zip(first.per_query, last.per_query, strict=True):
        growth = b.p95 / a.p95 if a.p95 else 0.0
        print(
            f"  {a.query:<36} {a.matches:>8,} {a.p95:>7.1f} | {b.matches:>8,} {b.p95:>7.1f} {growth:>6.2f}x {b.hits:>5}"
        )


def profile_slowest(last: StageResult) -> None:
    from cercle.network.search import who_can

    slowest = max(last.per_query, key=lambda q: q.p95)
    runs = 5
    profile = profile_call(lambda: [who_can(slowest.query) for _ in range(runs)])
    print(f"\nprofile: who_can({slowest.query!r}) x {runs}, {profile.seconds * 1000 / runs:.1f} ms each")
    print_profile(profile, runs, 20)


# --- Main -----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    data_dir, created_dir = data_dir_from(args.data_dir, prefix="cercle-bench-network-")
    setup_django(data_dir)

    from django.db import connection

    owns_rows = False
    try:
        log(
            f"bench: {args.contacts:,} contacts, {args.interactions:,} interactions, stages "
            f"{', '.join(f'{s:,}' for s in args.sizes)}, data dir {data_dir}, database {connection.vendor}"
        )
        prepare_database(args.flush, holds_contacts, "contacts")
        owns_rows = True
        leader = make_leader()
        filler = NetworkFiller(seed=args.seed, author_id=leader.pk)  # type: ignore[attr-defined]
        stages: list[StageResult] = []
        for size in args.sizes:
            interactions = round(args.interactions * size / args.contacts)
            filler.grow(contacts=size, interactions=interactions)
            if args.analyze or connection.vendor == "postgresql":
                started = time.perf_counter()
                analyze()
                log(f"  ANALYZE in {time.perf_counter() - started:.1f} s")
            settle()
            stages.append(
                measure_stage(
                    leader=leader,
                    contacts=filler.stats.contacts,
                    interactions=filler.stats.interactions,
                    iterations=args.iterations,
                    page_iterations=args.page_iterations,
                    warmup=args.warmup,
                    seed=args.seed,
                )
            )
        first, last = stages[0], stages[-1]
        equal, checked = check_documents(filler.documents)
        db_label = database_label(show_path=True)
        if args.profile:
            profile_slowest(last)
        rng = random.Random(args.seed)
        from cercle.network.models import Contact

        top = filler.stats.contacts
        sample = sorted({rng.randint(1, top) for _ in range(2000)})
        in_network = Contact.objects.filter(in_network=True).count()
        recompute = measure_recompute(data_dir, sample)
        fold = measure_fold(rng)

        stats = filler.stats
        print(f"database: {db_label}")
        print(
            f"fill: {stats.contacts:,} contacts ({in_network:,} in the network), {stats.interactions:,} interactions "
            f"(at most {stats.most_interactions:,} for one person; "
            + ", ".join(f"{k} {v:,}" for k, v in stats.by_kind.most_common())
            + f"), {stats.rows:,} rows in {stats.seconds:.1f} s ({stats.rows / stats.seconds:,.0f} rows/s)"
        )
        print(f"search documents: {equal}/{checked} sampled equal to search.contact_document, word for word")
        print(
            f"timings: {args.iterations} runs per question ({len(texts.QUERIES)} questions), {args.page_iterations} "
            f"requests per page kind, after {args.warmup} warm-up; DEBUG off, {os.cpu_count()} CPUs, "
            f"load average {load_average()}\n"
        )
        print_stages(stages)
        print_queries(first, last)
        growth = last.search.p95 / first.search.p95 if first.search.p95 else 0.0
        cpu_growth = last.search.cpu_p95 / first.search.cpu_p95 if first.search.cpu_p95 else 0.0
        peak = mb(recompute.hwm_kib or recompute.run.peak_kib)
        print(
            f"\nwho_can p95 by this process's CPU time: {first.search.cpu_p95:.1f} ms at {first.contacts:,}, "
            f"{last.search.cpu_p95:.1f} ms at {last.contacts:,} (growth {cpu_growth:.2f})"
        )
        print(
            f"recompute: {recompute.contacts:,} contacts from {stats.interactions:,} interactions in "
            f"{recompute.seconds:.1f} s ({stats.interactions / max(recompute.seconds, 1e-9):,.0f} interactions/s; "
            f"child {recompute.run.seconds:.1f} s wall, {recompute.run.cpu_seconds:.1f} s CPU), peak RSS {peak:,.0f} MB "
            f"(VmHWM of the child; an idle child that only starts Django: {mb(recompute.idle_hwm_kib):,.0f} MB; "
            f"ru_maxrss {mb(recompute.run.peak_kib):,.0f} MB, which on Linux also counts the bench's own size "
            f"when it spawned the child: the idle child's is {mb(recompute.idle.peak_kib):,.0f} MB); rank keys of "
            f"{recompute.compared:,} contacts "
            f"as the fill computed them (largest difference {recompute.max_rank_diff:.2g})"
        )
        single = sorted(fold.single_ms)
        print(
            f"fold: {fold.batch:,} new interactions in {fold.batch_seconds * 1000:,.0f} ms "
            f"({fold.batch_seconds * 1e6 / fold.batch:,.0f} µs each); one new interaction alone: "
            f"median {single[len(single) // 2]:.1f} ms, worst {single[-1]:.1f} ms"
        )
        pages_flat = all(
            getattr(last, kind).queries <= getattr(first, kind).queries
            for kind in ("list_page", "deep_list_page", "profile_page")
        )
        print(
            "goals: "
            + f"search growth {'OK' if growth <= GROWTH_GOAL else 'OVER GOAL'} ({growth:.2f}, goal <= {GROWTH_GOAL}); "
            + f"recompute memory {'OK' if peak <= RSS_GOAL_MB else 'OVER GOAL'} ({peak:,.0f} MB, goal <= {RSS_GOAL_MB}); "
            + f"list and profile query counts {'flat' if pages_flat else 'NOT FLAT'} from {first.contacts:,} to "
            + f"{last.contacts:,} (the search page: {first.search_page.queries} then {last.search_page.queries}, "
            + "bounded: the candidates, then the 20 hits and their evidence in a few queries for all)"
        )
        print(
            f"network: {stats.contacts} contacts, {stats.interactions} interactions, search p95 {last.search.p95:.1f} ms "
            f"(growth {growth:.2f}), recompute {recompute.seconds:.1f} s, peak RSS {peak:.0f} MB"
        )
    finally:
        release_database(owns_rows, args.keep)
        if args.keep:
            log(f"  kept the data dir {data_dir}")
        elif created_dir:
            remove_dirs([data_dir])


if __name__ == "__main__":
    main()
