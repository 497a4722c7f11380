"""The report of the page bench: the table of pages, their queries, and the comparison with a small
database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from ..common.env import log
from .measure import PageResult


def print_table(results: list[PageResult]) -> None:
    """One row per page; "cpu p50" is this process's CPU time (robust when the machine is busy)."""
    header = ("page", "url", "as", "items", "p50 ms", "p95 ms", "max ms", "cpu p50", "queries")
    print("{:<14} {:<16} {:<8} {:>5} {:>8} {:>8} {:>8} {:>8} {:>7}".format(*header))
    for r in results:
        print(
            f"{r.page:<14} {r.url:<16} {r.user:<8} {r.items:>5} {r.p50:>8.1f} {r.p95:>8.1f} {r.worst:>8.1f} "
            f"{r.cpu_p50:>8.1f} {r.queries:>7}"
        )


def print_queries(results: list[PageResult]) -> None:
    for r in results:
        print(f"\n-- {r.page}: {r.queries} queries")
        for q in sorted(r.sql, key=lambda q: -float(q["time"])):
            print(f"   {float(q['time']) * 1000:8.2f} ms  {' '.join(q['sql'].split())[:400]}")


def write_json(path: Path, requests: int, results: list[PageResult]) -> None:
    """The figures for another run of the bench (``--json-out``, used by the comparison below)."""
    payload = {"requests": requests, "pages": [{**r.__dict__, "sql": []} for r in results]}
    path.write_text(json.dumps(payload))


def compare_small(results: list[PageResult], n: int, seed: int, script: Path) -> None:
    """Run the same bench (``script``) on 1,000 requests (SQLite, another temp dir) and compare query
    counts."""
    log("  running the 1,000-request comparison in a subprocess")
    with tempfile.TemporaryDirectory(prefix="cercle-bench-small-") as tmp:
        out = Path(tmp) / "small.json"
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CERCLE_DATA_DIR")}
        cmd = [
            sys.executable,
            str(script),
            "--requests",
            "1000",
            "--iterations",
            "20",
            "--warmup",
            "3",
            "--seed",
            str(seed),
            "--data-dir",
            str(Path(tmp) / "data"),
            "--json-out",
            str(out),
        ]
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            log(done.stdout + done.stderr)
            raise SystemExit("the 1,000-request comparison failed")
        small = {p["page"]: p for p in json.loads(out.read_text())["pages"]}
    big, little = f"N={n:,}", "N=1,000"
    print("\nagainst size (the 1,000-request run is on SQLite, 20 timed requests per page):")
    print(f"{'page':<14} {'queries':^23}  {'p50 ms':^18}")
    print(f"{'':<14} {big:>9} {little:>7} {'same':>5}  {big:>9} {little:>8}")
    for r in results:
        q_small, p50_small = small[r.page]["queries"], small[r.page]["p50"]
        same = "yes" if q_small == r.queries else "NO"
        print(f"{r.page:<14} {r.queries:>9} {q_small:>7} {same:>5}  {r.p50:>9.1f} {p50_small:>8.1f}")


def summary_line(requests: int, results: list[PageResult]) -> str:
    """The last line of stdout."""
    worst = max(results, key=lambda r: r.p95)
    return (
        f"pages: {requests} requests, worst p95 {worst.p95:.1f} ms ({worst.page}), "
        f"max queries {max(r.queries for r in results)}"
    )
