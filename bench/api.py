"""API benchmark: listing requests through /api/v1/ on a large hub, webhook throughput, the schema run.

What it measures
    1. For each size (``--stages``, default 1,000 then ``--requests``), in a child process with its own
       throwaway database (fresh ``CERCLE_DATA_DIR``; SQLite by default, PostgreSQL when
       ``DATABASE_URL`` is set, emptied between stages): the page benchmark's fill (bench/page_bench:
       requests over every state and two years, their requesters, events, offers and projects), then
       ``GET /api/v1/requests/?limit=50`` through the real Django stack (``django.test.Client``, every
       middleware, DEBUG off) with the second's read-only token: the first page, then pages deeper in
       the list by following ``next_cursor`` (``--pages`` of them), and the first page filtered by a
       state. Each timed ``--iterations`` times after a warm-up; p50 / p95 in ms and SQL queries per
       page. Growth: the p95 over all pages at the largest size divided by the p95 at the smallest.
    2. Webhook delivery throughput: ``bench/webhooks.py`` (a local receiver checking every signature),
       ``--deliveries`` deliveries; its W/s.
    3. Schema failures: ``pytest tests/api/test_schema.py`` (schemathesis against the OpenAPI
       description, every operation, as a member, a second and a leader); the number of failed tests.

Run (from the project root)
    .venv/bin/python bench/api.py                               # 1,000 and 100,000 requests
    .venv/bin/python bench/api.py --requests 20000 --skip-schema
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cercle_bench_api .venv/bin/python bench/api.py

Goal (from the issue): list p95 flat from 1,000 to 100,000 requests (growth ≤ 1.5).

Progress goes to stderr. The last line of stdout is always
``api: N requests, list p95 X ms (growth G), webhooks W/s, schema failures F``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if not __package__:  # run as a script (python bench/api.py): the bench's parts import from the root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common.env import data_dir_from, load_average, log, remove_dirs, setup_django

ROOT = Path(__file__).resolve().parent.parent


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=100_000, help="the largest size (default 100,000)")
    parser.add_argument("--stages", default="1000", help="smaller sizes measured first (comma-separated)")
    parser.add_argument(
        "--iterations", type=int, default=40, help="timed requests per page kind (default 40)"
    )
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--pages", type=int, default=20, help="pages followed by cursor (default 20)")
    parser.add_argument("--deliveries", type=int, default=1000, help="webhook deliveries (default 1,000)")
    parser.add_argument("--skip-schema", action="store_true", help="do not run the schemathesis suite")
    parser.add_argument("--seed", type=int, default=20_240_601)
    parser.add_argument("--stage", type=int, help=argparse.SUPPRESS)  # child: one size
    parser.add_argument("--json-out", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


# --- One size, in a child process --------------------------------------------------------------


def _timed(client, url: str, iterations: int, warmup: int) -> tuple[list[float], int, dict]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        client.get(url)
    times = []
    for _ in range(iterations):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content[:300]
    with CaptureQueriesContext(connection) as queries:
        body = json.loads(client.get(url).content)
    return times, len(queries), body


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run_stage(args: argparse.Namespace) -> dict:
    from bench.common.database import analyze, prepare_database, release_database
    from bench.page_bench.fill import Filler

    data_dir, _ = data_dir_from(None, prefix="cercle-bench-api-")
    setup_django(data_dir)
    from django.db import connection
    from django.test import Client

    from cercle.accounts.models import Role, User
    from cercle.api.tokens import token_create

    try:
        prepare_database(True, lambda: User.objects.exists(), "data")
        log(f"  fill: {args.stage:,} requests ({connection.vendor})")
        Filler(n=args.stage, batch=5000, seed=args.seed).run()
        analyze()
        second = User.objects.filter(role=Role.SECOND).first()
        token = token_create(user=second, name="bench", scope="read").secret
        from django.conf import settings

        settings.CERCLE["API_RATE"] = "1000000/m"  # the bench measures the list, not the throttle
        if "localhost" not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
            settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
        client = Client(
            HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="en"
        )
        kinds: dict[str, dict] = {}
        first_times, first_queries, body = _timed(
            client, "/api/v1/requests/?limit=50", args.iterations, args.warmup
        )
        kinds["first page"] = {"times": first_times, "queries": first_queries}
        deep_times: list[float] = []
        cursor, depth, deep_queries = body["next_cursor"], 0, 0
        while cursor and depth < args.pages:
            url = f"/api/v1/requests/?limit=50&cursor={cursor}"
            times, deep_queries, page = _timed(client, url, max(args.iterations // 4, 3), 1)
            deep_times += times
            cursor, depth = page["next_cursor"], depth + 1
        kinds[f"pages 2–{depth + 1} (cursor)"] = {"times": deep_times, "queries": deep_queries}
        state_times, state_queries, _ = _timed(
            client, "/api/v1/requests/?limit=50&state=closed", args.iterations, args.warmup
        )
        kinds["filtered (state=closed)"] = {"times": state_times, "queries": state_queries}
        every = first_times + deep_times + state_times
        return {
            "requests": args.stage,
            "vendor": connection.vendor,
            "p95": _p(every, 0.95),
            "kinds": {
                k: {"p50": _p(v["times"], 0.5), "p95": _p(v["times"], 0.95), "queries": v["queries"]}
                for k, v in kinds.items()
            },
        }
    finally:
        release_database(True, False)
        remove_dirs([data_dir])


# --- The whole run --------------------------------------------------------------------------------


def _child(args: argparse.Namespace, size: int) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as out:
        path = Path(out.name)
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--stage",
        str(size),
        "--json-out",
        str(path),
        "--iterations",
        str(args.iterations),
        "--warmup",
        str(args.warmup),
        "--pages",
        str(args.pages),
        "--seed",
        str(args.seed),
    ]
    subprocess.run(command, check=True, cwd=ROOT)
    result = json.loads(path.read_text())
    path.unlink()
    return result


def _webhooks(deliveries: int) -> float:
    log(f"  webhooks: {deliveries:,} deliveries to a local receiver")
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "webhooks.py"), "--deliveries", str(deliveries)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    last = out.strip().splitlines()[-1]
    match = re.search(r"([\d.,]+) ?/s", last)
    if match is None:
        raise SystemExit(f"bench/webhooks.py printed no rate: {last!r}")
    return float(match.group(1).replace(",", ""))


def _schema_failures() -> int:
    log("  schema: pytest tests/api/test_schema.py")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/api/test_schema.py", "-q", "-p", "no:cacheprovider"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": os.environ.get("DATABASE_URL", "")}
        if os.environ.get("DATABASE_URL")
        else None,
    )
    tail = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    failed = re.search(r"(\d+) failed", tail)
    errors = re.search(r"(\d+) error", tail)
    if result.returncode not in (0, 1) or not re.search(r"passed|failed", tail):
        raise SystemExit(f"the schema run did not complete: {tail!r}\n{result.stderr[-2000:]}")
    return (int(failed.group(1)) if failed else 0) + (int(errors.group(1)) if errors else 0)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.stage:
        result = run_stage(args)
        Path(args.json_out).write_text(json.dumps(result))
        return
    sizes = sorted({int(s) for s in args.stages.split(",") if s.strip()} | {args.requests})
    results = [_child(args, size) for size in sizes]
    rate = _webhooks(args.deliveries)
    failures = -1 if args.skip_schema else _schema_failures()

    print(f"database: {results[0]['vendor']}; {os.cpu_count()} CPUs, load average {load_average()}")
    print(f"{'requests':>10}  {'page':<26} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    for r in results:
        for kind, k in r["kinds"].items():
            print(f"{r['requests']:>10,}  {kind:<26} {k['p50']:>8.1f} {k['p95']:>8.1f} {k['queries']:>8}")
    growth = results[-1]["p95"] / results[0]["p95"] if results[0]["p95"] else float("nan")
    print(f"webhooks: {rate:,.0f} deliveries/s; schema: {'not run' if failures < 0 else failures} failures")
    print(
        f"api: {results[-1]['requests']} requests, list p95 {results[-1]['p95']:.1f} ms (growth {growth:.2f}), "
        f"webhooks {rate:.0f}/s, schema failures {failures if failures >= 0 else 'not run'}"
    )


if __name__ == "__main__":
    main()
