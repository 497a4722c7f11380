"""Talking to an IMAP server with imapclient: connect, check folders, and say clearly what went wrong."""

from __future__ import annotations

import ipaddress
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_noop
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from cercle.core.crypto import SecretUnreadable
from cercle.core.notes import Note
from cercle.mailsync.models import MailAccount, Security


class MailConnectionError(Exception):
    """A connection or login problem, with a message the second can act on.

    `note` is kept untranslated: the worker stores it and each reader sees it in their language.
    """

    def __init__(self, note: Note) -> None:
        super().__init__(note.msgid)
        self.note = note

    def __str__(self) -> str:
        # Logs and tracebacks read the filled-in sentence, in English (not the msgid's placeholders).
        with translation.override("en"):
            return self.note.render()

    @property
    def message(self) -> str:
        return self.note.render()


@dataclass
class ConnectionReport:
    ok: bool
    message: str
    folders: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    # `message` untranslated, when Cercle wrote it: the worker stores it, each reader gets their language.
    note: Note | None = None

    @classmethod
    def of(cls, ok: bool, note: Note, **more: Any) -> ConnectionReport:
        return cls(ok, note.render(), note=note, **more)


def _explain(exc: BaseException, account: MailAccount) -> Note:
    where = f"{account.host}:{account.port}"
    if isinstance(exc, LoginError):
        return Note(
            gettext_noop("The server refused the login or the password for %(user)s."), user=account.username
        )
    if isinstance(exc, socket.gaierror):
        return Note(
            gettext_noop("Unknown server: %(host)s cannot be found. Check the name."), host=account.host
        )
    if isinstance(exc, ConnectionRefusedError):
        return Note(
            gettext_noop("%(where)s refused the connection: wrong port, or the server is down."), where=where
        )
    if isinstance(exc, ssl.SSLCertVerificationError):
        return Note(
            gettext_noop("The server's TLS certificate is not valid for %(host)s (%(why)s)."),
            host=account.host,
            why=exc.verify_message or exc.reason,
        )
    if isinstance(exc, ssl.SSLError):
        return Note(
            gettext_noop(
                "The TLS handshake with %(where)s failed (%(why)s): check the security setting and the port."
            ),
            where=where,
            why=exc.reason or exc,
        )
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return Note(gettext_noop("%(where)s did not answer in time."), where=where)
    if isinstance(exc, SecretUnreadable):
        return Note(
            gettext_noop("The stored password can no longer be read (the secret key changed): type it again.")
        )
    if isinstance(exc, (IMAPClientError, OSError)):
        return Note(
            gettext_noop("The IMAP server %(where)s answered with an error: %(error)s"),
            where=where,
            error=exc,
        )
    return Note("%(error)s", error=exc)


# What a connection lost in the middle of a sync looks like: imaplib's "abort" (EOF, reset, a socket
# error wrapped in "command: FETCH => socket error: EOF"), or the socket's own error.
CONNECTION_LOST = (IMAPClient.AbortError, ConnectionError, ssl.SSLError, TimeoutError, EOFError)


def lost_connection(account: MailAccount, *, done: int, total: int) -> Note:
    """The sentence the mailbox page shows when the server went away during a sync."""
    return Note(
        gettext_noop(
            "The connection to %(where)s was lost during the synchronisation, after %(done)s of %(total)s "
            "new messages. What was imported is kept; the next synchronisation, within a minute, continues "
            "from there. If this happens again, check the server or the network."
        ),
        where=f"{account.host}:{account.port}",
        done=done,
        total=total,
    )


def _refused_address(host: str, port: int) -> str | None:
    """The first address of `host` that is loopback, link-local, private or otherwise not public, when
    such addresses are not allowed (MAIL_ALLOW_PRIVATE_HOSTS); None when the host may be reached."""
    if settings.CERCLE.get("MAIL_ALLOW_PRIVATE_HOSTS"):
        return None
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        return None  # unknown host: the connection attempt says so in its own words
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if not address.is_global or address.is_multicast:
            return str(address)
    return None


@contextmanager
def connect(account: MailAccount, *, timeout: float | None = None) -> Iterator[IMAPClient]:
    """A logged-in client; every failure becomes a MailConnectionError with a clear message.
    `timeout` bounds each network step (MAIL_TIMEOUT_SECONDS by default)."""
    timeout = timeout or settings.CERCLE["MAIL_TIMEOUT_SECONDS"]
    refused = _refused_address(account.host, account.port)
    if refused is not None:
        raise MailConnectionError(
            Note(
                gettext_noop(
                    "%(host)s is a local or private address (%(address)s): Cercle does not connect there "
                    "unless the administrator allows it (CERCLE_MAIL_ALLOW_PRIVATE_HOSTS=1)."
                ),
                host=account.host,
                address=refused,
            )
        )
    context = ssl.create_default_context()
    try:
        password = account.password
        client = IMAPClient(
            account.host,
            port=account.port,
            ssl=account.security == Security.SSL,
            ssl_context=context,
            timeout=timeout,
        )
    except Exception as exc:  # every failure gets an explanation
        raise MailConnectionError(_explain(exc, account)) from exc
    try:
        try:
            if account.security == Security.STARTTLS:
                client.starttls(context)
            client.login(account.username, password)
        except Exception as exc:
            raise MailConnectionError(_explain(exc, account)) from exc
        yield client
    finally:
        with suppress(Exception):  # the connection may already be gone
            client.logout()


def check_account(account: MailAccount, *, timeout: float | None = None) -> ConnectionReport:
    """The "test connection" button: log in, check each configured folder, count its messages."""
    try:
        with connect(account, timeout=timeout) as client:
            available = sorted(name for _flags, _delim, name in client.list_folders())
            counts: dict[str, int] = {}
            for folder in account.folders:
                if not client.folder_exists(folder):
                    shown = ", ".join(available[:15])
                    return ConnectionReport.of(
                        False,
                        Note(
                            gettext_noop(
                                "The folder “%(folder)s” does not exist. Folders on the server: %(list)s"
                            ),
                            folder=folder,
                            list=shown,
                        ),
                        folders=available,
                    )
                status = client.folder_status(folder, [b"MESSAGES"])
                counts[folder] = int(status[b"MESSAGES"])
    except MailConnectionError as exc:
        return ConnectionReport.of(False, exc.note)
    except Exception as exc:
        return ConnectionReport.of(False, _explain(exc, account))
    summary = ", ".join(f"{folder}: {n}" for folder, n in counts.items())
    return ConnectionReport.of(
        True,
        Note(gettext_noop("Connected. Messages per folder: %(summary)s"), summary=summary),
        folders=available,
        counts=counts,
    )
