""" "Test the connection" runs in the worker, never in a web request: the button stores what to test and
answers "Connecting…" at once; the page asks for the result every second until the worker has stored it.
A server that does not answer, or cannot be reached, fails within the test's short timeout
(MAIL_TEST_TIMEOUT_SECONDS), not the sync's."""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from cercle.mailsync.models import ConnectionTest, ConnectionTestStatus
from tests.conftest import login
from tests.mailsync.conftest import press_test_button

pytestmark = pytest.mark.django_db


def form_data(account, **changes: object) -> dict[str, object]:  # type: ignore[no-untyped-def]
    data: dict[str, object] = {
        "name": account.name, "host": account.host, "port": account.port, "security": account.security,
        "username": account.username, "password": "", "inbox_folder": account.inbox_folder,
        "sent_folder": account.sent_folder, "after_import": account.after_import, "enabled": "on",
    }  # fmt: skip
    return {**data, **changes}


@pytest.fixture
def no_sockets(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every way Python opens a connection or resolves a name, recorded and refused."""
    opened: list[str] = []

    def refuse(name: str):  # type: ignore[no-untyped-def]
        def call(*args: object, **kwargs: object) -> None:
            opened.append(f"{name}{args[:2]}")
            raise OSError(f"{name} during a web request")

        return call

    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    monkeypatch.setattr(socket, "create_connection", refuse("create_connection"))
    monkeypatch.setattr(socket.socket, "connect", refuse("socket.connect"))
    monkeypatch.setattr(socket.socket, "connect_ex", refuse("socket.connect_ex"))
    yield opened
    monkeypatch.undo()


def test_the_web_request_opens_no_socket_and_the_worker_answers(
    second, account, dovecot, no_sockets, monkeypatch, django_capture_on_commit_callbacks
):
    client = login(second, language="en")
    with django_capture_on_commit_callbacks(execute=False) as worker_jobs:
        response = client.post(
            reverse("mailsync:test", args=[account.pk]), form_data(account), HTTP_HX_REQUEST="true"
        )
    html = response.content.decode()
    assert no_sockets == [], "the web request connected to the mail server"
    assert "Connecting… (up to 5 s when the server does not answer)" in html
    poll = re.search(r'hx-get="([^"]+)"', html)
    assert poll, "the page does not ask for the result"
    assert client.get(poll.group(1), HTTP_HX_REQUEST="true").content.decode().count('hx-get="') == 1  # waits
    assert len(worker_jobs) == 1  # the test, queued for the worker once the request committed

    monkeypatch.undo()  # the worker may connect
    worker_jobs[0]()  # the worker runs it (huey runs tasks inline in the tests)
    result = client.get(poll.group(1), HTTP_HX_REQUEST="true").content.decode()
    assert "✓ Connected. Messages per folder: INBOX: 0" in result
    assert "hx-get" not in result  # the page stops asking
    test = ConnectionTest.objects.get()
    assert (test.status, test.password_encrypted) == (ConnectionTestStatus.OK, "")  # the password not kept


def _silent_server() -> tuple[socket.socket, list[socket.socket]]:
    """Accepts the connection, never says hello."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    return server, []


def _unreachable_server() -> tuple[socket.socket, list[socket.socket]]:
    """A port whose connections never complete, like a host behind a firewall that drops them: its
    backlog is full, so the kernel ignores new connection requests."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    fillers = []
    for _ in range(4):
        filler = socket.socket()
        filler.setblocking(False)
        filler.connect_ex(server.getsockname())
        fillers.append(filler)
    time.sleep(0.1)
    return server, fillers


@pytest.mark.parametrize("make_server", [_silent_server, _unreachable_server], ids=["silent", "unreachable"])
def test_a_server_that_does_not_answer_fails_within_the_short_timeout(
    second, stored_account, settings, make_server, django_capture_on_commit_callbacks
):
    settings.CERCLE = {**settings.CERCLE, "MAIL_TEST_TIMEOUT_SECONDS": 2, "MAIL_TIMEOUT_SECONDS": 30}
    server, fillers = make_server()
    port = server.getsockname()[1]
    try:
        started = time.monotonic()
        answer = press_test_button(
            login(second, language="en"),
            reverse("mailsync:test", args=[stored_account.pk]),
            form_data(stored_account, port=port),
            django_capture_on_commit_callbacks,
        )
        took = time.monotonic() - started
    finally:
        for sock in (server, *fillers):
            sock.close()
    assert f"✕ 127.0.0.1:{port} did not answer in time." in answer
    assert 'role="alert"' in answer
    assert took < 2 + 2, f"the test took {took:.1f} s for a 2 s limit"


def test_the_result_reads_in_each_persons_language(second, account, django_capture_on_commit_callbacks):
    url = reverse("mailsync:test", args=[account.pk])
    data = form_data(account, password="nope")
    english = press_test_button(login(second, language="en"), url, data, django_capture_on_commit_callbacks)
    assert f"The server refused the login or the password for {account.username}." in english
    test = ConnectionTest.objects.get()
    french = login(second, language="fr").get(reverse("mailsync:test_result", args=[test.pk])).content
    assert (
        escape(f"Le serveur a refusé l'identifiant ou le mot de passe de {account.username}.")
        in french.decode()
    )


def test_only_the_person_who_asked_reads_the_result(second, leader, member, stored_account):
    test = ConnectionTest.objects.create(requested_by=second, draft={"host": "imap.example.org"})
    url = reverse("mailsync:test_result", args=[test.pk])
    assert login(second).get(url).status_code == 200
    assert login(leader).get(url).status_code == 404
    assert login(member).get(url).status_code == 403


def test_with_no_worker_running_the_page_says_so_and_stops_asking(second):
    test = ConnectionTest.objects.create(requested_by=second, draft={"host": "imap.example.org"})
    url = reverse("mailsync:test_result", args=[test.pk])
    assert "hx-get" in login(second).get(url).content.decode()  # just asked: waiting
    ConnectionTest.objects.filter(pk=test.pk).update(created_at=timezone.now() - timedelta(minutes=2))
    html = login(second, language="en").get(url).content.decode()
    assert "The test did not run: the background worker does not seem to be running" in html
    assert "hx-get" not in html


def test_without_htmx_the_edit_page_shows_the_test(
    second, stored_account, django_capture_on_commit_callbacks
):
    client = login(second, language="en")
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("mailsync:test", args=[stored_account.pk]), form_data(stored_account))
    test = ConnectionTest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("mailsync:edit", args=[stored_account.pk]) + f"?test={test.pk}"
    page = client.get(response["Location"]).content.decode()
    assert reverse("mailsync:test_result", args=[test.pk]) in page and "Connecting…" in page
    assert "secret-imap" not in str(ConnectionTest.objects.values().get())  # the password is encrypted
