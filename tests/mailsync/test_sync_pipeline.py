"""A large sync goes through the import's pipeline (intake/files.py): the next batch fetched and parsed
while this one is decided, batches written by a thread of their own, several per commit. Each batch's
ledger entries must still commit with its messages and name their requests. Real Dovecot, and a
committed database (the pipeline writes on a second connection, which a test's transaction would hide)."""

from __future__ import annotations

import threading

import pytest
from django.db import DatabaseError
from django.db.models import Count
from imapclient import IMAPClient

from cercle.circulation.models import Message, Request
from cercle.intake import files
from cercle.mailsync import sync as sync_module
from cercle.mailsync.models import AfterImport, LedgerEntry, LedgerStatus, MailAccount
from cercle.mailsync.sync import sync_account
from tests.dovecot import make_message
from tests.mailsync.test_sync import server_flags

pytestmark = pytest.mark.django_db(transaction=True)

MESSAGES = 40
BATCH = 4


def _reply(n: int, parent: int) -> bytes:
    """A reply to `make_message(parent)`: it joins that message's request."""
    original = make_message(parent).decode()
    parent_id = next(line for line in original.split("\r\n") if line.startswith("Message-ID:")).split(": ")[1]
    return (
        f"From: Client {parent} <client@example.org>\r\n"
        "To: Léa Marchand <lea@hub.example>\r\n"
        f"Subject: Re: Demande de partenariat n°{parent}\r\n"
        f"Message-ID: <reply-{n}@example.org>\r\n"
        f"In-Reply-To: {parent_id}\r\n"
        f"References: {parent_id}\r\n"
        "Date: Tue, 24 Nov 2026 10:00:00 +0100\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "\r\n"
        f"Je reviens vers vous au sujet du projet {parent}.\r\n"
    ).encode()


def test_a_large_sync_writes_ahead_and_each_ledger_entry_commits_with_its_message(
    dovecot, mailbox_user, account: MailAccount, settings, monkeypatch
):
    settings.CERCLE = {**settings.CERCLE, "MAIL_SYNC_BATCH": BATCH}
    # Requests, and replies to them a few batches later (they find their request in a batch committed,
    # or still being written).
    mail = [make_message(i) for i in range(MESSAGES - 8)] + [_reply(100 + i, i) for i in range(8)]
    dovecot.put_messages(mailbox_user, mail)
    account.after_import = AfterImport.SEEN
    account.save()
    written = []
    submit = files._Writer.submit

    def counted(writer: files._Writer, decided: files._Decided) -> None:
        written.append(len(decided.items))
        submit(writer, decided)

    monkeypatch.setattr(files._Writer, "submit", counted)
    progress: list[tuple[int, int]] = []

    report = sync_account(account, progress=lambda done, total: progress.append((done, total)))

    assert report.error == ""
    assert report.counts == {LedgerStatus.IMPORTED: MESSAGES}
    assert sum(written) >= MESSAGES // 2  # most batches were written by the writing thread
    assert Message.objects.count() == MESSAGES
    assert Request.objects.count() == MESSAGES - 8  # each reply joined its request
    # One entry per UID, each naming the request its message belongs to.
    entries = LedgerEntry.objects.filter(account=account)
    assert entries.count() == MESSAGES
    assert not entries.values("uid").annotate(n=Count("id")).filter(n__gt=1).exists()
    request_of = dict(Message.objects.values_list("message_id", "request_id"))
    for entry in entries:
        assert entry.status == LedgerStatus.IMPORTED
        assert entry.request_id is not None
        assert entry.request_id == request_of[entry.message_id], entry.message_id
    # Progress counted each committed batch once, up to the whole folder.
    assert progress[-1] == (MESSAGES, MESSAGES)
    assert [done for done, _ in progress] == sorted({done for done, _ in progress})
    account.refresh_from_db()
    assert (account.sync_done, account.sync_total) == (MESSAGES, MESSAGES)
    assert account.last_mail_at is not None
    # Marked as read once committed, as the account asks.
    assert all(b"\\Seen" in flags for flags in server_flags(dovecot, mailbox_user).values())
    # Nothing new: nothing fetched.
    assert sync_account(account).fetched == 0


def test_a_batch_whose_write_fails_is_written_again_message_by_message_with_its_ledger(
    dovecot, mailbox_user, account: MailAccount, settings, monkeypatch
):
    """A batch the writing thread fails to write is rolled back alone and written again one message at
    a time: its ledger entries still commit with its messages, none twice."""
    settings.CERCLE = {**settings.CERCLE, "MAIL_SYNC_BATCH": BATCH}
    dovecot.put_messages(mailbox_user, [make_message(i) for i in range(MESSAGES)])
    write, failures = files._write_decided, []

    def failing_once(decided: files._Decided) -> None:
        if not failures and len(decided.items) == BATCH:
            failures.append(decided.items[0].where)
            write(decided)  # its rows and its ledger entries are written, then the batch fails
            raise DatabaseError("disk I/O error")
        write(decided)

    monkeypatch.setattr(files, "_write_decided", failing_once)

    report = sync_account(account)

    assert failures, "the writing thread wrote no batch"
    assert report.error == ""
    assert report.counts == {LedgerStatus.IMPORTED: MESSAGES}
    assert Message.objects.count() == MESSAGES
    assert LedgerEntry.objects.filter(account=account).count() == MESSAGES
    assert LedgerEntry.objects.filter(account=account, uid=int(failures[0])).get().request_id is not None


def test_fetches_hold_a_bounded_amount_of_mail_and_a_large_message_is_fetched_alone(
    dovecot, mailbox_user, account: MailAccount, settings, monkeypatch
):
    """A mailbox of attachments: each FETCH of bodies holds at most FETCH_BYTES, or one message larger
    than that, fetched alone and imported like the others."""
    settings.CERCLE = {**settings.CERCLE, "MAIL_SYNC_BATCH": 50}
    padding = "x" * 1500
    small = [make_message(i).replace(b"Bien \xc3\xa0 vous", padding.encode()) for i in range(12)]
    huge = make_message(99).replace(b"Bien \xc3\xa0 vous", b"y" * 9000)
    dovecot.put_messages(mailbox_user, [*small[:5], huge, *small[5:]])
    monkeypatch.setattr(sync_module, "FETCH_BYTES", 4000)
    bodies: list[list[int]] = []
    fetch = IMAPClient.fetch

    def recorded(client, messages, data, *args, **kwargs):
        if b"BODY.PEEK[]" in data:
            bodies.append(list(messages))
        return fetch(client, messages, data, *args, **kwargs)

    monkeypatch.setattr(IMAPClient, "fetch", recorded)

    report = sync_account(account)

    assert report.error == ""
    assert report.counts == {LedgerStatus.IMPORTED: 13}
    assert Message.objects.count() == 13
    assert sorted(uid for fetched in bodies for uid in fetched) == list(range(1, 14))  # each once
    assert [6] in bodies  # the large one (the sixth appended), alone
    each = len(small[0]) + 20  # Dovecot's line ends may add a little
    assert all(len(fetched) * each <= 4000 or len(fetched) == 1 for fetched in bodies), bodies
    assert len(bodies) >= 12 * len(small[0]) // 4000 + 1


def test_a_sync_stopped_by_an_error_leaves_no_thread_reading_the_server(
    dovecot, mailbox_user, account: MailAccount, settings, monkeypatch
):
    """The import stops on an error while the server's next answers are being read: the reading thread
    is stopped and gone before the connection is closed, what committed stays, and the next sync
    takes the rest, each message once."""
    settings.CERCLE = {**settings.CERCLE, "MAIL_SYNC_BATCH": BATCH}
    dovecot.put_messages(mailbox_user, [make_message(i) for i in range(MESSAGES)])
    write, calls = files._write_decided, []

    def broken_later(decided: files._Decided) -> None:
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("the writer broke")
        write(decided)

    monkeypatch.setattr(files, "_write_decided", broken_later)
    readers_at_logout: list[list[str]] = []
    logout = IMAPClient.logout

    def watched_logout(client):
        readers_at_logout.append([t.name for t in threading.enumerate() if t.name == "cercle-imap-fetch"])
        return logout(client)

    monkeypatch.setattr(IMAPClient, "logout", watched_logout)

    report = sync_account(account)

    assert "the writer broke" in str(report.error)
    assert readers_at_logout == [[]]  # the connection closed once, with no thread reading from it
    kept = Message.objects.count()
    assert 0 < kept < MESSAGES
    assert LedgerEntry.objects.filter(account=account).count() == kept
    monkeypatch.setattr(files, "_write_decided", write)
    assert sync_account(account).counts == {LedgerStatus.IMPORTED: MESSAGES - kept}
    assert Message.objects.count() == LedgerEntry.objects.filter(account=account).count() == MESSAGES
