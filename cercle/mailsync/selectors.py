from __future__ import annotations

from django.db.models import CharField, Count, Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.shortcuts import get_object_or_404
from django.utils import timezone

from cercle.accounts.models import User
from cercle.accounts.permissions import MAILBOX_ROLES, require_role
from cercle.core.models import Lease
from cercle.mailsync.models import ConnectionTest, LedgerEntry, LedgerStatus, MailAccount


def _with_sync_alive(accounts: QuerySet[MailAccount]) -> QuerySet[MailAccount]:
    """`sync_alive`: a live process holds this account's sync lease. A sync that says it is running
    without one was stopped (a killed worker) and is shown as such."""
    lease = Lease.objects.filter(
        name=Concat(Value("mail-sync-"), Cast(OuterRef("pk"), CharField())), expires_at__gt=timezone.now()
    )
    return accounts.annotate(sync_alive=Exists(lease))


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
