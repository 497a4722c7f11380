from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from cercle.accounts.models import User
from cercle.accounts.permissions import MAILBOX_ROLES, require_role
from cercle.mailsync.models import LedgerEntry, LedgerStatus, MailAccount


def accounts_with_stats() -> QuerySet[MailAccount]:
    return MailAccount.objects.annotate(
        imported=Count("ledger", filter=Q(ledger__status=LedgerStatus.IMPORTED)),
        duplicates=Count("ledger", filter=Q(ledger__status=LedgerStatus.DUPLICATE)),
        failed=Count("ledger", filter=Q(ledger__status=LedgerStatus.FAILED)),
    ).order_by("name")


def account_get_for_user(*, user: User, account_id: int) -> MailAccount:
    """Fetch-and-authorize: only the roles that manage mailboxes see them (404 when absent)."""
    require_role(user, MAILBOX_ROLES)
    return get_object_or_404(MailAccount, pk=account_id)


def ledger_entry_get_for_user(*, user: User, entry_id: int) -> LedgerEntry:
    require_role(user, MAILBOX_ROLES)
    return get_object_or_404(LedgerEntry.objects.select_related("account"), pk=entry_id)


def failures(*, account: MailAccount, limit: int = 200) -> QuerySet[LedgerEntry]:
    return account.ledger.filter(status=LedgerStatus.FAILED).order_by("-updated_at")[:limit]
