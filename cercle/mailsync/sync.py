"""Incremental IMAP sync: list the UIDs, fetch only the ones the ledger does not know, in batches.

Crash safety comes from one rule: a batch's messages and their ledger entries commit in the same
transaction. Kill the process anywhere and the next run fetches exactly what did not commit.
The server is only read (folders are opened read-only, bodies fetched with BODY.PEEK), unless the
account asks to mark imported messages as read.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop
from imapclient import SEEN

from cercle.circulation.models import Direction, Request
from cercle.core.bulk import commit_lazily, objects_insert
from cercle.core.collector import fewer_collections
from cercle.core.notes import Note, note_stored
from cercle.intake.batch import PendingWrites
from cercle.intake.context import IngestContext
from cercle.intake.services import SUBJECT_THREAD_DAYS, message_ingest
from cercle.mail.parse import ParsedMessage, parse_message
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


@dataclass
class _Fetched:
    uid: int
    raw: bytes
    parsed: ParsedMessage | None = None
    error: str = ""


def _parse(uid: int, raw: bytes) -> _Fetched:
    """Parse outside the transaction (it is the CPU-heavy part; the database lock stays short)."""
    try:
        return _Fetched(uid, raw, parse_message(raw))
    except Exception as exc:  # parse_message is lenient; this is the last line of defence
        return _Fetched(uid, raw, error=f"{type(exc).__name__}: {exc}"[:2000])


def _ingest_one(
    account: MailAccount,
    folder: str,
    uidvalidity: int,
    item: _Fetched,
    direction: str,
    context: IngestContext,
) -> str:
    """Store one fetched message and its ledger entry (inside the batch's transaction)."""
    parsed = item.parsed
    message_id = parsed.message_id if parsed else ""
    status, request_id = LedgerStatus.FAILED, None
    error: str | Note = item.error
    pending_before = len(context.pending_interactions or [])
    try:
        with transaction.atomic():  # the message and its ledger entry, or neither
            if parsed is not None:
                try:
                    with transaction.atomic():
                        result = message_ingest(
                            parsed=parsed, raw=item.raw, direction=direction, context=context
                        )
                    status = STATUS_OF_RESULT.get(result.status, LedgerStatus.IMPORTED)
                    error, request_id = result.reason, result.request_id
                except Exception as exc:  # one bad message must not stop the mailbox
                    log.exception("mail sync: %s %s uid %s failed", account, folder, item.uid)
                    status, error = LedgerStatus.FAILED, f"{type(exc).__name__}: {exc}"[:2000]
            LedgerEntry.objects.create(
                account=account,
                folder=folder,
                uidvalidity=uidvalidity,
                uid=item.uid,
                message_id=message_id[:500],
                status=status,
                **_ledger_error(error),
                request_id=request_id,
            )
    except IntegrityError:
        # Another worker recorded this UID first; its transaction holds the message too. What this
        # message put in the import's caches was rolled back with it.
        if context.pending_interactions is not None:
            del context.pending_interactions[pending_before:]
        context.contacts.clear()
        context.end_batch()
        return "raced"
    return str(status)


def _write_batch(
    account: MailAccount,
    folder: str,
    uidvalidity: int,
    items: list[_Fetched],
    direction: str,
    context: IngestContext,
) -> list[str]:
    """One transaction for a fetched batch: its rows held and written together with their ledger
    entries (intake/batch.py); if that fails (a UID another worker recorded meanwhile, a database
    error), rolled back and written again message by message, each with its ledger entry."""
    try:
        return _write(account, folder, uidvalidity, items, direction, context, held=True)
    except DatabaseError:
        context.forget()
    return _write(account, folder, uidvalidity, items, direction, context, held=False)


def _write(
    account: MailAccount,
    folder: str,
    uidvalidity: int,
    items: list[_Fetched],
    direction: str,
    context: IngestContext,
    *,
    held: bool,
) -> list[str]:
    context.writes = PendingWrites() if held else None
    try:
        with transaction.atomic():
            commit_lazily()  # the mailbox and its ledger stay: a new sync fetches what a crash lost
            parsed = [item.parsed for item in items if item.parsed]
            context.prefetch([i for p in parsed for i in p.all_ids])
            if held:
                context.contacts_prefetch([a for p in parsed for a in (p.from_email, *p.to, *p.cc)])
                context.replies_prefetch(parsed, days=SUBJECT_THREAD_DAYS)
                entries = [
                    _ingest_held(account, folder, uidvalidity, item, direction, context) for item in items
                ]
                context.flush()  # the rows first: the ledger entries name their requests
                objects_insert(entries)
                statuses = [str(entry.status) for entry in entries]
            else:
                statuses = [
                    _ingest_one(account, folder, uidvalidity, item, direction, context) for item in items
                ]
            context.flush()
    finally:
        context.writes = None
    return statuses


def _ingest_held(
    account: MailAccount,
    folder: str,
    uidvalidity: int,
    item: _Fetched,
    direction: str,
    context: IngestContext,
) -> LedgerEntry:
    """One message of a held batch (no savepoint: a failure takes back its own held rows) and its
    ledger entry, written with the batch."""
    parsed = item.parsed
    status, request = LedgerStatus.FAILED, None
    error: str | Note = item.error
    if parsed is not None:
        try:
            result = message_ingest(parsed=parsed, raw=item.raw, direction=direction, context=context)
            status = STATUS_OF_RESULT.get(result.status, LedgerStatus.IMPORTED)
            error, request = result.reason, result.request
        except Exception as exc:  # one bad message must not stop the mailbox
            log.exception("mail sync: %s %s uid %s failed", account, folder, item.uid)
            status, error = LedgerStatus.FAILED, f"{type(exc).__name__}: {exc}"[:2000]
    entry = LedgerEntry(
        account=account,
        folder=folder,
        uidvalidity=uidvalidity,
        uid=item.uid,
        message_id=(parsed.message_id if parsed else "")[:500],
        status=status,
        **_ledger_error(error),
    )
    if isinstance(request, Request):
        entry.request = request
    else:
        entry.request_id = request
    return entry


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
    # Many objects made and freed: the cycle collector runs rarely meanwhile (core/collector.py).
    with fewer_collections():
        context = IngestContext.load()
        context.pending_interactions = []
        batch = sync_batch_size()
        done = 0
        for start in range(0, len(todo), batch):
            uids = todo[start : start + batch]
            fetched = client.fetch(uids, [b"BODY.PEEK[]"])  # type: ignore[attr-defined]
            items = [_parse(uid, fetched[uid].get(b"BODY[]") or b"") for uid in uids if uid in fetched]
            if len(items) < len(uids):  # expunged between SEARCH and FETCH: nothing to record
                report.counts["vanished"] += len(uids) - len(items)
            imported: list[int] = []
            try:
                statuses = _write_batch(account, folder, uidvalidity, items, direction, context)
            except Exception:
                context.forget()  # the batch rolled back: nothing of it is stored, the next run fetches it
                raise
            context.end_batch()
            for item, status in zip(items, statuses, strict=True):
                report.counts[status] += 1
                if status == LedgerStatus.IMPORTED:
                    imported.append(item.uid)
            if imported and not readonly:
                client.add_flags(imported, [SEEN])  # type: ignore[attr-defined]
            done += len(uids)
            # "Last mail arrived" on the mailbox page: new messages of the folder to triage.
            arrived = {"last_mail_at": timezone.now()} if imported and direction == Direction.INBOUND else {}
            MailAccount.objects.filter(pk=account.pk).update(sync_done=done, **arrived)
            if progress:
                progress(done, len(todo))


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
