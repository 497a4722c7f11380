"""Mail accounts: configure, test, synchronise, retry. Every write checks the actor's role."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from cercle.accounts.models import User
from cercle.accounts.permissions import MAILBOX_ROLES, require_role
from cercle.mailsync.imap import MailConnectionError
from cercle.mailsync.models import ConnectionTest, LedgerEntry, LedgerStatus, MailAccount
from cercle.mailsync.probe import DRAFT_FIELDS
from cercle.mailsync.sync import ledger_retry
from cercle.mailsync.tasks import check_mail_connection, sync_mail_account

__all__ = ["MailConnectionError"]

ACCOUNT_FIELDS = (
    "name",
    "host",
    "port",
    "security",
    "username",
    "inbox_folder",
    "sent_folder",
    "after_import",
    "enabled",
    "listen",
)


def account_save(*, actor: User, account: MailAccount | None, data: dict[str, Any]) -> MailAccount:
    """Create or update an account. An empty password keeps the stored one."""
    require_role(actor, MAILBOX_ROLES)
    account = account or MailAccount()
    for name in ACCOUNT_FIELDS:
        if name in data:
            setattr(account, name, data[name])
    if data.get("password"):
        account.password = data["password"]
    account.save()
    return account


def account_delete(*, actor: User, account: MailAccount) -> None:
    """Forget an account and its ledger; the imported messages and requests stay."""
    require_role(actor, MAILBOX_ROLES)
    account.delete()


def connection_test_start(
    *, actor: User, account: MailAccount | None, data: dict[str, Any] | None = None
) -> ConnectionTest:
    """Ask the worker to test a connection: the settings as the form has them (`data`, saved or not;
    nothing is saved), or the saved account's. An empty password tries the stored one, as saving would
    keep it. The page polls for the result (selectors.connection_test_get_for_user)."""
    require_role(actor, MAILBOX_ROLES)
    data = data or {}
    draft = {
        name: data[name] if name in data else getattr(account, name, "")
        for name in DRAFT_FIELDS
        if name in data or account is not None
    }
    password = MailAccount(password_encrypted=account.password_encrypted if account else "")
    if data.get("password"):
        password.password = data["password"]
    with transaction.atomic():
        # Results are read within seconds: yesterday's tests (and any password left by a dead worker) go.
        ConnectionTest.objects.filter(created_at__lt=timezone.now() - timedelta(days=1)).delete()
        test = ConnectionTest.objects.create(
            account=account,
            requested_by=actor,
            draft=draft,
            password_encrypted=password.password_encrypted,
        )
        transaction.on_commit(lambda: check_mail_connection(test.pk))
    return test


def account_sync_now(*, actor: User, account: MailAccount) -> None:
    """Queue a sync for the worker (the page shows its progress)."""
    require_role(actor, MAILBOX_ROLES)
    transaction.on_commit(lambda: sync_mail_account(account.pk))


def ledger_entry_retry(*, actor: User, entry: LedgerEntry) -> LedgerEntry:
    require_role(actor, MAILBOX_ROLES)
    if entry.status != LedgerStatus.FAILED:
        return entry
    return ledger_retry(entry)


def failures_retry(*, actor: User, account: MailAccount) -> tuple[int, int]:
    """Retry every failed message of an account; returns (now imported, still failing)."""
    require_role(actor, MAILBOX_ROLES)
    fixed = failing = 0
    for entry in account.ledger.filter(status=LedgerStatus.FAILED).order_by("id")[:500]:
        entry = ledger_retry(entry)
        if entry.status == LedgerStatus.FAILED:
            failing += 1
        else:
            fixed += 1
    return fixed, failing
