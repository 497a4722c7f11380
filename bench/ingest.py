"""Ingest benchmark: Cercle's mail import against notmuch's indexing, on the same Maildir.

What it measures
    1. Builds a Maildir (``cur/``, ``new/``, ``tmp/``) of N messages from the real corpus kept beside the
       repository (``../shared/corpus``): the SpamAssassin messages (one per file) and the Enron mbox files,
       in a seeded shuffled order, cycled until N. Each copy gets a fresh, unique, deterministic
       Message-ID (the header is replaced, or added when missing; the bytes are otherwise kept, except the
       mbox ``From `` envelope line, which a Maildir file does not carry). Replies therefore no longer find
       their parents: every message with a sender becomes a new request. With ``--maildir DIR`` an existing,
       non-empty Maildir is used as is (an empty or missing one is built there and kept).
    2. Reads every file once so both tools start on a warm page cache.
    3. Cercle: a throwaway data dir (fresh ``CERCLE_DATA_DIR``: a new SQLite database; PostgreSQL when
       ``DATABASE_URL`` is set, emptied first with ``--flush``), migrated first (timed apart, excluded),
       then the real command ``manage.py import MAILDIR`` in its own subprocess, DEBUG off. Its wall time,
       CPU time and peak RSS (``ru_maxrss`` of that one child, from ``wait4``) are measured; its summary
       line gives the per-status counts. On a PostgreSQL server of this machine, the server's CPU time
       meanwhile is read too (``bench/common/server_cpu.py``) and counted in the ratio by CPU time.
    4. notmuch (Debian's ``notmuch``; ``make system-deps`` installs it): a config in a temp dir with
       ``mail_root`` = the Maildir and the Xapian database beside it (so the Maildir stays clean), then
       ``notmuch new`` timed the same way; ``notmuch count`` gives the messages indexed. When notmuch is
       missing the bench says how to install it and reports Cercle alone.

Run (from the project root)
    .venv/bin/python bench/ingest.py --messages 100000
    .venv/bin/python bench/ingest.py --messages 5000 --maildir /tmp/cercle-mail5k --profile   # + cProfile of the import
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cercle_bench .venv/bin/python bench/ingest.py \
        --messages 100000 --flush

Options: ``--corpus DIR`` (default ``../shared/corpus`` from the repository root), ``--maildir DIR``,
``--data-dir DIR`` (default: a new temporary directory), ``--keep`` (keep the data dir, the built Maildir
and the notmuch database, or on PostgreSQL the rows), ``--flush`` (empty the tables of a database that
already holds data), ``--no-notmuch``, ``--seed N``, ``--profile`` (after the timed runs, import the
first ``--profile-messages`` messages again in-process under cProfile into another fresh database,
and print the top functions and the SQL statements per message).

Targets (from the issue): Cercle's import five times as fast as notmuch's indexing (ratio >= 5), the
mail searchable by full text at its end as notmuch's is (the index is written during the import, so in
its time; the bench asks it right after), and the import's peak RSS under 300 MB whatever the mailbox
size. MB here is 2**20 bytes.

Progress goes to stderr. The last line of stdout is always
``ingest: N messages, cercle X msg/s, notmuch Y msg/s, ratio X/Y = R, peak RSS M MB``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

if not __package__:  # run as a script (python bench/ingest.py): the bench's parts import from the root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common.corpus import has_corpus
from bench.common.database import database_label, flush_bench_tables, prepare_database, release_database
from bench.common.env import (
    DEFAULT_CORPUS,
    child_env,
    data_dir_from,
    load_average,
    log,
    manage,
    mb,
    remove_dirs,
    setup_django,
)
from bench.common.maildir import build_maildir, maildir_files, make_maildir, warm_cache
from bench.common.notmuch import notmuch_binary, run_notmuch
from bench.common.process import Run, run_measured
from bench.common.profiling import print_profile, profile_call
from bench.common.server_cpu import ServerCpu

RSS_TARGET_MB = 300
RATIO_TARGET = 5

# The import command's last line; newer statuses are appended to it ("…, N stored without a request, N failed").
_IMPORT_LINE = re.compile(
    r"import: (\d+) messages, (\d+) new requests, (\d+) replies attached, (\d+) duplicates, (\d+) skipped"
    r"(?:, (\d+) stored without a request)?(?:, (\d+) failed)?"
)


# --- Command line ------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=100_000, help="messages in the built Maildir")
    parser.add_argument("--maildir", help="Maildir to import (used as is when not empty; else built there)")
    parser.add_argument("--corpus", help="corpus folder (default: ../shared/corpus from the repository root)")
    parser.add_argument("--data-dir", help="CERCLE_DATA_DIR to use (default: a new temporary directory)")
    parser.add_argument("--keep", action="store_true", help="keep the data dir, built Maildir, PG rows")
    parser.add_argument("--flush", action="store_true", help="empty the tables if the database has data")
    parser.add_argument("--no-notmuch", action="store_true", help="measure Cercle alone")
    parser.add_argument("--seed", type=int, default=20_240_601, help="seed of the order and Message-IDs")
    parser.add_argument("--profile", action="store_true", help="also profile the import in-process")
    parser.add_argument(
        "--profile-messages", type=int, default=5_000, help="messages imported under cProfile (default 5000)"
    )
    parser.add_argument("--profile-top", type=int, default=30, help="functions listed by the profile")
    args = parser.parse_args(argv)
    if args.messages < 1:
        parser.error("--messages must be at least 1")
    return args


# --- Cercle ------------------------------------------------------------------------------------


def holds_mail() -> bool:
    from cercle.circulation.models import Message
    from cercle.network.models import Contact

    return Message.objects.exists() or Contact.objects.exists()


def stored_so_far() -> str:
    """Progress seen from outside: the highest stored message id (cheap on both engines)."""
    from django.db import connections
    from django.db.models import Max

    from cercle.circulation.models import Message

    try:
        top = Message.objects.aggregate(top=Max("id"))["top"] or 0
        return f"~{top:,} stored"
    except Exception as exc:  # a busy SQLite file must not stop the bench
        return f"(count failed: {type(exc).__name__})"
    finally:
        connections.close_all()


@dataclass
class ImportCounts:
    total: int = 0
    created: int = 0
    attached: int = 0
    duplicate: int = 0
    skipped: int = 0
    stored: int = 0  # kept without a request (sent mail, notifications), when the command reports it
    failed: int = 0


def run_cercle(maildir: Path, data_dir: Path) -> tuple[Run, ImportCounts]:
    cmd = manage("import", str(maildir), "--show-skipped", "0")
    log(f"  cercle: {' '.join(cmd[1:])}")
    run = run_measured(cmd, child_env(data_dir), "cercle import", progress=stored_so_far)
    if run.returncode != 0:
        log(run.output[-4000:])
        raise SystemExit(f"cercle import failed (exit {run.returncode})")
    matches = list(_IMPORT_LINE.finditer(run.output))
    match = matches[-1] if matches else None
    if match is None:
        log(run.output[-4000:])
        raise SystemExit("cercle import: no summary line in its output")
    counts = ImportCounts(*(int(g or 0) for g in match.groups()))
    return run, counts


def search_check(word: str = "meeting") -> tuple[int, float]:
    """The imported mail is searchable at the end of the import, as notmuch's is: how many messages
    hold `word` by the full-text index the import filled (circulation/search.py), and how long asking took."""
    import time

    from django.db import connection, connections

    from cercle.circulation.search import PG_DOCUMENT

    start = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT count(*) FROM intake_message_fts WHERE intake_message_fts MATCH %s", [f'"{word}"']
            )
        else:
            cursor.execute(
                f"SELECT count(*) FROM intake_message WHERE {PG_DOCUMENT} @@ plainto_tsquery('simple', %s)",  # noqa: S608
                [word],
            )
        found = cursor.fetchone()[0]
    seconds = time.perf_counter() - start
    connections.close_all()
    return found, seconds


# --- Profile -----------------------------------------------------------------------------------


def profile_import(maildir: Path, n: int, top: int) -> None:
    """Import the first n messages of the Maildir in-process (same code path as the command, a fresh
    SQLite or the flushed PostgreSQL database) under cProfile, and count SQL statements by kind."""
    from io import StringIO

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, connections

    with tempfile.TemporaryDirectory(prefix="cercle-bench-profile-") as tmp:
        small = make_maildir(Path(tmp) / "mail")
        for count, path in enumerate(sorted(maildir_files(maildir))):
            if count >= n:
                break
            try:
                os.link(path, small / "cur" / path.name)
            except OSError:
                shutil.copyfile(path, small / "cur" / path.name)
        n = sum(1 for _ in maildir_files(small))
        if connection.vendor == "sqlite":
            connections.close_all()
            db_path = Path(tmp) / "profile.sqlite3"
            settings.DATABASES["default"]["NAME"] = str(db_path)
            connection.settings_dict["NAME"] = str(db_path)
        else:
            flush_bench_tables()
        call_command("migrate", interactive=False, verbosity=0)
        out = StringIO()
        profile = profile_call(lambda: call_command("import", str(small), "--show-skipped", "0", stdout=out))
        connections.close_all()

    summary = _IMPORT_LINE.search(out.getvalue())
    seconds = profile.seconds
    print(f"\nprofile: {n:,} messages in-process under cProfile, {seconds:.1f} s ({n / seconds:,.0f} msg/s)")
    if summary:
        print(f"  {summary.group(0)}")
    print_profile(profile, n, top)


# --- Main --------------------------------------------------------------------------------------


def fmt_rate(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.0f}"


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    corpus = Path(args.corpus).resolve() if args.corpus else DEFAULT_CORPUS.resolve()
    work = Path(tempfile.mkdtemp(prefix="cercle-bench-ingest-"))
    data_dir, created = data_dir_from(args.data_dir, default=work / "data")
    cleanup = [work, data_dir] if created else [work]
    owns_rows = django_ready = False
    try:
        # 1. The Maildir.
        built_bytes, build_seconds = 0, 0.0
        if args.maildir and Path(args.maildir).is_dir() and any(maildir_files(Path(args.maildir))):
            maildir = Path(args.maildir).resolve()
            log(f"ingest: using the Maildir {maildir} as is")
        else:
            if not has_corpus(corpus):
                raise SystemExit(
                    f"no corpus at {corpus} (expected spamassassin/ and enron-mbox/ inside): "
                    "pass --corpus DIR, or --maildir DIR with an existing Maildir"
                )
            maildir = Path(args.maildir).resolve() if args.maildir else work / "maildir"
            log(f"ingest: building a Maildir of {args.messages:,} messages from {corpus}")
            built_bytes, build_seconds = build_maildir(maildir, corpus, args.messages, args.seed)
            log(f"  built {built_bytes / 2**20:,.0f} MB in {build_seconds:.1f} s")
        files, size = warm_cache(maildir)
        if files != args.messages:
            log(f"  note: the Maildir holds {files:,} messages (--messages {args.messages:,} ignored)")
        n = files
        log(f"  {n:,} message files, {size / 2**20:,.0f} MB, page cache warmed")

        # 2. Cercle.
        setup_django(data_dir)
        django_ready = True
        from django.db import connection, connections

        log(f"  cercle: data dir {data_dir}, database {connection.vendor}")
        migrate_seconds = prepare_database(args.flush, holds_mail, "mail or contacts")
        connections.close_all()  # the import child gets the database to itself
        owns_rows = True
        log(f"  migrated in {migrate_seconds:.1f} s (not counted)")
        with ServerCpu(os.environ.get("DATABASE_URL")) as server:
            cercle, counts = run_cercle(maildir, data_dir)
        cercle_rate = counts.total / cercle.seconds if cercle.seconds else 0.0
        log(f"  cercle: {counts.total:,} messages in {cercle.seconds:.1f} s ({cercle_rate:,.0f} msg/s)")
        db_label = database_label()
        found, search_seconds = search_check()
        log(f"  search: {found:,} messages hold 'meeting' ({search_seconds * 1000:.0f} ms)")
        connections.close_all()

        # 3. notmuch.
        notmuch_run, indexed, notmuch_version, notmuch_rate = None, 0, "", None
        notmuch = None if args.no_notmuch else notmuch_binary()
        if notmuch:
            notmuch_run, indexed, notmuch_version = run_notmuch(notmuch, maildir, work)
            notmuch_rate = indexed / notmuch_run.seconds if notmuch_run.seconds else 0.0
            log(f"  notmuch: {indexed:,} messages in {notmuch_run.seconds:.1f} s ({notmuch_rate:,.0f} msg/s)")
        elif not args.no_notmuch:
            log(
                "  notmuch is not installed: `make system-deps` (as root) or `apt-get install notmuch`; "
                "reporting Cercle alone"
            )

        # 4. Report.
        print(
            f"maildir: {n:,} messages, {size / 2**20:,.0f} MB"
            + (f" (built in {build_seconds:.1f} s, seed {args.seed})" if built_bytes else " (given)")
        )
        print(f"cercle database: {db_label}; migrate {migrate_seconds:.1f} s (not counted)")
        if notmuch_version:
            print(f"notmuch: {notmuch_version}")
        print(f"machine: {os.cpu_count()} CPUs, load average {load_average()}\n")
        # "msg/CPU s" divides by the child's own CPU time: steadier than msg/s on a busy machine.
        print(
            f"{'tool':<9} {'messages':>9} {'seconds':>9} {'msg/s':>8} {'CPU s':>8} {'msg/CPU s':>10} "
            f"{'peak RSS MB':>12}"
        )
        rows = [("cercle", counts.total, cercle)]
        if notmuch_run is not None:
            rows.append(("notmuch", indexed, notmuch_run))
        for name, done, run in rows:
            print(
                f"{name:<9} {done:>9,} {run.seconds:>9.1f} {done / run.seconds:>8,.0f} {run.cpu_seconds:>8.1f} "
                f"{done / max(run.cpu_seconds, 1e-9):>10,.0f} {mb(run.peak_kib):>12,.0f}"
            )
        if cercle.samples:
            # Streaming check: the RSS should level off, not grow with the count of messages done.
            marks = [
                cercle.samples[min(len(cercle.samples) - 1, int(len(cercle.samples) * q))]
                for q in (0.1, 0.25, 0.5, 0.75, 1)
            ]
            print(
                "\ncercle RSS during the import (MB): "
                + ", ".join(f"{mb(kib):,.0f} at {t:,.0f} s" for t, kib in marks)
            )
        if server.seconds is not None:
            print(f"PostgreSQL server on this machine: {server.seconds:,.1f} s of CPU during the import")
        print(
            f"cercle: {counts.created:,} created, {counts.attached:,} attached, {counts.stored:,} stored without "
            f"a request, {counts.duplicate:,} duplicates, {counts.skipped:,} skipped, {counts.failed:,} failed"
        )
        print(
            f"cercle search right after the import: {found:,} messages hold 'meeting' "
            f"({search_seconds * 1000:,.0f} ms; the full-text index is written by the import, in its time)"
        )
        if counts.total != n:
            print(f"warning: cercle saw {counts.total:,} messages, the Maildir holds {n:,}")
        if notmuch_run is not None and indexed != n:
            print(f"note: notmuch indexed {indexed:,} of {n:,} files")
        verdicts = []
        if notmuch_rate:
            ratio = cercle_rate / notmuch_rate
            # Cercle's CPU includes a local PostgreSQL server's (its backends do much of the work).
            cercle_cpu = cercle.cpu_seconds + (server.seconds or 0.0)
            cpu_ratio = (
                (counts.total / cercle_cpu) / (indexed / notmuch_run.cpu_seconds)
                if (notmuch_run and indexed and cercle_cpu and notmuch_run.cpu_seconds)
                else 0.0
            )
            verdicts.append(
                f"speed {'OK' if ratio >= RATIO_TARGET else 'BELOW TARGET'} (ratio {ratio:.2f}, "
                f"by CPU time {cpu_ratio:.2f}, target >= {RATIO_TARGET})"
            )
        peak = mb(cercle.peak_kib)
        verdicts.append(
            f"memory {'OK' if peak < RSS_TARGET_MB else 'OVER TARGET'} ({peak:,.0f} MB, target < {RSS_TARGET_MB})"
        )
        print("targets: " + "; ".join(verdicts))

        if args.profile:
            profile_import(maildir, args.profile_messages, args.profile_top)

        ratio_text = f"{cercle_rate / notmuch_rate:.2f}" if notmuch_rate else "n/a"
        print(
            f"ingest: {n} messages, cercle {cercle_rate:.0f} msg/s, notmuch {fmt_rate(notmuch_rate).replace(',', '')} "
            f"msg/s, ratio X/Y = {ratio_text}, peak RSS {peak:.0f} MB"
        )
    finally:
        if django_ready:
            release_database(owns_rows, args.keep)
        if args.keep:
            log(f"  kept {work} (Maildir, notmuch database, data dir)")
        else:
            remove_dirs(cleanup)


if __name__ == "__main__":
    main()
