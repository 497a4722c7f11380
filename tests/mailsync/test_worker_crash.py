"""A worker killed in the middle of a sync (kill -9) does not stop the mailbox: once restarted, the next
scheduled sync takes over the dead worker's lease and finishes the job; meanwhile the mailbox page says
the sync stopped instead of "in progress" for ever."""

from __future__ import annotations

import signal
import subprocess
import time

import pytest
from django.urls import reverse

from cercle.circulation.models import Message
from cercle.mailsync.models import LedgerEntry, MailAccount
from tests.conftest import wait_until
from tests.dovecot import make_message
from tests.mailsync.conftest import MANAGE, worker_env

MESSAGES = 1200
LEASE_SECONDS = 5


def start_worker(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [*MANAGE, "run_huey", "--workers", "2", "--worker-type", "thread"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


@pytest.mark.django_db(transaction=True)
def test_the_next_scheduled_sync_resumes_after_a_killed_worker(
    dovecot, mailbox_user, account, client, second
):
    dovecot.put_messages(mailbox_user, [make_message(i) for i in range(MESSAGES)])
    env = {**worker_env(), "CERCLE_MAIL_SYNC_BATCH": "20", "CERCLE_LEASE_SECONDS": str(LEASE_SECONDS)}
    imported = LedgerEntry.objects.filter(account=account)

    worker = start_worker(env)
    try:
        subprocess.run(
            [
                *MANAGE,
                "shell",
                "-c",
                f"from cercle.mailsync.tasks import sync_mail_account; sync_mail_account({account.pk})",
            ],
            env=env,
            check=True,
            timeout=60,
        )
        wait_until(lambda: imported.count() >= 60, 90, "the first sync to make progress")
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    stopped_at = imported.count()
    assert stopped_at < MESSAGES, "the sync finished before the kill: use more messages"
    assert MailAccount.objects.get(pk=account.pk).sync_running_since is not None

    # Once the dead worker's lease has expired, the page says the sync stopped (not "in progress").
    client.force_login(second)

    def mailbox_page() -> str:
        return client.get(reverse("mailsync:list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    wait_until(
        lambda: "stopped without finishing" in mailbox_page(),
        LEASE_SECONDS + 30,
        "the page to say it stopped",
    )

    restarted = time.monotonic()
    worker = start_worker(env)
    try:
        # No click: the every-minute schedule picks the mailbox up again.
        wait_until(lambda: imported.count() >= MESSAGES, 120, "the scheduled sync to finish the mailbox")
        wait_until(
            lambda: MailAccount.objects.get(pk=account.pk).sync_running_since is None, 60, "the sync to end"
        )
    finally:
        worker.send_signal(signal.SIGINT)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    assert time.monotonic() - restarted < 120
    stored = list(Message.objects.values_list("message_id", flat=True))
    assert len(stored) == len(set(stored)) == MESSAGES
    assert set(imported.values_list("status", flat=True)) == {"imported"}
    page = client.get(reverse("mailsync:list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "stopped without finishing" not in page
