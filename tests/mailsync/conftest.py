"""A real Dovecot per test module, one user per test, and a MailAccount pointing at it.

Tests that only read or write the account (its encrypted password, its pages) use `stored_account`,
which needs no server.
"""

from __future__ import annotations

import os
import re
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from cercle.mailsync.models import MailAccount, Security
from tests import dovecot as dovecot_server
from tests.conftest import free_port, require_component

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def dovecot() -> Iterator[dovecot_server.Dovecot]:
    require_component(
        "Dovecot", dovecot_server.available(), "install Debian's dovecot-imapd (make system-deps)"
    )
    server = dovecot_server.Dovecot().start()
    try:
        yield server
    finally:
        server.cleanup()


@pytest.fixture
def mailbox_user(dovecot: dovecot_server.Dovecot) -> str:
    """A fresh IMAP user (own Maildir) for each test: tests never see each other's mail."""
    user = f"lea{uuid.uuid4().hex[:8]}"
    dovecot.add_user(user)
    return user


def make_account(*, port: int, username: str) -> MailAccount:
    account = MailAccount(
        name=f"Boîte de Léa {username}",
        host="127.0.0.1",
        port=port,
        security=Security.NONE,
        username=username,
        inbox_folder="INBOX",
        sent_folder="",
    )
    account.password = "secret-imap"
    account.save()
    return account


@pytest.fixture
def account(db: None, dovecot: dovecot_server.Dovecot, mailbox_user: str) -> MailAccount:
    """An account on the module's real Dovecot, with its own mailbox."""
    return make_account(port=dovecot.port, username=mailbox_user)


@pytest.fixture
def stored_account(db: None) -> MailAccount:
    """An account as stored in the database, for tests that never connect: no server behind its port."""
    return make_account(port=free_port(), username=f"lea{uuid.uuid4().hex[:8]}")


def worker_env() -> dict[str, str]:
    """Environment for a child `manage.py` process that works on the test database."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        url = f"sqlite:///{db['NAME']}"
    else:
        user = db.get("USER") or ""
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        url = f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": url,
        "CERCLE_DATA_DIR": str(settings.DATA_DIR),
        "SECRET_KEY": settings.SECRET_KEY,
        "PYTHONPATH": str(ROOT),
        "CERCLE_MAIL_ALLOW_PRIVATE_HOSTS": "1",  # the tests' Dovecot listens on 127.0.0.1
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


MANAGE = [sys.executable, str(ROOT / "manage.py")]


def press_test_button(client: Client, url: str, data: dict[str, object] | None, capture: object) -> str:
    """Press "Test the connection" as the page does (htmx), let the worker run the test (huey runs tasks
    inline in the tests, once the request's transaction commits), and return what the page then shows.

    `capture` is pytest-django's `django_capture_on_commit_callbacks`."""
    with capture(execute=True):  # type: ignore[operator]
        html = client.post(url, data or {}, HTTP_HX_REQUEST="true").content.decode()
    poll = re.search(r'hx-get="([^"]+)"', html)
    if poll is None:  # answered at once: a form with mistakes is not tested
        return html
    return client.get(poll.group(1), HTTP_HX_REQUEST="true").content.decode()
