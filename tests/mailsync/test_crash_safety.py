"""Kill a real sync process (SIGKILL) at random moments against a real Dovecot: nothing lost, nothing twice."""

from __future__ import annotations

import random
import signal
import subprocess
import time

import pytest
from imapclient import IMAPClient

from cercle.circulation.models import Message
from cercle.mailsync.models import LedgerEntry
from tests.conftest import wait_until
from tests.dovecot import make_message
from tests.mailsync.conftest import MANAGE, worker_env

# Enough that five kills, each after up to 200 messages and a moment more, leave work for the last run
# on a fast machine too (the sync imports over a thousand messages a second here).
MESSAGES = 2000


def server_message_ids(dovecot, user: str) -> dict[int, str]:
    client = IMAPClient("127.0.0.1", port=dovecot.port, ssl=False)
    client.login(user, dovecot.password)
    client.select_folder("INBOX", readonly=True)
    fetched = client.fetch(client.search("ALL"), [b"BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"])
    client.logout()
    ids = {}
    for uid, data in fetched.items():
        header = data[b"BODY[HEADER.FIELDS (MESSAGE-ID)]"].decode().strip()
        ids[uid] = header.split(":", 1)[1].strip()
    return ids


def ledger_count(account) -> int:
    return LedgerEntry.objects.filter(account=account).count()


@pytest.mark.django_db(transaction=True)
def test_killing_the_sync_at_any_moment_loses_nothing_and_duplicates_nothing(dovecot, mailbox_user, account):
    dovecot.put_messages(mailbox_user, [make_message(i) for i in range(MESSAGES)])
    env = {**worker_env(), "CERCLE_MAIL_SYNC_BATCH": "20"}
    command = [*MANAGE, "sync", "--account", str(account.pk), "--quiet"]
    rng = random.Random(20261123)

    kills = 0
    for round_ in range(5):
        before = ledger_count(account)
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        # The kill moments are random on purpose (seeded: a failure replays); they are not waits.
        if round_ == 0:
            time.sleep(rng.uniform(0.1, 0.8))  # possibly before the first batch: at start-up or mid-login
        else:
            # Somewhere in the middle of a batch: wait for progress, then a random extra delay.
            goal = before + rng.randint(10, 200)
            wait_until(
                lambda: ledger_count(account) >= goal or process.poll() is not None,  # noqa: B023
                timeout=60,
                what=f"the sync to import {goal - before} more messages",
                most=0.02,  # kill near the goal, not up to a fifth of a second of imports later
            )
            time.sleep(rng.uniform(0, 0.05))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait()
        assert process.returncode in (-signal.SIGKILL, 0), process.stderr.read().decode()[-2000:]

    assert kills >= 4, "the sync ended before it could be killed: use more messages"
    assert 0 < ledger_count(account) < MESSAGES, "the kills should have left work for the last run"

    finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr[-2000:]

    on_server = server_message_ids(dovecot, mailbox_user)
    assert len(on_server) == MESSAGES
    stored = list(Message.objects.values_list("message_id", flat=True))
    assert len(stored) == len(set(stored)), "a message was stored twice"
    assert set(stored) == set(on_server.values()), "the database and the mailbox differ"
    ledger = list(LedgerEntry.objects.filter(account=account).values_list("uid", flat=True))
    assert sorted(ledger) == sorted(on_server), "every UID once in the ledger"
    assert not LedgerEntry.objects.filter(account=account).exclude(status="imported").exists()
