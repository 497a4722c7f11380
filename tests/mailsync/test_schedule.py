"""The every-minute job syncs an account whose last sync ended a minute ago less half a tick: a sync that
ended a few seconds after its tick does not make the next tick skip the account (the wait doubled to two
minutes); one that a listener just ran does."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cercle.mailsync.models import MailAccount
from cercle.mailsync.tasks import sync_due_accounts

pytestmark = pytest.mark.django_db


def synced_ago(account: MailAccount, seconds: int) -> None:
    MailAccount.objects.filter(pk=account.pk).update(last_sync_at=timezone.now() - timedelta(seconds=seconds))


def test_a_sync_that_ended_late_after_its_tick_does_not_skip_the_next_one(stored_account):
    synced_ago(stored_account, 45)  # the last tick's sync waited in the queue and ended 15 s after it
    assert sync_due_accounts.call_local() == [stored_account.pk]


def test_an_account_a_listener_has_just_synced_waits_for_a_later_tick(stored_account):
    synced_ago(stored_account, 10)
    assert sync_due_accounts.call_local() == []
