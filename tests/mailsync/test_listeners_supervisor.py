"""The worker's supervisor keeps one listener per account that asks for it: it starts them, stops them
when the account is paused or listening is unticked, and two worker processes never both listen to one
account. Reconnections wait longer and longer, with jitter."""

from __future__ import annotations

import random

import pytest

from cercle.core.leases import leases_alive
from cercle.mailsync.listen import (
    BACKOFF_FIRST_SECONDS,
    BACKOFF_MAX_SECONDS,
    Listeners,
    backoff_seconds,
    listen_lease_name,
)
from cercle.mailsync.models import ListenState, MailAccount
from tests.conftest import wait_until
from tests.mailsync.listening import imap_processes


def listen_state(account: MailAccount) -> str:
    return MailAccount.objects.values_list("listen_state", flat=True).get(pk=account.pk)


@pytest.mark.django_db(transaction=True)
def test_one_listener_per_account_started_and_stopped_with_its_settings(dovecot, account):
    first, second = Listeners(), Listeners()  # as in two worker processes
    try:
        first.look()
        wait_until(lambda: listen_state(account) == ListenState.IDLE, 15, "the first process to listen")
        second.look()
        listener = second.running[account.pk]
        listener.join(timeout=10)
        assert not listener.is_alive(), "the second process's listener should give way"
        first_listener = first.running[account.pk]
        wait_until(lambda: first_listener.syncs >= 1, 15, "the first listener's catch-up sync")
        # Its catch-up sync logs out; what stays is one IDLE connection for the account.
        wait_until(lambda: len(imap_processes(dovecot)) == 1, 10, "a single connection to the server")

        MailAccount.objects.filter(pk=account.pk).update(listen=False)  # unticked on the page
        first.look()
        second.look()
        assert listen_state(account) == ListenState.OFF
        assert listen_lease_name(account.pk) not in leases_alive("mail-listen-")
        assert not first.running and not second.running
        wait_until(lambda: not imap_processes(dovecot), 10, "the connection to be closed")

        MailAccount.objects.filter(pk=account.pk).update(listen=True, enabled=False)  # paused
        first.look()
        assert not first.running and listen_state(account) == ListenState.OFF
    finally:
        first._stop_all()
        second._stop_all()


def test_reconnections_back_off_up_to_a_ceiling_with_jitter():
    rng = random.Random(7)
    waits = [backoff_seconds(attempt, rng) for attempt in range(1, 12)]
    assert BACKOFF_FIRST_SECONDS / 2 <= waits[0] <= BACKOFF_FIRST_SECONDS
    assert waits[4] > waits[0] * 4  # doubling
    assert all(BACKOFF_MAX_SECONDS / 2 <= w <= BACKOFF_MAX_SECONDS for w in waits[-3:])
    assert len({round(w, 3) for w in waits[-3:]}) == 3  # not all knocking at the same instant
