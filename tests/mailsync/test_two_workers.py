"""Two workers at once never import the same message twice: huey on a real Redis, and bare processes."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator

import pytest

from cercle.circulation.models import Message
from cercle.mailsync.models import LedgerEntry, MailAccount
from tests.conftest import free_port
from tests.dovecot import make_message
from tests.mailsync.conftest import MANAGE, worker_env

MESSAGES = 600


@pytest.fixture
def redis_url() -> Iterator[str]:
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed: install Debian's redis-server (make system-deps)")
    port = free_port()
    directory = tempfile.mkdtemp(prefix="cercle-redis-")
    process = subprocess.Popen(
        [
            server,
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            directory,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                pytest.fail("redis-server did not start")
            time.sleep(0.02)
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(directory, ignore_errors=True)


def assert_mailbox_imported_once(account: MailAccount) -> None:
    stored = list(Message.objects.values_list("message_id", flat=True))
    assert len(stored) == MESSAGES
    assert len(set(stored)) == MESSAGES
    uids = list(LedgerEntry.objects.filter(account=account).values_list("uid", flat=True))
    assert len(uids) == len(set(uids)) == MESSAGES
    assert set(LedgerEntry.objects.filter(account=account).values_list("status", flat=True)) == {"imported"}


def wait_for(condition, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("timed out")
        time.sleep(0.1)


@pytest.mark.django_db(transaction=True)
def test_two_huey_workers_on_redis_import_each_message_once(dovecot, mailbox_user, account, redis_url):
    dovecot.put_messages(mailbox_user, [make_message(i) for i in range(MESSAGES)])
    env = {**worker_env(), "REDIS_URL": redis_url, "CERCLE_MAIL_SYNC_BATCH": "25"}
    workers = [
        subprocess.Popen(
            [*MANAGE, "run_huey", "--workers", "2", "--worker-type", "thread", "--no-periodic"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    try:
        # Six sync jobs for the same account, queued at once: as if the schedule and a click collided.
        enqueue = (
            "from cercle.mailsync.tasks import sync_mail_account\n"
            f"for _ in range(6): sync_mail_account({account.pk})\n"
        )
        subprocess.run([*MANAGE, "shell", "-c", enqueue], env=env, check=True, timeout=60)
        wait_for(lambda: LedgerEntry.objects.filter(account=account).count() >= MESSAGES)
        time.sleep(1.5)  # let any queued job finish (they find nothing new)
        wait_for(lambda: MailAccount.objects.get(pk=account.pk).sync_running_since is None)
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGINT)
        for worker in workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:  # a job still running: it is not what this test checks
                worker.kill()
                worker.wait()
    for worker in workers:
        assert worker.returncode in (0, -signal.SIGINT, -signal.SIGKILL), worker.stderr.read().decode()[
            -2000:
        ]
    assert_mailbox_imported_once(account)


@pytest.mark.django_db(transaction=True)
def test_two_sync_processes_racing_without_a_lock_still_import_each_message_once(
    dovecot, mailbox_user, account
):
    """The lock is a convenience: the ledger's and the Message-ID's unique constraints are the guarantee."""
    dovecot.put_messages(mailbox_user, [make_message(i) for i in range(MESSAGES)])
    env = {**worker_env(), "CERCLE_MAIL_SYNC_BATCH": "10"}
    command = [*MANAGE, "sync", "--account", str(account.pk), "--quiet"]
    processes = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)
    ]
    outputs = [p.communicate(timeout=300) for p in processes]
    for process, (_out, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err.decode()[-2000:]
    assert_mailbox_imported_once(account)
