"""Mail accounts: configure, test, synchronise, retry. Every write checks the actor's role."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from cercle.accounts.models import User
from cercle.accounts.permissions import MAILBOX_ROLES, require_role
from cercle.mailsync.imap import ConnectionReport, MailConnectionError, check_account
from cercle.mailsync.models import LedgerEntry, LedgerStatus, MailAccount
from cercle.mailsync.sync import ledger_retry
from cercle.mailsync.tasks import sync_mail_account

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


def account_check(*, actor: User, account: MailAccount) -> ConnectionReport:
    require_role(actor, MAILBOX_ROLES)
    return check_account(account)


def account_check_draft(
    *, actor: User, account: MailAccount | None, data: dict[str, Any]
) -> ConnectionReport:
    """Test settings not saved yet (the form as it is); nothing is written. An empty password keeps
    the stored one, as saving would."""
    require_role(actor, MAILBOX_ROLES)
    draft = MailAccount(password_encrypted=account.password_encrypted if account else "")
    for name in ACCOUNT_FIELDS:
        if name in data:
            setattr(draft, name, data[name])
        elif account is not None:
            setattr(draft, name, getattr(account, name))
    if data.get("password"):
        draft.password = data["password"]
    return check_account(draft)


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
