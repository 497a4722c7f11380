"""A measured child process: wall time around it, and the CPU time and peak RSS of that child alone.

The peak is ``ru_maxrss`` from ``wait4`` (KiB); while the child runs, its VmRSS is sampled every half
second (to see whether memory levels off) and a progress line is logged every ``every`` seconds.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from .env import ROOT, log, mb


@dataclass
class Run:
    seconds: float
    cpu_seconds: float
    peak_kib: int
    returncode: int
    output: str  # stdout and stderr together; empty when the child wrote to the bench's own streams
    samples: list[tuple[float, int]] = field(default_factory=list)  # (elapsed, VmRSS KiB)


def status_kib(pid: int, key: str) -> int:
    """A memory figure of /proc/PID/status (VmRSS, VmHWM…) in KiB; 0 when the process is gone."""
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def run_measured(
    cmd: list[str],
    env: dict[str, str],
    label: str,
    progress: Callable[[], str] | None = None,
    every: float = 10.0,
    capture: bool = True,
) -> Run:
    """Run one child and measure it (see the module). With ``capture`` its output is kept in
    ``Run.output``; without, it goes to the bench's own stdout and stderr."""
    with tempfile.TemporaryFile(mode="w+") as out:
        stream: IO[str] | None = out if capture else None
        started = time.perf_counter()
        proc = subprocess.Popen(
            cmd, env=env, stdout=stream, stderr=subprocess.STDOUT if capture else None, cwd=ROOT
        )
        samples: list[tuple[float, int]] = []
        done = threading.Event()
        result: dict[str, Any] = {}

        def reap() -> None:
            _, status, usage = os.wait4(proc.pid, 0)
            result["elapsed"] = time.perf_counter() - started
            result["status"], result["usage"] = status, usage
            done.set()

        reaper = threading.Thread(target=reap, daemon=True)
        reaper.start()
        last_log = 0.0
        while not done.wait(0.5):
            elapsed = time.perf_counter() - started
            rss = status_kib(proc.pid, "VmRSS")
            if rss:
                samples.append((elapsed, rss))
            if elapsed - last_log >= every:
                last_log = elapsed
                extra = f", {progress()}" if progress else ""
                hwm = status_kib(proc.pid, "VmHWM")
                log(f"  {label}: {elapsed:,.0f} s, RSS {mb(rss):,.0f} MB (peak {mb(hwm):,.0f} MB){extra}")
        reaper.join()
        proc.returncode = os.waitstatus_to_exitcode(result["status"])
        usage = result["usage"]
        out.seek(0)
        output = out.read()
    return Run(
        seconds=result["elapsed"],
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        peak_kib=usage.ru_maxrss,
        returncode=proc.returncode,
        output=output,
        samples=samples,
    )
