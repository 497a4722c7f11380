"""Profile a piece of work in-process: cProfile, and the SQL statements it runs, counted by kind."""

from __future__ import annotations

import cProfile
import pstats
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .env import ROOT


@dataclass
class Profile:
    seconds: float  # profiler overhead included
    stats: pstats.Stats
    sql: Counter[str]  # statements by their first word (SELECT, INSERT…)


def profile_call(work: Callable[[], Any]) -> Profile:
    """Run ``work()`` under cProfile while counting the SQL it sends on the default connection."""
    from django.db import connection

    kinds: Counter[str] = Counter()

    def count_sql(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        kinds[sql.lstrip().split(None, 1)[0].upper()] += 1
        return execute(sql, params, many, context)

    profiler = cProfile.Profile()
    started = time.perf_counter()
    with connection.execute_wrapper(count_sql):
        profiler.enable()
        work()
        profiler.disable()
    return Profile(time.perf_counter() - started, pstats.Stats(profiler), kinds)


def print_profile(profile: Profile, n: int, top: int) -> None:
    """SQL statements per message (of n), then the top functions by cumulative time (Cercle's own, then
    all) and by own time, in ms per message."""
    kinds = profile.sql
    print("  SQL statements per message: " + ", ".join(f"{k} {v / n:.2f}" for k, v in kinds.most_common()))
    print(f"  total {sum(kinds.values()) / n:.2f} per message")
    everything = profile.stats.stats.items()  # type: ignore[attr-defined]
    project = str(ROOT / "cercle")
    for title, index, only_project in (
        ("cumulative time, Cercle's own functions", 3, True),
        ("cumulative time", 3, False),
        ("own time", 2, False),
    ):
        print(f"\n  top {top} by {title} (ms per message; profiler overhead included):")
        rows = sorted(
            (kv for kv in everything if not only_project or kv[0][0].startswith(project)),
            key=lambda kv: -kv[1][index],
        )
        for (filename, line, func), (_cc, calls, tottime, cumtime, _callers) in rows[:top]:
            print(
                f"  {cumtime * 1000 / n:8.3f} cum {tottime * 1000 / n:8.3f} own {calls / n:8.1f} calls/msg"
                f"  {short_path(filename)}:{line}({func})"
            )


def short_path(filename: str) -> str:
    for marker in ("/site-packages/", "/lib/python3"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    try:
        return str(Path(filename).relative_to(ROOT))
    except ValueError:
        return filename
