"""A connection that drops in the middle of a sync is explained in a sentence, and nothing is lost."""

from __future__ import annotations

import contextlib
import socket
import threading

import pytest
from django.urls import reverse
from django.utils import translation

from cercle.mailsync.models import LedgerEntry, MailAccount
from cercle.mailsync.sync import sync_account
from tests.dovecot import make_message

MESSAGES = 300


class CuttingProxy:
    """Forwards one IMAP connection to Dovecot, then cuts it after the server has sent `limit` bytes."""

    def __init__(self, target_port: int, limit: int) -> None:
        self.target_port, self.limit = target_port, limit
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.cut = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        client, _ = self.listener.accept()
        server = socket.create_connection(("127.0.0.1", self.target_port))

        def pump(src: socket.socket, dst: socket.socket, counted: bool) -> None:
            sent = 0
            try:
                while data := src.recv(65536):
                    dst.sendall(data)
                    sent += len(data) if counted else 0
                    if counted and sent > self.limit:
                        break
            except OSError:
                pass
            finally:
                self.cut.set()
                for s in (client, server):
                    with contextlib.suppress(OSError):
                        s.shutdown(socket.SHUT_RDWR)
                    s.close()

        threading.Thread(target=pump, args=(client, server, False), daemon=True).start()
        pump(server, client, True)


def test_a_connection_lost_mid_sync_is_reported_in_words(dovecot, mailbox_user, account, client, second):
    dovecot.put_messages(mailbox_user, [make_message(i) for i in range(MESSAGES)])
    proxy = CuttingProxy(dovecot.port, limit=60_000)
    MailAccount.objects.filter(pk=account.pk).update(port=proxy.port)
    account.refresh_from_db()

    report = sync_account(account)
    assert proxy.cut.is_set()
    imported = LedgerEntry.objects.filter(account=account).count()
    assert 0 < imported < MESSAGES, "the cut should fall in the middle of the sync"
    with translation.override("en"):
        text = MailAccount.objects.get(pk=account.pk).last_error_text
    assert text.startswith(f"The connection to 127.0.0.1:{proxy.port} was lost during the synchronisation")
    assert "What was imported is kept" in text
    assert "socket error" not in text and "Traceback" not in text
    with translation.override("fr"):
        assert "connexion" in MailAccount.objects.get(pk=account.pk).last_error_text
    assert report.error

    client.force_login(second)
    page = client.get(reverse("mailsync:list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "was lost during the synchronisation" in page

    # The next run (the server is reachable again) continues where the cut left it.
    MailAccount.objects.filter(pk=account.pk).update(port=dovecot.port)
    account.refresh_from_db()
    sync_account(account)
    assert LedgerEntry.objects.filter(account=account).count() == MESSAGES
    assert not MailAccount.objects.get(pk=account.pk).last_error


pytestmark = pytest.mark.django_db
