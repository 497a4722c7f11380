"""Shared personas and real-server fixtures.

Personas (like healthchecks' alice/bob/charlie): `leader`, `second`, `member` (Claire), `other_member`
(Karim), `admin_user`, and `outsider` (a signed-in member to whom nothing was offered).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import factory.random
import pytest
from django.test import Client

from cercle.accounts.models import Role, User
from cercle.circulation.models import Request
from tests.components import (  # noqa: F401 - the hooks turn skips into failures under CI
    pytest_make_collect_report,
    pytest_runtest_makereport,
    require_component,
)
from tests.factories import MemberFactory, RequestFactory, UserFactory

# `pytester` runs a nested pytest: tests/core/test_real_components.py checks the CI mechanism with it.
pytest_plugins = ["pytester"]

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"


def corpus_path(*parts: str) -> Path:
    """A path in the real corpus beside the project: a skip when absent, a failure under CI."""
    path = CORPUS.joinpath(*parts)
    require_component(
        "The shared corpus",
        path.exists(),
        f"../shared/corpus/{'/'.join(parts)} not found (it ships beside the project)",
    )
    return path


def wait_until(
    condition: Callable[[], object], timeout: float = 30.0, what: str = "the condition", most: float = 0.2
) -> None:
    """Poll `condition` until it is true; fail the test with `what` if the deadline passes first.

    Tests wait on what they need (a port open, rows written, jobs done), never for a fixed time. The
    pause between two polls doubles up to `most` seconds (smaller: the condition is seen sooner after
    it becomes true, for a test that acts at that moment).
    """
    deadline = time.monotonic() + timeout
    interval = min(0.01, most)
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(interval)
        interval = min(interval * 2, most)


@pytest.fixture(autouse=True)
def _reproducible_fake_data(request: pytest.FixtureRequest) -> None:
    """Seed factory_boy and Faker from the test's id: a failure on random names replays on every run."""
    factory.random.reseed_random(request.node.nodeid)


@pytest.fixture
def leader(db: None) -> User:
    return UserFactory(
        username="lea", first_name="Léa", last_name="Marchand", role=Role.LEADER, email="lea@hub.example"
    )


@pytest.fixture
def second(db: None) -> User:
    return UserFactory(
        username="samuel",
        first_name="Samuel",
        last_name="Petit",
        role=Role.SECOND,
        email="samuel@hub.example",
    )


@pytest.fixture
def member(db: None) -> User:
    return MemberFactory(
        username="claire", first_name="Claire", last_name="Dubois", email="claire@hub.example"
    )


@pytest.fixture
def other_member(db: None) -> User:
    return MemberFactory(username="karim", first_name="Karim", last_name="Benali", email="karim@hub.example")


@pytest.fixture
def outsider(db: None) -> User:
    return MemberFactory(username="oscar", first_name="Oscar", last_name="Outside", email="oscar@hub.example")


@pytest.fixture
def admin_user(db: None) -> User:
    return UserFactory(username="root", role=Role.ADMIN, is_staff=True, is_superuser=True)


@pytest.fixture
def incoming(db: None) -> Request:
    """A request just received, waiting for the second."""
    return RequestFactory()


def login(user: User, language: str | None = None) -> Client:
    """A signed-in client; French by default like the app, or `language="en"` to read English pages."""
    client = Client(**({"HTTP_ACCEPT_LANGUAGE": language} if language else {}))
    client.force_login(user)
    return client


# --- A real SMTP server (aiosmtpd) ---------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class SMTPSink:
    host: str
    port: int
    messages: list[object] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def received(self) -> list[object]:
        with self.lock:
            return list(self.messages)


@pytest.fixture
def smtp_server(settings: object) -> Iterator[SMTPSink]:
    """A real SMTP server on a free loopback port; Django sends to it."""
    from email import message_from_bytes, policy

    from aiosmtpd.controller import Controller

    port = free_port()
    sink = SMTPSink("127.0.0.1", port)

    class Handler:
        async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
            message = message_from_bytes(envelope.content, policy=policy.default)  # type: ignore[attr-defined]
            message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)  # type: ignore[attr-defined]
            with sink.lock:
                sink.messages.append(message)
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"  # type: ignore[attr-defined]
    settings.EMAIL_HOST = "127.0.0.1"  # type: ignore[attr-defined]
    settings.EMAIL_PORT = port  # type: ignore[attr-defined]
    settings.EMAIL_USE_TLS = False  # type: ignore[attr-defined]
    settings.EMAIL_TIMEOUT = 5  # type: ignore[attr-defined]
    try:
        yield sink
    finally:
        controller.stop()


@pytest.fixture(autouse=True)
def english_outside_requests() -> Iterator[None]:
    """Each test starts in English outside requests, whatever a previous test's request activated.

    (LocaleMiddleware leaves the last request's language active in the thread: without this, a
    message built by a service would be French or English depending on the order of the tests.)
    """
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()
