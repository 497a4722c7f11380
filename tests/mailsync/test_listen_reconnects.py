"""A listening connection that the server drops (an administrator's kick: BYE; a killed imap process: the
socket just ends) is reconnected by itself, with backoff, and nothing delivered meanwhile is lost or
imported twice."""

from __future__ import annotations

import os
import signal
import subprocess
from collections import Counter

import pytest
from django.utils import translation

from cercle.circulation.models import Message
from cercle.mailsync.models import LedgerEntry, ListenState, MailAccount
from tests.conftest import wait_until
from tests.dovecot import make_message
from tests.mailsync.listening import deliver, imap_processes, listening

pytestmark = pytest.mark.django_db(transaction=True)


def state(account: MailAccount) -> MailAccount:
    return MailAccount.objects.get(pk=account.pk)


def kick(server, user: str) -> None:
    subprocess.run(
        ["doveadm", "-c", str(server.dir / "dovecot.conf"), "kick", user], check=True, capture_output=True
    )


def kill_imap_processes(server, user: str) -> None:
    killed = 0
    for pid in imap_processes(server):
        try:
            os.kill(pid, signal.SIGKILL)
            killed += 1
        except ProcessLookupError:  # ended between the listing and the kill (a short-lived one)
            continue
    assert killed, "no imap process to kill"


@pytest.mark.parametrize("drop", [kick, kill_imap_processes], ids=["kicked", "killed"])
def test_a_dropped_connection_reconnects_and_nothing_is_lost_or_doubled(dovecot, mailbox_user, account, drop):
    def imported(count: int, what: str) -> None:
        wait_until(lambda: LedgerEntry.objects.filter(account=account).count() == count, 10, what)

    def reconnected_after(lost_at: object) -> bool:
        now = state(account)
        return now.listen_state == ListenState.IDLE and now.listen_since > lost_at

    with listening(account):
        wait_until(lambda: state(account).listen_state == ListenState.IDLE, 15, "the listener to idle")
        delivered = 0
        for round_ in range(2):
            deliver(dovecot, mailbox_user, make_message(100 * round_ + 1))
            delivered += 1
            imported(delivered, "the pushed message")
            before = state(account).listen_since

            drop(dovecot, mailbox_user)
            # Delivered while nobody listens: the sync that follows the reconnection fetches it.
            deliver(dovecot, mailbox_user, make_message(100 * round_ + 2))
            delivered += 1
            wait_until(
                lambda: state(account).listen_state == ListenState.RECONNECTING, 10, "the listener to notice"
            )
            lost = state(account)
            assert lost.listen_retry_at is not None and lost.listen_retry_at > lost.listen_since
            with translation.override("en"):
                assert "was lost while listening" in lost.listen_error_text
            wait_until(lambda b=before: reconnected_after(b), 20, "the listener to reconnect")
            assert state(account).listen_error == ""
            imported(delivered, "the message delivered while disconnected")

        # And the new connection is pushed to like the first.
        deliver(dovecot, mailbox_user, make_message(999))
        delivered += 1
        imported(delivered, "a message pushed after the reconnections")

    entries = list(LedgerEntry.objects.filter(account=account).values_list("uid", "status"))
    assert len(entries) == len({uid for uid, _ in entries}) == delivered == 5
    assert {status for _, status in entries} == {"imported"}
    stored = Counter(Message.objects.values_list("message_id", flat=True))
    assert len(stored) == delivered and set(stored.values()) == {1}
    assert Message.objects.values("request_id").distinct().count() == delivered
