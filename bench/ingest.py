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
       line gives the per-status counts.
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

Targets (from the issue): Cercle's import at least as fast as notmuch's indexing (ratio >= 1), and the
import's peak RSS under 300 MB whatever the mailbox size. MB here is 2**20 bytes.

Progress goes to stderr. The last line of stdout is always
``ingest: N messages, cercle X msg/s, notmuch Y msg/s, ratio X/Y = R, peak RSS M MB``.
"""

from __future__ import annotations

import argparse
import hashlib
import mailbox
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
SPAMASSASSIN_DIRS = ("easy_ham", "hard_ham", "spam")
SKIP_NAMES = {"SOURCE.md", "LICENSE", "README.md", "COPYING", "cmds"}
RSS_TARGET_MB = 300

_HEADER_END = re.compile(rb"\r?\n\r?\n")
# A Message-ID header with its folded continuation lines, in the header block only.
_MSGID_HEADER = re.compile(rb"^message-id[ \t]*:[^\n]*\n?(?:[ \t][^\n]*\n?)*", re.IGNORECASE | re.MULTILINE)
_NOTMUCH_ADDED = re.compile(r"Added (\d+) new messages?")
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


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def mb(kib: float) -> float:
    return kib / 1024


# --- The corpus and the Maildir ----------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """One corpus message: a file (SpamAssassin) or a key in an mbox file (Enron)."""

    path: Path
    key: str | None = None


def corpus_sources(corpus: Path) -> list[Source]:
    sources: list[Source] = []
    spam = corpus / "spamassassin"
    for name in SPAMASSASSIN_DIRS:
        folder = spam / name
        if folder.is_dir():
            sources += [
                Source(p) for p in sorted(folder.iterdir()) if p.is_file() and p.name not in SKIP_NAMES
            ]
    enron = corpus / "enron-mbox"
    if enron.is_dir():
        for path in sorted(p for p in enron.rglob("*") if p.is_file() and p.name not in SKIP_NAMES):
            box = mailbox.mbox(str(path), create=False)
            sources += [Source(path, key) for key in box.iterkeys()]
            box.close()
    return sources


class CorpusReader:
    """Raw bytes of a corpus message, without an mbox ``From `` envelope line; mbox files stay open."""

    def __init__(self) -> None:
        self.boxes: dict[Path, mailbox.mbox] = {}

    def read(self, source: Source) -> bytes:
        if source.key is None:
            raw = source.path.read_bytes()
            if raw.startswith(b"From "):
                raw = raw.split(b"\n", 1)[1] if b"\n" in raw else b""
            return raw
        box = self.boxes.get(source.path)
        if box is None:
            box = self.boxes[source.path] = mailbox.mbox(str(source.path), create=False)
        return box.get_bytes(source.key)

    def close(self) -> None:
        for box in self.boxes.values():
            box.close()


def fresh_message_id(seed: int, index: int) -> bytes:
    digest = hashlib.blake2s(f"{seed}:{index}".encode(), digest_size=6).hexdigest()
    return f"<bench.{index:07d}.{digest}@cercle-bench.invalid>".encode()


def with_message_id(raw: bytes, message_id: bytes) -> bytes:
    """The message with its Message-ID header replaced (or added first); everything else byte for byte."""
    end = _HEADER_END.search(raw)
    # The header block keeps its last line ending; the blank line starts the body.
    split = end.start() + (2 if end.group(0).startswith(b"\r\n") else 1) if end else len(raw)
    head, body = raw[:split], raw[split:]
    eol = b"\r\n" if b"\r\n" in head[:2000] else b"\n"
    line = b"Message-ID: " + message_id + eol
    seen = []

    def replace(match: re.Match[bytes]) -> bytes:
        seen.append(match)
        return line if len(seen) == 1 else b""  # the first one in place, any other one dropped

    head = _MSGID_HEADER.sub(replace, head)
    return (head if seen else line + head) + body


def build_maildir(maildir: Path, corpus: Path, n: int, seed: int) -> tuple[int, float]:
    """Write n messages to maildir/cur; returns (bytes written, seconds)."""
    started = time.perf_counter()
    sources = corpus_sources(corpus)
    if not sources:
        raise SystemExit(f"no message found in the corpus {corpus}")
    random.Random(seed).shuffle(sources)
    log(f"  corpus: {len(sources):,} messages; building {n:,} in {maildir}")
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True, exist_ok=True)
    reader = CorpusReader()
    written = 0
    try:
        for index in range(n):
            raw = with_message_id(reader.read(sources[index % len(sources)]), fresh_message_id(seed, index))
            # Maildir name: unique, sorted in build order, no flags ("seen" is the importer's business).
            (maildir / "cur" / f"{index:07d}.M{index}P{seed}.cercle-bench:2,").write_bytes(raw)
            written += len(raw)
            if (index + 1) % 20_000 == 0:
                log(f"  built {index + 1:,} / {n:,}")
    finally:
        reader.close()
    return written, time.perf_counter() - started


def maildir_files(maildir: Path) -> Iterator[Path]:
    for root, _dirs, files in os.walk(maildir):
        if Path(root).name in {"cur", "new"}:
            for name in files:
                if not name.startswith("."):
                    yield Path(root) / name


def warm_cache(maildir: Path) -> tuple[int, int]:
    """Read every message file once (both tools then start on a warm page cache); (files, bytes)."""
    files = size = 0
    for path in maildir_files(maildir):
        with path.open("rb") as handle:
            size += len(handle.read())
        files += 1
    return files, size


# --- Measuring a child process -----------------------------------------------------------------


@dataclass
class Run:
    seconds: float
    cpu_seconds: float
    peak_kib: int
    returncode: int
    output: str
    samples: list[tuple[float, int]] = field(default_factory=list)  # (elapsed, VmRSS KiB)


def _status_kib(pid: int, key: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def run_measured(
    cmd: list[str], env: dict[str, str], label: str, progress: Any = None, every: float = 10.0
) -> Run:
    """Run one child; wall time around it, CPU time and peak RSS of that child alone (wait4)."""
    with tempfile.TemporaryFile(mode="w+") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
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
            rss = _status_kib(proc.pid, "VmRSS")
            if rss:
                samples.append((elapsed, rss))
            if elapsed - last_log >= every:
                last_log = elapsed
                extra = f", {progress()}" if progress else ""
                hwm = _status_kib(proc.pid, "VmHWM")
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


# --- Cercle ------------------------------------------------------------------------------------


def setup_django(data_dir: Path) -> None:
    """Point Cercle at the throwaway data dir, then start Django (the order matters)."""
    os.environ["CERCLE_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    (data_dir / "static").mkdir(parents=True, exist_ok=True)
    import django

    django.setup()


def bench_models() -> list[Any]:
    """The tables an import fills (and what refers to them), as in bench/pages.py."""
    from django.apps import apps

    labels = ("accounts", "circle", "circulation", "intake", "network", "projects", "sessions")
    models = [m for label in labels for m in apps.get_app_config(label).get_models(include_auto_created=True)]
    from cercle.outbox.models import OutgoingMessage

    return [*models, OutgoingMessage]


def flush_bench_tables() -> None:
    from django.core.management.color import no_style
    from django.db import connection, transaction

    tables = [m._meta.db_table for m in bench_models()]
    statements = connection.ops.sql_flush(no_style(), tables, reset_sequences=True, allow_cascade=True)
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def ensure_postgres_database() -> None:
    """Create the DATABASE_URL database when it does not exist yet (a bench database, e.g. cercle_bench)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    import psycopg

    params = connection.get_connection_params()
    name = params.pop("dbname", None) or connection.settings_dict["NAME"]
    try:
        psycopg.connect(dbname=name, **{k: v for k, v in params.items() if k != "context"}).close()
        return
    except psycopg.OperationalError as exc:
        if "does not exist" not in str(exc):
            raise
    log(f"  creating the PostgreSQL database {name}")
    with psycopg.connect(
        dbname="postgres", autocommit=True, **{k: v for k, v in params.items() if k != "context"}
    ) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')


def prepare_database(flush: bool) -> float:
    """Migrate (timed, excluded from the import's figures); refuse or flush a database with data."""
    from django.core.management import call_command
    from django.db import connections

    from cercle.circulation.models import Message
    from cercle.network.models import Contact

    ensure_postgres_database()
    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    seconds = time.perf_counter() - started
    if Message.objects.exists() or Contact.objects.exists():
        if not flush:
            raise SystemExit(
                "the database already holds mail or contacts: pass --flush to empty the bench tables first "
                "(or use a fresh --data-dir / database)"
            )
        log("  flushing the bench tables")
        flush_bench_tables()
    connections.close_all()  # the import child gets the database to itself
    return seconds


def database_label() -> str:
    from django.db import connection

    if connection.vendor == "sqlite":
        path = Path(str(connection.settings_dict["NAME"]))
        size = sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.is_file())
        return f"SQLite {connection.Database.sqlite_version}, {size / 2**20:,.0f} MB with WAL"  # type: ignore[attr-defined]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database()), current_setting('server_version')")
        size, version = cursor.fetchone()
    return f"PostgreSQL {version}, database {connection.settings_dict['NAME']} ({size / 2**20:,.0f} MB)"


def stored_so_far() -> str:
    """Progress seen from outside: the highest stored message id (cheap on both engines)."""
    from django.db import connections

    from cercle.circulation.models import Message

    try:
        from django.db.models import Max

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


def child_env(data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        CERCLE_DATA_DIR=str(data_dir),
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        PYTHONUNBUFFERED="1",
    )
    env.setdefault("LOG_LEVEL", "WARNING")
    return env


def run_cercle(maildir: Path, data_dir: Path) -> tuple[Run, ImportCounts]:
    cmd = [sys.executable, str(ROOT / "manage.py"), "import", str(maildir), "--show-skipped", "0"]
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


# --- notmuch -----------------------------------------------------------------------------------


def notmuch_binary() -> str | None:
    return shutil.which("notmuch")


def run_notmuch(notmuch: str, maildir: Path, work: Path) -> tuple[Run, int, str]:
    """`notmuch new` on the Maildir, its database outside it; (run, messages indexed, version)."""
    database = work / "notmuch-db"
    database.mkdir(parents=True, exist_ok=True)
    config = work / "notmuch-config"
    config.write_text(
        "[database]\n"
        f"path={database}\n"
        f"mail_root={maildir}\n"
        "[user]\n"
        "name=Cercle bench\n"
        "primary_email=bench@cercle-bench.invalid\n"
        "[new]\n"
        "tags=unread;inbox;\n"
        "ignore=\n"
        "[search]\n"
        "exclude_tags=\n"
        "[maildir]\n"
        "synchronize_flags=true\n"
    )
    env = {**os.environ, "NOTMUCH_CONFIG": str(config)}
    env.pop("NOTMUCH_PROFILE", None)
    version = subprocess.run(
        [notmuch, "--version"], env=env, capture_output=True, text=True, check=False
    ).stdout.strip()
    log(f"  notmuch: {version}, notmuch new (config {config.name} in a temp dir)")
    run = run_measured([notmuch, "new"], env, "notmuch new")
    if run.returncode != 0:
        log(run.output[-4000:])
        raise SystemExit(f"notmuch new failed (exit {run.returncode})")
    counted = subprocess.run(
        [notmuch, "count", "--output=messages", "*"], env=env, capture_output=True, text=True, check=False
    )
    try:
        indexed = int(counted.stdout.strip())
    except ValueError:
        added = _NOTMUCH_ADDED.search(run.output)
        indexed = int(added.group(1)) if added else 0
    return run, indexed, version


# --- Profile -----------------------------------------------------------------------------------


def profile_import(maildir: Path, n: int, top: int) -> None:
    """Import the first n messages of the Maildir in-process (same code path as the command, a fresh
    SQLite or the flushed PostgreSQL database) under cProfile, and count SQL statements by kind."""
    import cProfile
    import pstats

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, connections

    with tempfile.TemporaryDirectory(prefix="cercle-bench-profile-") as tmp:
        small = Path(tmp) / "mail"
        for sub in ("cur", "new", "tmp"):
            (small / sub).mkdir(parents=True)
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

        kinds: Counter[str] = Counter()

        def count_sql(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            kinds[sql.lstrip().split(None, 1)[0].upper()] += 1
            return execute(sql, params, many, context)

        from io import StringIO

        out = StringIO()
        profiler = cProfile.Profile()
        started = time.perf_counter()
        with connection.execute_wrapper(count_sql):
            profiler.enable()
            call_command("import", str(small), "--show-skipped", "0", stdout=out)
            profiler.disable()
        seconds = time.perf_counter() - started
        connections.close_all()

    summary = _IMPORT_LINE.search(out.getvalue())
    print(f"\nprofile: {n:,} messages in-process under cProfile, {seconds:.1f} s ({n / seconds:,.0f} msg/s)")
    if summary:
        print(f"  {summary.group(0)}")
    print("  SQL statements per message: " + ", ".join(f"{k} {v / n:.2f}" for k, v in kinds.most_common()))
    print(f"  total {sum(kinds.values()) / n:.2f} per message")
    stats = pstats.Stats(profiler)
    everything = stats.stats.items()  # type: ignore[attr-defined]
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
            where = _short(filename)
            print(
                f"  {cumtime * 1000 / n:8.3f} cum {tottime * 1000 / n:8.3f} own {calls / n:8.1f} calls/msg"
                f"  {where}:{line}({func})"
            )


def _short(filename: str) -> str:
    for marker in ("/site-packages/", "/lib/python3"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    try:
        return str(Path(filename).relative_to(ROOT))
    except ValueError:
        return filename


# --- Main --------------------------------------------------------------------------------------


def fmt_rate(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.0f}"


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    corpus = Path(args.corpus).resolve() if args.corpus else DEFAULT_CORPUS.resolve()
    work = Path(tempfile.mkdtemp(prefix="cercle-bench-ingest-"))
    cleanup: list[Path] = [work]
    if args.data_dir:
        data_dir = Path(args.data_dir).resolve()
        if not data_dir.exists():
            cleanup.append(data_dir)
        data_dir.mkdir(parents=True, exist_ok=True)
    else:
        data_dir = work / "data"
        data_dir.mkdir()
    owns_rows = django_ready = False
    try:
        # 1. The Maildir.
        built_bytes, build_seconds = 0, 0.0
        if args.maildir and Path(args.maildir).is_dir() and any(maildir_files(Path(args.maildir))):
            maildir = Path(args.maildir).resolve()
            log(f"ingest: using the Maildir {maildir} as is")
        else:
            if not (corpus / "spamassassin").is_dir() and not (corpus / "enron-mbox").is_dir():
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
        migrate_seconds = prepare_database(args.flush)
        owns_rows = True
        log(f"  migrated in {migrate_seconds:.1f} s (not counted)")
        cercle, counts = run_cercle(maildir, data_dir)
        cercle_rate = counts.total / cercle.seconds if cercle.seconds else 0.0
        log(f"  cercle: {counts.total:,} messages in {cercle.seconds:.1f} s ({cercle_rate:,.0f} msg/s)")
        db_label = database_label()
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
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(
            f"maildir: {n:,} messages, {size / 2**20:,.0f} MB"
            + (f" (built in {build_seconds:.1f} s, seed {args.seed})" if built_bytes else " (given)")
        )
        print(f"cercle database: {db_label}; migrate {migrate_seconds:.1f} s (not counted)")
        if notmuch_version:
            print(f"notmuch: {notmuch_version}")
        print(f"machine: {os.cpu_count()} CPUs, load average {load}\n")
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
        print(
            f"cercle: {counts.created:,} created, {counts.attached:,} attached, {counts.stored:,} stored without "
            f"a request, {counts.duplicate:,} duplicates, {counts.skipped:,} skipped, {counts.failed:,} failed"
        )
        if counts.total != n:
            print(f"warning: cercle saw {counts.total:,} messages, the Maildir holds {n:,}")
        if notmuch_run is not None and indexed != n:
            print(f"note: notmuch indexed {indexed:,} of {n:,} files")
        verdicts = []
        if notmuch_rate:
            ratio = cercle_rate / notmuch_rate
            cpu_ratio = (
                (counts.total / cercle.cpu_seconds) / (indexed / notmuch_run.cpu_seconds)
                if (notmuch_run and indexed and cercle.cpu_seconds and notmuch_run.cpu_seconds)
                else 0.0
            )
            verdicts.append(
                f"speed {'OK' if ratio >= 1 else 'BELOW TARGET'} (ratio {ratio:.2f}, "
                f"by CPU time {cpu_ratio:.2f}, target >= 1)"
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
            from django.db import connection as conn
            from django.db import connections as conns

            if owns_rows and conn.vendor != "sqlite" and not args.keep:
                log("  emptying the bench tables (pass --keep to keep the rows)")
                flush_bench_tables()
            conns.close_all()
        if args.keep:
            log(f"  kept {work} (Maildir, notmuch database, data dir)")
        else:
            for path in cleanup:
                shutil.rmtree(path, ignore_errors=True)


if __name__ == "__main__":
    main()
