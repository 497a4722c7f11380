"""A real Dovecot per test module, one user per test, and a MailAccount pointing at it."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from cercle.mailsync.models import MailAccount, Security
from tests import dovecot as dovecot_server

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def dovecot() -> Iterator[dovecot_server.Dovecot]:
    if not dovecot_server.available():
        pytest.skip("Dovecot is not installed: install Debian's dovecot-imapd (make system-deps)")
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


@pytest.fixture
def account(db: None, dovecot: dovecot_server.Dovecot, mailbox_user: str) -> MailAccount:
    account = MailAccount(
        name=f"Boîte de Léa {mailbox_user}",
        host="127.0.0.1",
        port=dovecot.port,
        security=Security.NONE,
        username=mailbox_user,
        inbox_folder="INBOX",
        sent_folder="",
    )
    account.password = "secret-imap"
    account.save()
    return account


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
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


MANAGE = [sys.executable, str(ROOT / "manage.py")]
