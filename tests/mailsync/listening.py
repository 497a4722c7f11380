"""Helpers of the listening tests: deliver as a mail server does, find the server's imap processes,
run a listener thread for the duration of a test."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from imapclient import IMAPClient

from cercle.mailsync.listen import Listener, _connection_key
from cercle.mailsync.models import MailAccount
from tests import dovecot as dovecot_server


def deliver(server: dovecot_server.Dovecot, user: str, raw: bytes) -> None:
    """APPEND on a connection of its own, as a delivery agent would: the server tells the sessions
    watching the folder."""
    client = IMAPClient("127.0.0.1", port=server.port, ssl=False, timeout=10)
    try:
        client.login(user, server.password)
        client.append("INBOX", raw)
    finally:
        client.logout()


def imap_processes(server: dovecot_server.Dovecot) -> list[int]:
    """Pids of the server's imap processes: one per logged-in connection."""
    assert server.process is not None
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        if comm == "imap" and ppid == server.process.pid:
            pids.append(int(entry.name))
    return pids


@contextmanager
def listening(account: MailAccount) -> Iterator[Listener]:
    """A listener thread on the account, as the worker starts it; stopped and joined at the end."""
    account.refresh_from_db()
    listener = Listener(account.pk, _connection_key(account))
    listener.start()
    try:
        yield listener
    finally:
        listener.stop()
        listener.join(timeout=15)
        assert not listener.is_alive(), "the listener did not stop"
