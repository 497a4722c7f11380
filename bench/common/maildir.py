"""Maildirs: build one from the corpus, list its message files, read them once to warm the page cache."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

from .corpus import corpus_messages, corpus_sources
from .env import log


def make_maildir(maildir: Path) -> Path:
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True, exist_ok=True)
    return maildir


def build_maildir(maildir: Path, corpus: Path, n: int, seed: int) -> tuple[int, float]:
    """Write n corpus messages (shuffled by ``seed``) to maildir/cur; returns (bytes written, seconds)."""
    started = time.perf_counter()
    sources = corpus_sources(corpus)
    if not sources:
        raise SystemExit(f"no message found in the corpus {corpus}")
    log(f"  corpus: {len(sources):,} messages; building {n:,} in {maildir}")
    make_maildir(maildir)
    written = 0
    for index, raw in enumerate(corpus_messages(corpus, n, seed, sources=sources)):
        # Maildir name: unique, sorted in build order, no flags ("seen" is the importer's business).
        (maildir / "cur" / f"{index:07d}.M{index}P{seed}.cercle-bench:2,").write_bytes(raw)
        written += len(raw)
        if (index + 1) % 20_000 == 0:
            log(f"  built {index + 1:,} / {n:,}")
    return written, time.perf_counter() - started


def maildir_files(maildir: Path) -> Iterator[Path]:
    for root, _dirs, files in os.walk(maildir):
        if Path(root).name in {"cur", "new"}:
            for name in files:
                if not name.startswith("."):
                    yield Path(root) / name


def warm_cache(maildir: Path) -> tuple[int, int]:
    """Read every message file once (every tool then starts on a warm page cache); (files, bytes)."""
    files = size = 0
    for path in maildir_files(maildir):
        with path.open("rb") as handle:
            size += len(handle.read())
        files += 1
    return files, size
