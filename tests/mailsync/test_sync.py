"""IMAP sync against a real Dovecot: incremental, idempotent, read-only, failures recorded once."""

from __future__ import annotations

import pytest
from imapclient import IMAPClient

from cercle.circulation.models import Message
from cercle.intake import files as files_module
from cercle.mailsync import sync as sync_module
from cercle.mailsync.models import AfterImport, FolderState, LedgerEntry, LedgerStatus
from cercle.mailsync.services import ledger_entry_retry
from cercle.mailsync.sync import sync_account
from tests.dovecot import make_message

pytestmark = pytest.mark.django_db


def server_flags(dovecot, user: str) -> dict[int, tuple[bytes, ...]]:
    client = IMAPClient("127.0.0.1", port=dovecot.port, ssl=False)
    client.login(user, "secret-imap")
    client.select_folder("INBOX", readonly=True)
    flags = client.get_flags(client.search("ALL"))
    client.logout()
    return flags


def test_first_sync_imports_every_message_once_and_leaves_the_server_untouched(
    dovecot, mailbox_user, account, settings
):
    settings.CERCLE = {**settings.CERCLE, "MAIL_SYNC_BATCH": 7}  # several batches
    dovecot.put_messages(mailbox_user, [make_message(i) for i in range(30)])

    report = sync_account(account)

    assert report.error == ""
    assert report.counts[LedgerStatus.IMPORTED] == 30
    assert Message.objects.count() == 30
    assert LedgerEntry.objects.filter(account=account, status=LedgerStatus.IMPORTED).count() == 30
    assert all(b"\\Seen" not in flags for flags in server_flags(dovecot, mailbox_user).values())
    account.refresh_from_db()
    assert account.last_sync_at is not None and account.last_error == ""
    assert (account.sync_done, account.sync_total) == (30, 30)


def test_the_next_sync_fetches_only_what_is_new(dovecot, mailbox_user, account):
    dovecot.put_messages(mailbox_user, [make_message(i) for i in range(5)])
    first = sync_account(account)
    assert first.counts == {LedgerStatus.IMPORTED: 5}, first
    assert sync_account(account).fetched == 0  # nothing new, nothing fetched

    dovecot.put_messages(mailbox_user, [make_message(i) for i in range(100, 103)])
    report = sync_account(account)
    assert report.counts == {LedgerStatus.IMPORTED: 3}
    assert Message.objects.count() == 8


def test_the_same_message_in_two_folders_or_accounts_is_stored_once(dovecot, mailbox_user, account):
    dovecot.put_messages(mailbox_user, [make_message(1), make_message(2)])
    dovecot.put_messages(mailbox_user, [make_message(1)], folder="Archive")
    sync_account(account)
    account.inbox_folder = "Archive"
    account.save()
    report = sync_account(account)
    assert report.counts == {LedgerStatus.DUPLICATE: 1}
    assert Message.objects.count() == 2


def test_a_uidvalidity_change_rescans_safely(dovecot, mailbox_user, account):
    dovecot.put_messages(mailbox_user, [make_message(i) for i in range(4)])
    sync_account(account)
    # As if the server had renumbered the folder: our ledger speaks of another UIDVALIDITY.
    LedgerEntry.objects.filter(account=account).update(uidvalidity=1)
    FolderState.objects.filter(account=account).update(uidvalidity=1)

    report = sync_account(account)

    assert report.rescanned == ["INBOX"]
    assert report.counts == {LedgerStatus.DUPLICATE: 4}
    assert Message.objects.count() == 4
    assert FolderState.objects.get(account=account).rescans == 1


def test_a_failing_message_is_recorded_once_with_its_error_and_retried_on_demand(
    dovecot, mailbox_user, account, monkeypatch, second
):
    dovecot.put_messages(mailbox_user, [make_message(1), make_message(2)])
    real_ingest = sync_module.message_ingest

    def broken_ingest(*, parsed, raw, **kwargs):
        if "n°2" in parsed.subject:
            raise ValueError("disk full")
        return real_ingest(parsed=parsed, raw=raw, **kwargs)

    monkeypatch.setattr(files_module, "message_ingest", broken_ingest)  # the sync imports with it
    report = sync_account(account)
    assert report.counts == {LedgerStatus.IMPORTED: 1, LedgerStatus.FAILED: 1}
    failed = LedgerEntry.objects.get(status=LedgerStatus.FAILED)
    assert "disk full" in failed.error
    assert failed.message_id  # we know which message it was

    # Not retried forever: the next sync leaves it alone.
    assert sync_account(account).fetched == 0
    assert LedgerEntry.objects.get(pk=failed.pk).attempts == 1

    monkeypatch.setattr(files_module, "message_ingest", real_ingest)
    entry = ledger_entry_retry(actor=second, entry=failed)
    assert entry.status == LedgerStatus.IMPORTED
    assert entry.attempts == 2
    assert Message.objects.count() == 2


def test_mark_as_read_is_an_explicit_choice(dovecot, mailbox_user, account):
    dovecot.put_messages(mailbox_user, [make_message(1), make_message(2)])
    account.after_import = AfterImport.SEEN
    account.save()
    sync_account(account)
    assert all(b"\\Seen" in flags for flags in server_flags(dovecot, mailbox_user).values())


def test_a_wrong_password_is_reported_on_the_account_not_raised(dovecot, mailbox_user, account):
    account.password = "not-the-password"
    account.save()
    report = sync_account(account)
    assert "password" in str(report.error)
    account.refresh_from_db()
    assert "password" in account.last_error


def test_the_account_s_error_reads_in_each_reader_s_language(dovecot, mailbox_user, account, second):
    from django.urls import reverse
    from django.utils import translation

    from tests.conftest import login

    account.password = "not-the-password"
    account.save()
    with translation.override("fr"):  # the worker runs in the hub's language
        sync_account(account)
    english = login(second, language="en").get(reverse("mailsync:list")).content.decode()
    french = login(second, language="fr").get(reverse("mailsync:list")).content.decode()
    assert "The server refused the login or the password for" in english
    assert "refusé l&#x27;identifiant" in french and "refused the login" not in french


def test_a_missing_folder_stops_with_a_clear_error(dovecot, mailbox_user, account):
    account.sent_folder = "Envoyés"
    account.save()
    report = sync_account(account)
    assert "Envoyés" in str(report.error)


def test_the_sent_folder_is_read_too(dovecot, mailbox_user, account):
    dovecot.put_messages(mailbox_user, [make_message(1)])
    sent = make_message(2, sender="lea@hub.example").replace(
        b"To: L\xc3\xa9a Marchand <lea@hub.example>", b"To: Client <client@example.org>"
    )
    dovecot.put_messages(mailbox_user, [sent], folder="Sent")
    account.sent_folder = "Sent"
    account.save()
    report = sync_account(account)
    assert report.error == ""
    assert LedgerEntry.objects.filter(account=account, folder="Sent").count() == 1


def test_sync_module_never_opens_the_inbox_for_writing_by_default(
    dovecot, mailbox_user, account, monkeypatch
):
    opened: list[bool] = []
    real = sync_module.sync_folder

    def spy(client, *args, **kwargs):
        original = client.select_folder

        def select_folder(folder, readonly=False):
            opened.append(readonly)
            return original(folder, readonly=readonly)

        client.select_folder = select_folder
        return real(client, *args, **kwargs)

    monkeypatch.setattr(sync_module, "sync_folder", spy)
    dovecot.put_messages(mailbox_user, [make_message(1)])
    sync_account(account)
    assert opened == [True]
