"""Two workers at once never import the same message twice: huey on a real Redis, and bare processes."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import tempfile
from collections.abc import Iterator

import pytest
from huey import RedisHuey

from cercle.circulation.models import Message
from cercle.mailsync.models import LedgerEntry, MailAccount
from tests.conftest import free_port, require_component, wait_until
from tests.dovecot import make_message
from tests.mailsync.conftest import MANAGE, worker_env

MESSAGES = 600


@pytest.fixture
def redis_url() -> Iterator[str]:
    server = shutil.which("redis-server")
    require_component("Redis", server is not None, "install Debian's redis-server (make system-deps)")
    assert server is not None
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

    def listening() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return True
        except OSError:
            return False

    try:
        wait_until(listening, timeout=10, what=f"redis-server to listen on port {port}")
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
            f"for _ in range(6): print('job', sync_mail_account({account.pk}).id)\n"
        )
        queued = subprocess.run(
            [*MANAGE, "shell", "-c", enqueue], env=env, check=True, timeout=60, capture_output=True, text=True
        )
        job_ids = [line.split()[1] for line in queued.stdout.splitlines() if line.startswith("job ")]
        assert len(job_ids) == 6, queued.stdout
        wait_until(
            lambda: LedgerEntry.objects.filter(account=account).count() >= MESSAGES,
            timeout=120,
            what=f"{MESSAGES} ledger entries",
        )
        # Every job has finished (its result is stored): the late ones found nothing new to import.
        results = RedisHuey("cercle", url=redis_url)
        wait_until(
            lambda: all(results.result(job, preserve=True) is not None for job in job_ids),
            timeout=120,
            what="the six sync jobs to finish",
        )
        wait_until(
            lambda: MailAccount.objects.get(pk=account.pk).sync_running_since is None,
            timeout=120,
            what="the sync lock to be released",
        )
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
    # Below the lease that `cercle sync` and the worker take: two processes in `sync_account` at once.
    race = (
        "from cercle.mailsync.models import MailAccount\n"
        "from cercle.mailsync.sync import sync_account\n"
        f"report = sync_account(MailAccount.objects.get(pk={account.pk}))\n"
        "assert not report.error, report.error\n"
    )
    command = [*MANAGE, "shell", "-c", race]
    processes = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)
    ]
    outputs = [p.communicate(timeout=300) for p in processes]
    for process, (_out, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err.decode()[-2000:]
    assert_mailbox_imported_once(account)
