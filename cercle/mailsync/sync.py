"""Incremental IMAP sync: list the UIDs, fetch only the ones the ledger does not know, in batches.

Crash safety comes from one rule: a batch's messages and their ledger entries commit in the same
transaction. Kill the process anywhere and the next run fetches exactly what did not commit.
The server is only read (folders are opened read-only, bodies fetched with BODY.PEEK), unless the
account asks to mark imported messages as read.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Generator, Iterator
from contextlib import closing
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_noop
from imapclient import SEEN

from cercle.circulation.models import Channel, Direction, Request
from cercle.core.bulk import objects_insert
from cercle.core.collector import fewer_collections
from cercle.core.notes import Note, note_stored
from cercle.core.readahead import read_ahead
from cercle.intake.context import IngestContext
from cercle.intake.files import BatchItem, Outcomes, import_stream
from cercle.intake.services import message_ingest
from cercle.mail.parse import parse_message
from cercle.mailsync.imap import CONNECTION_LOST, MailConnectionError, connect, lost_connection
from cercle.mailsync.models import (
    AfterImport,
    FolderState,
    LedgerEntry,
    LedgerStatus,
    MailAccount,
    sync_batch_size,
)

log = logging.getLogger(__name__)

STATUS_OF_RESULT = {
    "created": LedgerStatus.IMPORTED,
    "attached": LedgerStatus.IMPORTED,
    "stored": LedgerStatus.IMPORTED,
    "duplicate": LedgerStatus.DUPLICATE,
    "skipped": LedgerStatus.SKIPPED,
}


@dataclass
class SyncReport:
    counts: Counter[str] = field(default_factory=Counter)
    rescanned: list[str] = field(default_factory=list)
    error: str | Note = ""

    @property
    def fetched(self) -> int:
        return sum(self.counts.values())


Progress = Callable[[int, int], None]

# A fetch holds at most this much mail (or one message, if larger): what the file import's batch holds.
FETCH_BYTES = 16 * 1024 * 1024
SIZES_AT_ONCE = 1000
# The import's outcome of a message (intake/files.py) as the ledger records it.
LEDGER_STATUS = {**STATUS_OF_RESULT, "failed": LedgerStatus.FAILED}


def _fetched(
    client: object, uids: list[int], folder: str, batch: int, report: SyncReport
) -> Generator[tuple[str, bytes | None, str, str], None, None]:
    """The messages of these UIDs, as the import reads them (where: the UID), fetched at most `batch`
    and FETCH_BYTES at a time (their sizes asked first, SIZES_AT_ONCE UIDs a command): each fetch's
    bodies are held in memory until parsed, and a mailbox of attachments must not fill it. A message
    larger than FETCH_BYTES is fetched alone."""
    for start in range(0, len(uids), SIZES_AT_ONCE):
        chunk = uids[start : start + SIZES_AT_ONCE]
        sizes = client.fetch(chunk, [b"RFC822.SIZE"])  # type: ignore[attr-defined]
        group: list[int] = []
        held = 0
        for uid in chunk:
            if uid not in sizes:  # expunged between SEARCH and FETCH: nothing to record
                report.counts["vanished"] += 1
                continue
            size = int(sizes[uid].get(b"RFC822.SIZE") or 0)
            if group and (len(group) >= batch or held + size > FETCH_BYTES):
                yield from _bodies(client, group, folder, report)
                group, held = [], 0
            group.append(uid)
            held += size
        if group:
            yield from _bodies(client, group, folder, report)


def _bodies(
    client: object, uids: list[int], folder: str, report: SyncReport
) -> Iterator[tuple[str, bytes | None, str, str]]:
    fetched = client.fetch(uids, [b"BODY.PEEK[]"])  # type: ignore[attr-defined]
    for uid in uids:
        data = fetched.get(uid)
        if data is None:  # expunged since its size was read
            report.counts["vanished"] += 1
            continue
        yield str(uid), data.get(b"BODY[]") or b"", "", folder


def _ledger_writer(
    account: MailAccount, folder: str, uidvalidity: int, direction: str
) -> Callable[[list[BatchItem], Outcomes], None]:
    """What a batch of the folder writes with its messages, in their transaction: a ledger entry per
    UID, and the account's progress. A UID another process recorded first keeps its entry (that
    process's transaction holds the message too)."""

    def write(items: list[BatchItem], outcomes: Outcomes) -> None:
        entries = []
        for item, (_where, status, reason, _apart) in zip(items, outcomes, strict=True):
            entry = LedgerEntry(
                account=account,
                folder=folder,
                uidvalidity=uidvalidity,
                uid=int(item.where),
                message_id=item.message_id[:500],
                status=LEDGER_STATUS.get(status, LedgerStatus.IMPORTED),
                **_ledger_error(item.reason or reason),
            )
            if isinstance(item.request, Request):
                entry.request = item.request
            else:
                entry.request_id = item.request
            entries.append(entry)
        objects_insert(entries, ignore_conflicts=True)
        # "Last mail arrived" on the mailbox page: new messages of the folder to triage.
        imported = any(entry.status == LedgerStatus.IMPORTED for entry in entries)
        arrived = {"last_mail_at": timezone.now()} if imported and direction == Direction.INBOUND else {}
        MailAccount.objects.filter(pk=account.pk).update(sync_done=F("sync_done") + len(items), **arrived)

    return write


def _known_uids(account: MailAccount, folder: str, uidvalidity: int) -> set[int]:
    return set(
        LedgerEntry.objects.filter(account=account, folder=folder, uidvalidity=uidvalidity).values_list(
            "uid", flat=True
        )
    )


def _check_uidvalidity(account: MailAccount, folder: str, uidvalidity: int, report: SyncReport) -> None:
    state, created = FolderState.objects.get_or_create(
        account=account, folder=folder, defaults={"uidvalidity": uidvalidity}
    )
    if not created and state.uidvalidity != uidvalidity:
        # The server renumbered the folder: every UID is new again. Re-scan it; Message-IDs dedupe.
        log.warning(
            "mail sync: %s %s UIDVALIDITY %s -> %s, re-scanning",
            account,
            folder,
            state.uidvalidity,
            uidvalidity,
        )
        state.uidvalidity = uidvalidity
        state.rescans += 1
        report.rescanned.append(folder)
    state.checked_at = timezone.now()
    state.save()


def sync_folder(
    client: object,
    account: MailAccount,
    folder: str,
    *,
    direction: str,
    report: SyncReport,
    progress: Progress | None = None,
    limit: int | None = None,
) -> None:
    readonly = account.after_import != AfterImport.SEEN
    selected = client.select_folder(folder, readonly=readonly)  # type: ignore[attr-defined]
    uidvalidity = int(selected[b"UIDVALIDITY"])
    _check_uidvalidity(account, folder, uidvalidity, report)
    on_server = client.search("ALL")  # type: ignore[attr-defined]
    todo = sorted(set(on_server) - _known_uids(account, folder, uidvalidity))
    if limit is not None:
        todo = todo[:limit]
    MailAccount.objects.filter(pk=account.pk).update(sync_total=len(todo), sync_done=0)
    if not todo:
        return
    total = len(todo)

    done = 0

    def after(items: list[BatchItem], outcomes: Outcomes) -> None:
        """Once a batch has committed: count it, mark what it imported as read if the account asks."""
        nonlocal done
        imported = []
        for item, (_where, status, _reason, _apart) in zip(items, outcomes, strict=True):
            ledger_status = LEDGER_STATUS.get(status, LedgerStatus.IMPORTED)
            report.counts[str(ledger_status)] += 1
            if ledger_status == LedgerStatus.IMPORTED:
                imported.append(int(item.where))
        if imported and not readonly:
            client.add_flags(imported, [SEEN])  # type: ignore[attr-defined]
        done += len(items)
        if progress:
            progress(done, total)

    # The import's own pipeline (intake/files.py): the next batch fetched (by a thread of its own) and
    # parsed (in a second process) while this one is decided, and a large sync's batches written by a
    # thread of their own. Each batch commits with its ledger entries. Many objects made and freed: the
    # cycle collector runs rarely meanwhile (core/collector.py).
    batch = sync_batch_size()
    sources: Generator[tuple[str, bytes | None, str, str], None, None] = _fetched(
        client, todo, folder, batch, report
    )
    if readonly:  # the server's answers read while the import works (else it marks messages read meanwhile)
        sources = read_ahead(sources, batch, name="cercle-imap-fetch")
    # Closed on the way out, error or not: the reading thread is gone before the connection is used again.
    with closing(sources), fewer_collections():
        import_stream(
            sources,
            path=None,
            context=IngestContext.load(),
            channel=Channel.MAIL,
            direction=direction,
            batch_size=batch,
            with_batch=_ledger_writer(account, folder, uidvalidity, direction),
            after_batch=after,
        )


def sync_lease_name(account_id: int) -> str:
    """The lease a process holds while it syncs this account (core/leases.py)."""
    return f"mail-sync-{account_id}"


def sync_account(
    account: MailAccount, *, progress: Progress | None = None, limit: int | None = None
) -> SyncReport:
    """Fetch what is new in the account's folders. Errors are reported, never raised to the worker."""
    report = SyncReport()
    MailAccount.objects.filter(pk=account.pk).update(sync_running_since=timezone.now())
    try:
        with connect(account) as client:
            for folder, direction in (
                (account.inbox_folder, Direction.INBOUND),
                (account.sent_folder, Direction.OUTBOUND),
            ):
                if not folder:
                    continue
                if not client.folder_exists(folder):
                    raise MailConnectionError(
                        Note(gettext_noop("The folder “%(folder)s” does not exist."), folder=folder)
                    )
                sync_folder(
                    client,
                    account,
                    folder,
                    direction=direction,
                    report=report,
                    progress=progress,
                    limit=limit,
                )
    except MailConnectionError as exc:
        report.error = exc.note
    except CONNECTION_LOST as exc:
        log.warning("mail sync: %s: connection lost: %s", account, exc)
        done = MailAccount.objects.filter(pk=account.pk).values_list("sync_done", "sync_total").first() or (
            0,
            0,
        )
        report.error = lost_connection(account, done=done[0], total=done[1])
    except Exception as exc:  # shown on the account page; the next run tries again
        log.exception("mail sync: %s failed", account)
        report.error = f"{type(exc).__name__}: {exc}"
    last_error, last_error_note = note_stored(report.error)
    MailAccount.objects.filter(pk=account.pk).update(
        last_sync_at=timezone.now(),
        last_error=last_error,
        last_error_note=last_error_note,
        sync_running_since=None,
    )
    return report


def _ledger_error(error: str | Note) -> dict[str, object]:
    text, note = note_stored(error)
    return {"error": text, "error_note": note}


def _set_error(entry: LedgerEntry, error: str | Note) -> None:
    for name, value in _ledger_error(error).items():
        setattr(entry, name, value)


def ledger_retry(entry: LedgerEntry) -> LedgerEntry:
    """Fetch a failed message again and re-run its import (a person asked: never automatic)."""
    account = entry.account
    with connect(account) as client:
        selected = client.select_folder(entry.folder, readonly=True)
        if int(selected[b"UIDVALIDITY"]) != entry.uidvalidity:
            _set_error(
                entry, Note(gettext_noop("The folder was renumbered since: the next sync re-scans it."))
            )
            entry.save(update_fields=["error", "error_note", "updated_at"])
            return entry
        fetched = client.fetch([entry.uid], [b"BODY.PEEK[]"])
    data = fetched.get(entry.uid)
    if data is None:
        _set_error(entry, Note(gettext_noop("The message is no longer on the server.")))
        entry.attempts += 1
        entry.save(update_fields=["error", "error_note", "attempts", "updated_at"])
        return entry
    raw = data.get(b"BODY[]") or b""
    direction = Direction.OUTBOUND if entry.folder == account.sent_folder else Direction.INBOUND
    entry.attempts += 1
    try:
        with transaction.atomic():
            parsed = parse_message(raw)
            result = message_ingest(parsed=parsed, raw=raw, direction=direction)
        entry.message_id = parsed.message_id[:500]
        entry.status = STATUS_OF_RESULT.get(result.status, LedgerStatus.IMPORTED)
        _set_error(entry, result.reason)
        entry.request_id = result.request_id
    except Exception as exc:
        _set_error(entry, f"{type(exc).__name__}: {exc}"[:2000])
    entry.save()
    return entry
