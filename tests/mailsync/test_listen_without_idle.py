"""A server that does not offer IDLE: the account falls back to the every-minute sync ("polling"), says so
on the mailbox page, and its mail still arrives (through the periodic job, not the listener)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from django.urls import reverse

from cercle.mailsync.models import LedgerEntry, ListenState, MailAccount
from cercle.mailsync.tasks import sync_due_accounts
from tests import dovecot as dovecot_server
from tests.conftest import login, require_component, wait_until
from tests.dovecot import make_message
from tests.mailsync.conftest import make_account
from tests.mailsync.listening import deliver, imap_processes, listening

pytestmark = pytest.mark.django_db(transaction=True)

# Dovecot's own capability list, less IDLE: a real server that does not offer it.
WITHOUT_IDLE = "imap_capability = IMAP4rev1 LITERAL+ SASL-IR LOGIN-REFERRALS ID ENABLE UIDPLUS NAMESPACE\n"


@pytest.fixture(scope="module")
def server_without_idle() -> Iterator[dovecot_server.Dovecot]:
    require_component(
        "Dovecot", dovecot_server.available(), "install Debian's dovecot-imapd (make system-deps)"
    )
    server = dovecot_server.Dovecot(extra_config=WITHOUT_IDLE).start()
    try:
        yield server
    finally:
        server.cleanup()


def test_an_account_on_a_server_without_idle_is_polled(server_without_idle, second):
    user = f"lea{uuid.uuid4().hex[:8]}"
    server_without_idle.add_user(user)
    account = make_account(port=server_without_idle.port, username=user)
    with listening(account) as listener:
        wait_until(
            lambda: MailAccount.objects.get(pk=account.pk).listen_state == ListenState.POLLING,
            15,
            "the listener to fall back to polling",
        )
        page = login(second, "en").get(reverse("mailsync:list")).content.decode()
        assert "the server does not offer IMAP IDLE" in page
        assert "Listening:" not in page

        deliver(server_without_idle, user, make_message(1))
        sync_due_accounts()  # the every-minute job (huey runs it inline in the tests)
        assert LedgerEntry.objects.filter(account=account, status="imported").count() == 1
        assert listener.syncs == 0  # the listener syncs nothing itself, and holds no connection:
        wait_until(lambda: not imap_processes(server_without_idle), 10, "the listener to log out")
        assert listener.is_alive()  # it asks the server again later (and keeps the account's lease)
