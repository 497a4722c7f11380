"""CPU time a local PostgreSQL server spends while a bench runs: its backends do a large share of an
import's work (the rows, the full-text index), and a ratio of CPU times that counts only the bench's
child processes would leave it out.

Read from /proc: every process named ``postgres`` on this machine, polled a few times a second while
the measured command runs (a backend ends with its connection, so its time is read while it lives).
Nothing when the server is on another host, or /proc cannot be read: the figure is then unknown, not 0.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from urllib.parse import urlparse

_LOCAL_HOSTS = {"", "localhost", "127.0.0.1", "::1"}
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def local_postgres(database_url: str | None) -> bool:
    """Whether `database_url` names a PostgreSQL server on this machine (by address or socket)."""
    if not database_url:
        return False
    url = urlparse(database_url)
    if url.scheme not in ("postgres", "postgresql", "pgsql"):
        return False
    return (url.hostname or "") in _LOCAL_HOSTS or (url.hostname or "").startswith("/")


def _postgres_cpu() -> dict[tuple[int, str], float]:
    """CPU seconds (user and system) of each process named postgres, by pid and start time (a pid
    taken again by a new backend is another process)."""
    found: dict[tuple[int, str], float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:  # ended meanwhile, or not ours to read
            continue
        name_end = stat.rfind(")")
        if stat[stat.find("(") + 1 : name_end] != "postgres":
            continue
        fields = stat[name_end + 2 :].split()
        found[(int(entry), fields[19])] = (int(fields[11]) + int(fields[12])) / _TICKS
    return found


class ServerCpu:
    """Use as a context around the measured command; `seconds` is then the server's CPU meanwhile,
    or None when it could not be read."""

    def __init__(self, database_url: str | None, every: float = 0.25) -> None:
        self.enabled = local_postgres(database_url) and Path("/proc").is_dir()
        self.every = every
        self.seconds: float | None = None
        self._first: dict[tuple[int, str], float] = {}
        self._last: dict[tuple[int, str], float] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> ServerCpu:
        if self.enabled:
            self._first = _postgres_cpu()
            self._last = dict(self._first)
            self._thread = threading.Thread(target=self._poll, daemon=True)
            self._thread.start()
        return self

    def _poll(self) -> None:
        while not self._stop.wait(self.every):
            self._last.update(_postgres_cpu())

    def __exit__(self, *exc: object) -> None:
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join()
        self._last.update(_postgres_cpu())
        if self._last:
            self.seconds = sum(t - self._first.get(key, 0.0) for key, t in self._last.items())
