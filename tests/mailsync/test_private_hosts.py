"""A mailbox form cannot make Cercle probe the hub's own network: loopback, link-local and private
addresses are refused unless the administrator allows them (CERCLE_MAIL_ALLOW_PRIVATE_HOSTS)."""

from __future__ import annotations

import socket
import threading

import pytest
from django.urls import reverse
from django.utils import translation

from cercle.mailsync.imap import check_account
from cercle.mailsync.models import MailAccount, Security
from cercle.mailsync.sync import sync_account
from tests.conftest import login
from tests.mailsync.conftest import press_test_button


@pytest.fixture
def private_refused(settings):
    settings.CERCLE = {**settings.CERCLE, "MAIL_ALLOW_PRIVATE_HOSTS": False}


@pytest.fixture
def listener():
    """A TCP port on loopback that records whether anyone connected."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    touched = threading.Event()
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            touched.set()
            conn.close()

    threading.Thread(target=accept, daemon=True).start()
    yield server.getsockname()[1], touched
    stop.set()
    server.close()


def account(host: str, port: int) -> MailAccount:
    return MailAccount(
        name="Sonde", host=host, port=port, security=Security.NONE, username="x", inbox_folder="INBOX"
    )


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "169.254.169.254", "10.1.2.3", "192.168.1.10", "localhost", "[::1]"]
)
def test_local_and_private_hosts_are_refused_without_connecting(db, private_refused, host):
    with translation.override("en"):
        report = check_account(account(host.strip("[]"), 993))
    assert not report.ok
    assert "is a local or private address" in report.message
    assert "CERCLE_MAIL_ALLOW_PRIVATE_HOSTS=1" in report.message


def test_nothing_reaches_the_port_and_the_sync_says_why(db, private_refused, listener):
    port, touched = listener
    saved = account("127.0.0.1", port)
    saved.password = "x"
    saved.save()
    report = sync_account(saved)
    assert not touched.wait(0.5), "Cercle connected to a loopback port"
    with translation.override("fr"):
        assert "adresse locale ou privée" in MailAccount.objects.get(pk=saved.pk).last_error_text
    assert report.error


def test_the_test_button_refuses_it_too(
    db, private_refused, listener, second, django_capture_on_commit_callbacks
):
    port, touched = listener
    answer = press_test_button(
        login(second, "en"),
        reverse("mailsync:test_new"),
        {
            "name": "Sonde",
            "host": "127.0.0.1",
            "port": port,
            "security": "none",
            "username": "x",
            "password": "x",
            "inbox_folder": "INBOX",
            "after_import": "none",
        },
        django_capture_on_commit_callbacks,
    )
    assert "is a local or private address" in answer
    assert not touched.wait(0.5)


def test_allowed_by_the_administrator_it_connects(db, settings, listener):
    settings.CERCLE = {**settings.CERCLE, "MAIL_ALLOW_PRIVATE_HOSTS": True}
    port, touched = listener
    check_account(account("127.0.0.1", port))
    assert touched.wait(5)
