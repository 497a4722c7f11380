from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import CharField, Count, Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.shortcuts import get_object_or_404
from django.utils import timezone

from cercle.accounts.models import User
from cercle.accounts.permissions import MAILBOX_ROLES, require_role
from cercle.core.models import Lease
from cercle.mailsync.models import ConnectionTest, LedgerEntry, LedgerStatus, ListenState, MailAccount


def _lease_alive(prefix: str) -> Exists:
    """A live process holds the lease `<prefix><account id>` (core/leases.py)."""
    return Exists(
        Lease.objects.filter(
            name=Concat(Value(prefix), Cast(OuterRef("pk"), CharField())), expires_at__gt=timezone.now()
        )
    )


def _with_sync_alive(accounts: QuerySet[MailAccount]) -> QuerySet[MailAccount]:
    """`sync_alive`: a live process holds this account's sync lease. A sync that says it is running
    without one was stopped (a killed worker) and is shown as such. `listen_alive`: the same for the
    inbox's listener (listen.py): a state left by a dead worker is not shown as listening."""
    return accounts.annotate(sync_alive=_lease_alive("mail-sync-"), listen_alive=_lease_alive("mail-listen-"))


@dataclass(frozen=True)
class Listening:
    """Whether new mail reaches Cercle within seconds, for the mailbox page.

    `state` is a ListenState; when OFF, `reason` says why: "paused" (the account), "unticked" (its
    setting), "hub" (CERCLE_MAIL_IDLE=0), "no-worker" (no live listener: no worker runs, or it has just
    started), "starting" (a listener is connecting)."""

    state: str
    since: datetime | None = None
    error: str = ""
    retry_at: datetime | None = None
    reason: str = ""


def listening(account: MailAccount) -> Listening:
    """The listening state of an account from `accounts_with_stats` or `account_get_for_user`."""
    if not account.enabled:
        return Listening(ListenState.OFF, reason="paused")
    if not account.listen:
        return Listening(ListenState.OFF, reason="unticked")
    if not settings.CERCLE["MAIL_IDLE"]:
        return Listening(ListenState.OFF, reason="hub")
    if not getattr(account, "listen_alive", False):
        return Listening(ListenState.OFF, reason="no-worker")
    if account.listen_state == ListenState.OFF:  # a listener holds the lease and is connecting
        return Listening(ListenState.OFF, reason="starting")
    if account.listen_state == ListenState.RECONNECTING:
        return Listening(
            ListenState.RECONNECTING,
            since=account.listen_since,
            error=account.listen_error_text,
            retry_at=account.listen_retry_at,
        )
    return Listening(account.listen_state, since=account.listen_since)


def accounts_with_stats() -> QuerySet[MailAccount]:
    return (
        _with_sync_alive(MailAccount.objects.all())
        .annotate(
            imported=Count("ledger", filter=Q(ledger__status=LedgerStatus.IMPORTED)),
            duplicates=Count("ledger", filter=Q(ledger__status=LedgerStatus.DUPLICATE)),
            failed=Count("ledger", filter=Q(ledger__status=LedgerStatus.FAILED)),
        )
        .order_by("name")
    )


def account_get_for_user(*, user: User, account_id: int) -> MailAccount:
    """Fetch-and-authorize: only the roles that manage mailboxes see them (404 when absent)."""
    require_role(user, MAILBOX_ROLES)
    return get_object_or_404(_with_sync_alive(MailAccount.objects.all()), pk=account_id)


def ledger_entry_get_for_user(*, user: User, entry_id: int) -> LedgerEntry:
    require_role(user, MAILBOX_ROLES)
    return get_object_or_404(LedgerEntry.objects.select_related("account"), pk=entry_id)


def failures(*, account: MailAccount, limit: int = 200) -> QuerySet[LedgerEntry]:
    return account.ledger.filter(status=LedgerStatus.FAILED).order_by("-updated_at")[:limit]


def connection_test_get_for_user(*, user: User, test_id: int) -> ConnectionTest:
    """A connection test, for the person who asked for it (404 for anyone else)."""
    require_role(user, MAILBOX_ROLES)
    return get_object_or_404(ConnectionTest, pk=test_id, requested_by=user)
