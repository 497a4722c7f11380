"""A message that reaches the inbox becomes a request within seconds: the listener's IDLE push runs the
sync, without the every-minute job."""

from __future__ import annotations

import signal
import subprocess

import pytest

from cercle.circulation.models import Request
from cercle.circulation.states import State
from cercle.mailsync.models import LedgerEntry, ListenState, MailAccount
from tests.conftest import wait_until
from tests.dovecot import make_message
from tests.mailsync.conftest import MANAGE, worker_env
from tests.mailsync.listening import deliver, listening

pytestmark = pytest.mark.django_db(transaction=True)

# Dovecot tells an idling session within about half a second; the sync itself takes a fraction of one.
PUSH_SECONDS = 10


def listen_state(account: MailAccount) -> str:
    return MailAccount.objects.values_list("listen_state", flat=True).get(pk=account.pk)


def in_triage_queue(message_id: str) -> bool:
    return Request.objects.filter(state=State.RECEIVED, messages__message_id=message_id).exists()


def test_a_message_appended_while_listening_is_a_request_within_seconds(dovecot, mailbox_user, account):
    raw = make_message(1)
    with listening(account) as listener:
        wait_until(lambda: listen_state(account) == ListenState.IDLE, 15, "the listener to idle")
        wait_until(lambda: listener.syncs >= 1, 15, "the catch-up sync after connecting")
        deliver(dovecot, mailbox_user, raw)
        wait_until(
            lambda: LedgerEntry.objects.filter(account=account, status="imported").exists(),
            PUSH_SECONDS,
            "the pushed message to be imported",
        )
        message_id = LedgerEntry.objects.get(account=account).message_id
        assert in_triage_queue(message_id)
        wait_until(
            lambda: MailAccount.objects.get(pk=account.pk).last_mail_at is not None, 5, "“last mail arrived”"
        )
    assert listen_state(account) == ListenState.OFF  # stopped: the page no longer says listening


def test_the_worker_process_listens_without_the_periodic_job(dovecot, mailbox_user, account):
    """`run_huey --no-periodic`: no every-minute sync at all; the message still arrives, through the
    listeners that the worker starts by itself."""
    worker = subprocess.Popen(
        [*MANAGE, "run_huey", "--workers", "1", "--worker-type", "thread", "--no-periodic"],
        env={**worker_env(), "CERCLE_MAIL_IDLE": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_until(lambda: listen_state(account) == ListenState.IDLE, 60, "the worker to listen")
        deliver(dovecot, mailbox_user, make_message(2))
        wait_until(
            lambda: LedgerEntry.objects.filter(account=account, status="imported").count() == 1,
            PUSH_SECONDS,
            "the pushed message to be imported by the worker",
        )
    finally:
        worker.send_signal(signal.SIGINT)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    assert worker.returncode in (0, -signal.SIGINT), worker.stderr.read().decode()[-2000:]  # type: ignore[union-attr]
    # A clean stop says so on the page's behalf.
    assert listen_state(account) == ListenState.OFF
