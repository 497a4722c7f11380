"""Import of mail files: single .eml files, mbox files and Maildir folders, in any mix.

Streaming: one message in memory at a time. Idempotent: a message already stored (same
Message-ID) is counted as a duplicate, so an interrupted import can simply be run again.
Every message is accounted for: created, attached, stored (kept without a request), duplicate,
skipped (with the reason: no sender, empty, unreadable) or failed (with the error).
"""

from __future__ import annotations

import heapq
import io
import multiprocessing
import os
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import DatabaseError, connection, connections, transaction

from cercle.circulation.models import Channel, Direction, Request
from cercle.core.bulk import commit_lazily
from cercle.core.collector import fewer_collections
from cercle.core.notes import Note
from cercle.intake.ahead import parse_ahead, parser_start
from cercle.intake.batch import NotAhead, PendingWrites
from cercle.intake.context import IngestContext
from cercle.intake.quarantine import quarantine_keep
from cercle.intake.services import SUBJECT_THREAD_DAYS, message_ingest
from cercle.mail.parse import ParsedMessage, parse_many
from cercle.network.models import Contact, Interaction
from cercle.network.services import interaction_record_many

SKIP_NAMES = {"SOURCE.md", "LICENSE", "README.md", "COPYING", ".DS_Store"}
MAX_MESSAGE_BYTES = 50 * 1024 * 1024
BATCH_MESSAGES = 400
# SQLite's page cache of the connection that writes a large import's batches (the one that decides
# only reads, and SQLite empties a reader's cache at each commit of the other). Since a transaction
# holds 16 batches, what it changes outgrows a small cache, which then spills pages to the log and
# reads them back. Measured at 100,000 messages, back to back: the writing thread's system time went
# from 5.4 s with 16 MB to 3.6 s with 32 MB (its CPU time 8 % less) for 16 MB more peak memory
# (263 MB); 64 MB saved a little more and came within 5 MB of the 300 MB budget.
SQLITE_WRITER_CACHE_KB = 32 * 1024
# The writer commits this many batches at once, or what it holds once its transaction is this old
# (another writer, a page of the app that saves, waits about that long at most). Measured at 100,000
# messages: commits took 8 s of the writer's time one batch at a time, 2 s sixteen at a time.
GROUP_BATCHES = 16
GROUP_SECONDS = 2.0
BATCH_BYTES = 16 * 1024 * 1024  # a batch is held in memory, parsed, until it is written
_SENT_FOLDER = re.compile(r"(?:^|[._\s/-])sent(?:$|[._\s-])|envoy|gesendet|enviad|inviat", re.I)


@dataclass
class ImportSummary:
    counts: Counter[str] = field(default_factory=Counter)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (where, why)
    # Stored, but apart from an earlier message that had the same Message-ID with other content.
    kept_apart: list[str] = field(default_factory=list)
    quarantined: int = 0  # skipped or failed messages whose bytes were kept (new ones)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _is_maildir(path: Path) -> bool:
    return path.is_dir() and (path / "cur").is_dir() and (path / "new").is_dir()


def _is_mbox(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(5) == b"From "
    except OSError:
        return False


def iter_sources(path: Path) -> Iterator[tuple[str, bytes | None, str]]:
    """Yield (where, raw bytes or None, error) for every message under `path`."""
    for where, raw, error, _folder in _sources(path):
        yield where, raw, error


def _sources(path: Path, folder: str = "") -> Iterator[tuple[str, bytes | None, str, str]]:
    """(where, raw bytes or None, error, folder name) for every message under `path`."""
    if _is_maildir(path):
        for name, file in _maildir_files(path):
            where = f"{path}:{name.partition(':')[0]}"
            try:
                raw = _read_file(file)
            except OSError as exc:  # deleted or moved by a mail client since the listing
                yield where, None, str(exc), path.name
                continue
            if raw is None:
                yield where, None, "larger than 50 MB", path.name
            else:
                yield where, raw, "", path.name
        for sub in _maildir_subfolders(path):
            yield from _sources(path / f".{sub}")
        return
    if path.is_dir():
        for root, dirs, files in os.walk(path):
            dirs.sort()
            root_path = Path(root)
            if _is_maildir(root_path):
                dirs[:] = []
                yield from _sources(root_path)
                continue
            if root_path.name in {"cur", "new", "tmp"} and _is_maildir(root_path.parent):
                continue
            for name in sorted(files):
                if name in SKIP_NAMES or name.startswith("."):
                    continue
                yield from _sources(root_path / name, root_path.name)
        return
    if _is_mbox(path):
        for index, raw, error in mbox_messages(path):
            yield f"{path}#{index}", raw, error, path.name
        return
    try:
        if path.stat().st_size > MAX_MESSAGE_BYTES:
            yield str(path), None, "larger than 50 MB", folder
            return
        yield str(path), path.read_bytes(), "", folder
    except OSError as exc:
        yield str(path), None, str(exc), folder


def _read_file(file: Path) -> bytes | None:
    """A message file's bytes, None when it is larger than MAX_MESSAGE_BYTES: one open, one fstat and
    usually one read (`Path.read_bytes` and a `stat` before it make twice the system calls, which
    weighed on a Maildir of 100,000 files)."""
    fd = os.open(file, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        size = os.fstat(fd).st_size
        if size > MAX_MESSAGE_BYTES:
            return None
        data = os.read(fd, size + 1)
        if len(data) <= size:  # all of it: a regular file reads short only at its end
            return data
        chunks = [data]  # it grew since: read on to its end
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
            if sum(map(len, chunks)) > MAX_MESSAGE_BYTES:
                return None
        return b"".join(chunks)
    finally:
        os.close(fd)


def _maildir_names(folder: Path) -> np.ndarray:
    """The message file names of a Maildir's `new` or `cur`, sorted, in a compact array.

    Maildir names start with the delivery time, so this order is roughly chronological (parents
    before replies). Fixed-width bytes in one numpy array: about 40 bytes a message, where the
    standard library's `mailbox.Maildir` index and a sorted key list take about 300 — a mailbox of
    millions of messages stays well inside the import's memory budget.
    """

    def names() -> Iterator[bytes]:
        for entry in os.scandir(folder):
            if not entry.name.startswith(".") and not entry.is_dir():
                yield os.fsencode(entry.name)

    width = count = 0
    for name in names():
        width, count = max(width, len(name)), count + 1
    try:
        found = np.fromiter(names(), dtype=f"S{max(width, 1)}", count=count)
    except ValueError:  # files came or went between the two passes: list them again, the slow way
        found = np.array(sorted(names()), dtype=bytes)
    found.sort()
    return found


def _maildir_files(path: Path) -> Iterator[tuple[str, Path]]:
    """(name, path) of every message of a Maildir folder (`new` and `cur` merged), in name order."""

    def files(folder: Path) -> Iterator[tuple[str, Path]]:
        for raw_name in _maildir_names(folder):
            name = os.fsdecode(raw_name)
            yield name, folder / name

    yield from heapq.merge(files(path / "new"), files(path / "cur"), key=lambda item: item[0])


def _maildir_subfolders(path: Path) -> list[str]:
    """Maildir++ sub-folders (`.Sent`, `.Archives.2024`…), by name."""
    return sorted(
        entry.name[1:]
        for entry in os.scandir(path)
        if entry.name.startswith(".") and entry.name not in (".", "..") and _is_maildir(Path(entry.path))
    )


def mbox_messages(path: Path, max_bytes: int = MAX_MESSAGE_BYTES) -> Iterator[tuple[int, bytes | None, str]]:
    """(index, raw bytes or None, error) of each message of an mbox file, reading it once, front to back.

    The same messages, byte for byte, as the standard library's `mailbox.mbox` (a message starts at
    each line beginning with "From "; the blank line before the next one is not part of it), but
    streamed: `mailbox.mbox` first indexes the whole file, hundreds of bytes per message, which a
    multi-gigabyte export (Google Takeout's single mbox) would feel. One message in memory at a time;
    one larger than `max_bytes` is reported, not read.
    """
    index = -1
    lines: list[bytes] | None = None  # None: before the first "From " line
    size, too_large, last_empty = 0, False, False

    def finish() -> tuple[int, bytes | None, str]:
        if too_large:
            return index, None, "larger than 50 MB"
        raw = b"".join(lines or [])
        return index, raw[:-1] if last_empty else raw, ""

    with path.open("rb") as handle:
        head = handle.read(65536)
        handle.seek(0)
        lines_of: Iterable[bytes] = handle
        if b"\r" in head and b"\n" not in head:
            # Classic Mac OS line ends (CR only): read as lines all the same (such files are small).
            lines_of = io.BytesIO(handle.read().replace(b"\r", b"\n"))
        for line in lines_of:
            if line.startswith(b"From "):
                if lines is not None:
                    yield finish()
                index, lines, size, too_large, last_empty = index + 1, [], 0, False, False
                continue
            if lines is None:
                continue
            last_empty = line == b"\n"
            if too_large:
                continue
            size += len(line)
            if size > max_bytes:
                too_large, lines = True, []
            else:
                lines.append(line)
    if lines is not None:
        yield finish()


def is_sent_folder(name: str) -> bool:
    """`Sent`, `.Sent Items`, `INBOX.Sent`, `Éléments envoyés`, `enron.allen-p._sent_mail`…"""
    return bool(_SENT_FOLDER.search(name))


def count_messages(path: Path) -> int:
    """A cheap count for the progress bar (mbox files are scanned for their separators)."""
    total = 0
    if _is_maildir(path):
        return sum(_maildir_names(path / sub).size for sub in ("new", "cur")) + sum(
            count_messages(path / f".{sub}") for sub in _maildir_subfolders(path)
        )
    if path.is_dir():
        for root, dirs, files in os.walk(path):
            root_path = Path(root)
            if _is_maildir(root_path):
                dirs[:] = []
                total += count_messages(root_path)
                continue
            for name in files:
                if name not in SKIP_NAMES and not name.startswith("."):
                    total += count_messages(root_path / name)
        return total
    if _is_mbox(path):
        with path.open("rb") as handle:
            return sum(1 for line in handle if line.startswith(b"From "))
    return 1


@dataclass
class BatchItem:
    """One message of a batch, from reading it to reporting it."""

    where: str
    raw: bytes | None
    folder: str
    parsed: ParsedMessage | None = None
    outcome: tuple[str, str] | None = None  # decided before the database: skipped or failed
    # What deciding it found, for a caller that records it with its batch (the mailbox sync's ledger):
    # its Message-ID, its request (the pending one while its batch is held) and the untranslated reason.
    message_id: str = ""
    request: int | Request | None = None
    reason: str | Note = ""


# (where, status, reason, kept apart) of each message of a batch, in its order.
Outcomes = list[tuple[str, str, str, bool]]
# Called inside a batch's transaction once its rows are written (in the writing thread for a batch
# written ahead): what the caller writes with it, committed or rolled back with it.
WithBatch = Callable[[list[BatchItem], Outcomes], None]
# Called once a batch has committed (or failed for good), in the importing thread. It must not write to
# the database: on SQLite the writing thread may hold the write lock, which only its next batch releases.
AfterBatch = Callable[[list[BatchItem], Outcomes], None]


def _read_batch(
    sources: Iterator[tuple[str, bytes | None, str, str]], path: Path | None, size_limit: int
) -> tuple[list[BatchItem], bool]:
    """Up to `size_limit` messages (or BATCH_BYTES), not parsed yet; and whether the sources are
    exhausted. A source that breaks mid-way: one failed item named `path` ends the import there; with
    no `path` (a mailbox on a server, whose loss its caller reports) the error is raised."""
    items: list[BatchItem] = []
    size = 0
    while len(items) < size_limit and size < BATCH_BYTES:
        try:
            where, raw, error, folder = next(sources)
        except StopIteration:
            return items, True
        except Exception as exc:  # the folder or file became unreadable mid-way
            if path is None:
                raise
            items.append(BatchItem(str(path), None, "", outcome=("failed", f"{type(exc).__name__}: {exc}")))
            return items, True
        item = BatchItem(where, raw, folder)
        if raw is None:
            item.outcome = ("skipped", error or "unreadable")
        elif not raw.strip():
            item.outcome = ("skipped", "empty file")
        else:
            size += len(raw)
        items.append(item)
    return items, False


class _Parser:
    """Parses batches, in a worker process once the import proves large (more than one batch).

    Parsing is pure CPU and needs no database: while this process writes batch N, the worker parses
    batch N+1 on the other core. Any trouble with the worker (it cannot start, it dies) falls back to
    parsing here; a message is never lost to it.
    """

    def __init__(self, max_chars: int) -> None:
        self.max_chars = max_chars
        self.pool: ProcessPoolExecutor | None = None

    def start(self, items: list[BatchItem]) -> Callable[[], None]:
        """Begin parsing these items; the returned function finishes (fills `item.parsed`)."""
        todo = [item for item in items if item.outcome is None and item.raw is not None]
        raws = [item.raw for item in todo if item.raw is not None]
        future: Future[list[ParsedMessage]] | None = None
        if self.pool is not None and raws:
            try:
                future = self.pool.submit(parse_ahead, raws, self.max_chars)
            except Exception:  # a broken pool: parse here from now on
                self.stop()

        def finish() -> None:
            parsed: list[ParsedMessage] | None = None
            if future is not None:
                try:
                    parsed = future.result()
                except Exception:
                    self.stop()
            if parsed is None:
                parsed = parse_many(raws, self.max_chars)
            for item, result in zip(todo, parsed, strict=True):
                item.parsed = result

        return finish

    def use_a_worker(self) -> None:
        if self.pool is None and (os.cpu_count() or 1) > 1:
            try:
                # spawn, not fork: this process may hold threads (the progress bar) and a database connection.
                # It dies with this process, even on kill -9 (no orphan holding memory).
                self.pool = ProcessPoolExecutor(
                    max_workers=1,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=parser_start,
                    initargs=(os.getpid(),),
                )
            except Exception:
                self.pool = None

    def stop(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None


def import_path(
    path: Path,
    *,
    channel: str = Channel.MAIL,
    direction: str | None = None,
    on_message: Callable[[str, str], None] | None = None,
) -> ImportSummary:
    """Import every message under `path`; each ends created, attached, stored, duplicate, skipped or failed.

    `direction` None guesses per message: sent when its folder looks like a sent folder (`Sent`,
    `Éléments envoyés`, `sent_items`…) or when it comes from a leader's address; else received.

    Messages go in batches: up to BATCH_MESSAGES are read and parsed (the next batch in a worker
    process while this one is written), what they need is looked up in a few queries, their rows are
    held and written together (intake/batch.py). In a large import a thread of its own writes each
    batch while the next one is decided (`_Writer`), and commits several batches at once. Outcomes are
    reported once their batch has committed; a batch whose write fails is written again message by
    message, and if even that commit fails, the batch is reported failed and a new run imports it
    (Message-IDs make it idempotent). Python's cycle collector runs rarely meanwhile (core/collector.py).
    """
    with fewer_collections():
        return import_stream(
            _sources(path),
            path=path,
            context=IngestContext.load(live=False),  # old mail: never a receipt
            channel=channel,
            direction=direction,
            on_message=on_message,
        )


def import_stream(
    sources: Iterator[tuple[str, bytes | None, str, str]],
    *,
    path: Path | None,
    context: IngestContext,
    channel: str,
    direction: str | None,
    on_message: Callable[[str, str], None] | None = None,
    batch_size: int | None = None,
    with_batch: WithBatch | None = None,
    after_batch: AfterBatch | None = None,
) -> ImportSummary:
    """Import the messages `sources` gives, (where, raw bytes or None, error, folder) each, as
    `import_path` does (its docstring tells how). `path`: the files' place, whose messages skipped or
    failed are kept apart (quarantine); None for a mailbox on a server, which keeps its messages itself
    (and whose `sources` raise when the server is lost: the import stops there, what it committed
    stays). `batch_size`: messages a batch (BATCH_MESSAGES by default). `with_batch` writes what the
    caller records with each batch, in its transaction; `after_batch` hears each batch once it is
    committed (`WithBatch`, `AfterBatch`)."""
    summary = ImportSummary()
    context.pending_interactions = []
    parser = _Parser(settings.CERCLE["MAX_BODY_CHARS"])
    writer: _Writer | None = None
    in_flight: _Decided | None = None  # decided, being written by the writer
    uncommitted: list[_Decided] = []  # written (or being written) by the writer, not committed yet

    def report(items: list[BatchItem], outcomes: Outcomes) -> None:
        kept: list[tuple[str, bytes, str]] = []
        for item, (where, status, reason, apart) in zip(items, outcomes, strict=True):
            summary.counts[status] += 1
            if status in ("skipped", "failed"):
                summary.skipped.append((where, reason))
                if item.raw and path is not None:
                    kept.append((where, item.raw, reason))
            if apart:
                summary.kept_apart.append(where)
        # Nothing skipped is thrown away: `cercle reparse` takes these again after a fix.
        summary.quarantined += quarantine_keep(kept)
        if after_batch:
            after_batch(items, outcomes)
        if on_message:
            for where, status, _reason, _apart in outcomes:
                on_message(where, status)

    def take(written: _Written) -> None:
        """Report the batches the writer committed (or failed to), and stop carrying them."""
        for decided in written.committed:
            report(decided.items, decided.outcomes)
        for decided in written.lost:
            reason = f"{type(written.lost_by).__name__}: {written.lost_by}"
            report(decided.items, [(item.where, "failed", reason, False) for item in decided.items])
        done = {id(decided) for decided in (*written.committed, *written.lost)}
        if done:
            uncommitted[:] = [decided for decided in uncommitted if id(decided) not in done]
            _carry(context, uncommitted, committed=[d for d in (*written.committed, *written.lost)])

    def settle() -> bool:
        """Wait for the batch in flight to be written and report what has committed; False if that
        batch failed (it is then written again one by one, and what was decided after it is void)."""
        nonlocal in_flight
        if in_flight is None or writer is None:
            return True
        decided, in_flight = in_flight, None
        written = writer.wait()
        if written.failed is None:
            decided.written()
            take(written)
            return True
        uncommitted.remove(decided)  # rolled back alone; the batches before it are committed
        take(written)
        if not isinstance(written.failed, DatabaseError):
            raise written.failed
        context.forget()
        report(
            decided.items,
            _write_batch(
                decided.items,
                context,
                channel=channel,
                direction=direction,
                held=False,
                with_batch=with_batch,
            ),
        )
        return False

    try:
        size = batch_size or BATCH_MESSAGES
        items, done = _read_batch(sources, path, size)
        finish = parser.start(items)
        while items:
            following: list[BatchItem] = []
            if not done:
                following, done = _read_batch(sources, path, size)
                parser.use_a_worker()  # more than one batch: worth a second process
                if writer is None and _may_write_ahead():
                    writer = _Writer()  # and a thread that writes a batch while the next is decided
            finish_following = parser.start(following)
            finish()
            decided = (
                _decide_ahead(items, context, channel=channel, direction=direction, with_batch=with_batch)
                if writer
                else None
            )
            if not settle() or decided is None:
                if writer is not None:  # this thread writes now: what the writer holds commits first
                    take(writer.commit())
                context.forget()  # what this batch decided counted on a batch that failed, or on nothing
                report(
                    items,
                    _write_batch(items, context, channel=channel, direction=direction, with_batch=with_batch),
                )
            else:
                assert writer is not None
                writer.submit(decided)
                in_flight = decided
                uncommitted.append(decided)
                _carry(context, uncommitted)
            items, finish = following, finish_following
        settle()
        if writer is not None:
            take(writer.commit())
    finally:
        parser.stop()
        if writer is not None:
            writer.stop()
    return summary


@dataclass
class _Decided:
    """A batch decided ahead: its outcomes, what it writes (in the writer's thread), and what the
    batches decided after it must see of it until it commits."""

    items: list[BatchItem]
    outcomes: list[tuple[str, str, str, bool]]
    writes: PendingWrites
    interactions: list[Interaction]
    known: dict[str, int | Request | None]
    orphans: dict[str, list[str]]
    by_subject: dict[tuple[int, str], list[tuple[datetime, Request]]]
    contacts: list[Contact]
    with_batch: WithBatch | None = None

    def written(self) -> None:
        """Its rows are in the writer's transaction: keep only what reporting it needs (the source of a
        message skipped or failed, to keep it apart)."""
        for item, (_where, status, _reason, _apart) in zip(self.items, self.outcomes, strict=True):
            item.parsed = None
            if status not in ("skipped", "failed"):
                item.raw = None


def _carry(context: IngestContext, uncommitted: list[_Decided], committed: Iterable[_Decided] = ()) -> None:
    """What the next batch must see of the batches not committed yet (it cannot read them in the
    database): their Message-IDs, the requests they created by subject, their new contacts, and their
    orphans not adopted yet. After a batch is added (the last of `uncommitted`), what it carries is
    added; after some commit, the rest is gathered again."""
    committed = list(committed)
    if committed or len(uncommitted) <= 1:
        context.carried, context.carried_by_subject, context.carried_contacts = {}, {}, {}
        adding = uncommitted
    else:
        adding = uncommitted[-1:]
    by_subject = context.carried_by_subject
    for decided in adding:
        context.carried.update(decided.known)
        for key, found in decided.by_subject.items():
            by_subject.setdefault(key, []).extend(found)
        context.carried_contacts.update((c.email, c) for c in decided.contacts if c.email)
    for decided in committed:  # readable in the database now
        for parent, orphans in decided.orphans.items():
            left = [i for i in context.carried_orphans.get(parent, []) if i not in orphans]
            if left:
                context.carried_orphans[parent] = left
            else:
                context.carried_orphans.pop(parent, None)


@dataclass
class _Written:
    """What the writer reports after a batch: the batches it committed since it last reported, those
    whose commit failed (with the error), and the error of the batch just written, rolled back alone."""

    committed: list[_Decided] = field(default_factory=list)
    lost: list[_Decided] = field(default_factory=list)
    lost_by: BaseException | None = None
    failed: BaseException | None = None


class _Writer:
    """Writes decided batches in a thread of its own, on that thread's own database connection, one at a
    time: while it writes batch N (the database's work, during which Python lets other threads run),
    the import decides batch N+1. At most one batch is in flight.

    It commits several batches at once (up to GROUP_BATCHES, or after GROUP_SECONDS), each batch in a
    savepoint: a commit rewrites every page the transaction touched, and an import's indexes touch
    pages all over their tables, so fewer commits write far less. A batch that fails rolls back alone,
    after the ones before it are committed."""

    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="cercle-import-writer", initializer=_writer_connection
        )
        self.future: Future[_Written] | None = None
        # Used in the writer's thread only: the open transaction, its batches, and when it began.
        self._transaction: transaction.Atomic | None = None
        self._batches: list[_Decided] = []
        self._since = 0.0

    def submit(self, decided: _Decided) -> None:
        self.future = self.pool.submit(self._write, decided)

    def wait(self) -> _Written:
        """Wait for the batch in flight."""
        future, self.future = self.future, None
        return future.result() if future is not None else _Written()

    def commit(self) -> _Written:
        """Commit what the writer holds (after the batch in flight, if any: wait for it first)."""
        return self.pool.submit(self._commit).result()

    def stop(self) -> None:
        """After the batch in flight: commit, close the thread's connection, end the thread."""
        try:
            self.pool.submit(self._close).result()
        finally:
            self.pool.shutdown(wait=True)

    # --- In the writer's thread -------------------------------------------------------------------

    def _write(self, decided: _Decided) -> _Written:
        if self._transaction is None:
            self._transaction = transaction.atomic()
            self._transaction.__enter__()
            commit_lazily()  # the files stay, and a new run takes again what a crash lost (core/bulk.py)
            self._since = time.monotonic()
        try:
            with transaction.atomic():  # a savepoint: this batch alone rolls back
                _write_decided(decided)
        except Exception as exc:  # the batches before it commit; the caller writes it again
            written = self._commit()
            written.failed = exc
            return written
        finally:
            decided.interactions = []
        self._batches.append(decided)
        if len(self._batches) >= GROUP_BATCHES or time.monotonic() - self._since >= GROUP_SECONDS:
            return self._commit()
        return _Written()

    def _commit(self) -> _Written:
        opened, self._transaction = self._transaction, None
        batches, self._batches = self._batches, []
        if opened is None:
            return _Written()
        try:
            opened.__exit__(None, None, None)
        except DatabaseError as exc:  # rolled back: none of these batches is stored
            return _Written(lost=batches, lost_by=exc)
        return _Written(committed=batches)

    def _close(self) -> None:
        try:
            if self._transaction is not None:  # the import stopped on an error: keep what is written
                self._commit()
        finally:
            connections.close_all()


def _write_decided(decided: _Decided) -> None:
    decided.writes.flush()
    if decided.interactions:
        interaction_record_many(interactions=decided.interactions)
    if decided.with_batch:
        decided.with_batch(decided.items, decided.outcomes)


def _writer_connection() -> None:
    """The writing thread's connection: on SQLite a larger page cache."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = -{SQLITE_WRITER_CACHE_KB}")


def _may_write_ahead() -> bool:
    """Whether batches may be written in a thread of their own: not inside a caller's transaction (its
    batches must be in it), and not on an in-memory SQLite database (a second connection to it would
    meet its table locks)."""
    if connection.in_atomic_block:
        return False
    return not (connection.vendor == "sqlite" and connection.is_in_memory_db())  # type: ignore[attr-defined]


def _decide_ahead(
    items: list[BatchItem],
    context: IngestContext,
    *,
    channel: str,
    direction: str | None,
    with_batch: WithBatch | None = None,
) -> _Decided | None:
    """Decide a batch while earlier ones are being written (reads only: its rows are held), seeing
    those through what they carried over (`_carry`). None when a message needs the earlier batches
    really written (intake/batch.py `NotAhead`) or is a LinkedIn notice (its member is looked up and
    created at once): the batch is then decided again once they have committed."""
    if any(item.parsed is not None and item.parsed.linkedin is not None for item in items):
        return None
    context.end_batch()
    writes = PendingWrites(ahead=True, carried_by_subject=context.carried_by_subject)
    context.writes, context.pending_interactions = writes, []
    outcomes: list[tuple[str, str, str, bool]] = []
    try:
        parsed = [item.parsed for item in items if item.parsed]
        context.prefetch([i for p in parsed for i in p.all_ids])
        context.contacts_prefetch([a for p in parsed for a in (p.from_email, *p.to, *p.cc)])
        context.replies_prefetch(parsed, days=SUBJECT_THREAD_DAYS)
        for item in items:
            status, reason, apart = (
                (*item.outcome, False)
                if item.outcome
                else _ingest_one(item, channel=channel, direction=direction, context=context)
            )
            outcomes.append((item.where, status, reason, apart))
    except (NotAhead, DatabaseError):  # decided again the usual way (which falls back on its own)
        context.writes = None
        return None
    interactions, context.pending_interactions = context.pending_interactions or [], []
    orphans = {
        parent: [message.message_id for message in found]
        for parent, found in writes.orphans_by_parent.items()
    }
    for parent, found in orphans.items():
        context.carried_orphans.setdefault(parent, []).extend(found)
    context.writes = None
    writes.seal()
    return _Decided(
        items,
        outcomes,
        writes,
        interactions,
        known=dict(context.known),
        orphans=orphans,
        by_subject=writes.by_subject,  # (the writer's flush replaces the attribute, not the dict)
        contacts=list(writes.contacts),
        with_batch=with_batch,
    )


def _write_batch(
    items: list[BatchItem],
    context: IngestContext,
    *,
    channel: str,
    direction: str | None,
    held: bool = True,
    with_batch: WithBatch | None = None,
) -> Outcomes:
    """Write one batch in one transaction: its rows held and written together (intake/batch.py); if
    that fails (a row another writer stored meanwhile, a database error), the batch is rolled back and
    written again message by message, each in its own savepoint, so one bad message fails alone.
    `held` False: message by message at once (a held write of this batch failed already)."""
    if held:
        try:
            return _write(
                items, context, channel=channel, direction=direction, held=True, with_batch=with_batch
            )
        except DatabaseError:
            context.forget()
    try:
        return _write(items, context, channel=channel, direction=direction, held=False, with_batch=with_batch)
    except DatabaseError as exc:  # the batch's commit failed: nothing of it is stored
        context.forget()
        return [(item.where, "failed", f"{type(exc).__name__}: {exc}", False) for item in items]
    finally:
        context.end_batch()


def _write(
    items: list[BatchItem],
    context: IngestContext,
    *,
    channel: str,
    direction: str | None,
    held: bool,
    with_batch: WithBatch | None = None,
) -> Outcomes:
    outcomes: Outcomes = []
    context.writes = PendingWrites() if held else None
    try:
        with transaction.atomic():
            commit_lazily()  # the files stay, and a new run takes again what a crash lost (core/bulk.py)
            parsed = [item.parsed for item in items if item.parsed]
            context.prefetch([i for p in parsed for i in p.all_ids])
            if held:
                context.contacts_prefetch([a for p in parsed for a in (p.from_email, *p.to, *p.cc)])
                context.replies_prefetch(parsed, days=SUBJECT_THREAD_DAYS)
            for item in items:
                status, reason, apart = (
                    (*item.outcome, False)
                    if item.outcome
                    else _ingest_one(item, channel=channel, direction=direction, context=context)
                )
                outcomes.append((item.where, status, reason, apart))
            context.flush()
            if with_batch:
                with_batch(items, outcomes)
    finally:
        context.writes = None
    context.end_batch()
    return outcomes


def _ingest_one(
    item: BatchItem, *, channel: str, direction: str | None, context: IngestContext
) -> tuple[str, str, bool]:
    parsed = item.parsed
    item.request = None
    if parsed is None:
        item.reason = "not parsed"
        return "failed", item.reason, False
    item.message_id = parsed.message_id
    try:
        if direction is None:
            sent = is_sent_folder(item.folder) or parsed.from_email in context.leader_addresses
            direction = Direction.OUTBOUND if sent else Direction.INBOUND
        result = message_ingest(
            parsed=parsed, raw=item.raw, channel=channel, direction=direction, context=context
        )
    except NotAhead:  # not a failure of this message: its batch is decided again later
        raise
    except Exception as exc:  # never let one bad message stop an import; report it
        item.reason = f"{type(exc).__name__}: {exc}"[:2000]
        return "failed", item.reason, False
    item.request, item.reason = result.request, result.reason
    return result.status, str(result.reason), result.same_id_as is not None
