"""Page benchmark: Cercle's four working pages on a database of N requests.

What it measures
    1. Fills a throwaway database (fresh ``CERCLE_DATA_DIR``; SQLite by default, PostgreSQL when
       ``DATABASE_URL`` is set) with N requests and everything they imply: requesters (N/3 contacts),
       one inbound intake message per request, the audit trail (a "created" event plus one transition
       event per state reached), offers to circle members, project spaces with their first steps, and
       the denormalised milestones (kept_at, answered_at, answer_delay_s, lead, lead_at, lead_delay_s,
       closed_at, outcome). Requests are spread over every state (most dismissed or closed, a few
       hundred to a few thousand in each open state) and over the last two years. The fill bypasses
       the services and uses ``bulk_create`` in batches, one transaction per batch.
    2. Requests each page through the real Django stack (``django.test.Client`` with ``force_login``,
       every middleware, the real templates): the triage queue as the second, the validation queue
       as the leader, the opportunities of the member with the most pending offers, and the dashboard
       as the leader. Each page is warmed up, then timed over many iterations (p50 / p95 latency in
       ms, ``time.perf_counter``); one extra iteration runs under ``CaptureQueriesContext`` to count
       its SQL queries. DEBUG is off, as in production.

Run (from the project root)
    .venv/bin/python bench/pages.py --requests 100000
    .venv/bin/python bench/pages.py --requests 100000 --compare-small      # + query counts at 1,000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cercle_bench .venv/bin/python bench/pages.py \
        --requests 100000 --flush

Options: ``--iterations N`` (timed requests per page, default 200), ``--warmup N`` (default 10),
``--data-dir DIR`` (default: a new temporary directory), ``--keep`` (keep the data dir, or on
PostgreSQL the rows, afterwards), ``--flush`` (empty the bench tables of a database that already holds
data), ``--analyze`` (run ANALYZE after the fill; always done on PostgreSQL, as autovacuum would),
``--show-queries`` (print every query of each page with its time), ``--seed N``, ``--batch N``.

The parts live in ``bench/page_bench/``: ``texts`` (names, needs and messages), ``plans`` (where each
request ends, and when), ``fill`` (the bulk inserts), ``measure`` (the timed requests) and ``report``.

Progress goes to stderr. The last line of stdout is always
``pages: N requests, worst p95 X ms (PAGE), max queries Q``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

if not __package__:  # run as a script (python bench/pages.py): the bench's parts import from the root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common.database import analyze, database_label, prepare_database, release_database
from bench.common.env import data_dir_from, load_average, log, remove_dirs, setup_django
from bench.page_bench.fill import Filler
from bench.page_bench.measure import measure
from bench.page_bench.report import compare_small, print_queries, print_table, summary_line, write_json

# --- Command line ------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=100_000, help="number of requests to create")
    parser.add_argument("--iterations", type=int, default=200, help="timed requests per page (default 200)")
    parser.add_argument("--warmup", type=int, default=10, help="untimed requests per page first (default 10)")
    parser.add_argument("--data-dir", help="CERCLE_DATA_DIR to use (default: a new temporary directory)")
    parser.add_argument("--keep", action="store_true", help="keep the data dir / the PostgreSQL rows")
    parser.add_argument(
        "--flush", action="store_true", help="empty the bench tables if the database has data"
    )
    parser.add_argument(
        "--analyze", action="store_true", help="run ANALYZE after the fill (always on PostgreSQL)"
    )
    parser.add_argument(
        "--batch", type=int, default=5_000, help="requests per bulk_create batch (default 5000)"
    )
    parser.add_argument("--seed", type=int, default=20_240_601, help="random seed (the fill is reproducible)")
    parser.add_argument("--show-queries", action="store_true", help="print each page's SQL with its time")
    parser.add_argument(
        "--compare-small", action="store_true", help="also count queries on a 1,000-request SQLite database"
    )
    parser.add_argument("--json-out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.requests < 100:
        parser.error("--requests must be at least 100")
    if args.iterations < 1 or args.warmup < 0 or args.batch < 1:
        parser.error("--iterations, --warmup and --batch must be positive")
    return args


def holds_users() -> bool:
    from cercle.accounts.models import User

    return User.objects.exists()


# --- Main --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    data_dir, created_dir = data_dir_from(args.data_dir, prefix="cercle-bench-")
    setup_django(data_dir)

    from django.db import connection

    owns_rows = False
    try:
        log(f"bench: {args.requests:,} requests, data dir {data_dir}, database {connection.vendor}")
        prepare_database(args.flush, holds_users, "data")
        owns_rows = True
        filler = Filler(n=args.requests, batch=args.batch, seed=args.seed)
        counter = filler.run()
        fill_seconds = counter.elapsed
        if args.analyze or connection.vendor == "postgresql":
            started = time.perf_counter()
            analyze()
            log(f"  ANALYZE in {time.perf_counter() - started:.1f} s")
        results = measure(args.iterations, args.warmup)

        print(f"database: {database_label(megabyte=1e6, show_path=True)}")
        print(
            f"fill: {args.requests:,} requests, {counter.rows:,} rows in {fill_seconds:.1f} s "
            f"({counter.rows / fill_seconds:,.0f} rows/s)"
        )
        print(
            f"timings: {args.iterations} requests per page after {args.warmup} warm-up, DEBUG off, "
            f"{os.cpu_count()} CPUs, load average {load_average()}\n"
        )
        print_table(results)
        if args.show_queries:
            print_queries(results)
        if args.json_out:
            write_json(Path(args.json_out), args.requests, results)
        if args.compare_small:
            compare_small(results, args.requests, args.seed, Path(__file__).resolve())
        print(summary_line(args.requests, results))
    finally:
        release_database(owns_rows, args.keep)
        if args.keep:
            log(f"  kept the data dir {data_dir}")
        elif created_dir:
            remove_dirs([data_dir])


if __name__ == "__main__":
    main()
