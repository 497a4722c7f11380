"""Listening to each inbox with IMAP IDLE (RFC 2177): new mail becomes a request within seconds.

The worker process (`cercle worker`, and the worker inside `cercle run`) starts a `Listeners` thread
(tasks.py, a huey startup hook). It looks at the accounts every LOOK_SECONDS and keeps one `Listener`
thread per enabled account that asks for it (`MailAccount.listen`, and `CERCLE_MAIL_IDLE` on).

A listener holds the lease `mail-listen-<id>` (core/leases.py) for as long as it runs: with several
worker processes only one listens to an account, and when that process dies another one takes over at
its next look. The page reads the lease to tell a live listener from a state left by a dead worker.

A listener imports nothing itself. It logs in, opens the inbox read-only, enters IDLE, and whenever the
server says the folder grew (an EXISTS push) it runs the same `sync_account` as the every-minute job,
under the same lease (`mail-sync-<id>`): the two never sync one account at once, and the UID ledger
stays the one record of what was imported. The IDLE connection stays in IDLE while the sync runs on a
connection of its own, so a message that arrives meanwhile is pushed and synced next: nothing falls in
a gap. After each (re)connection and each renewal of IDLE (every CERCLE_MAIL_IDLE_RENEW_MINUTES; servers
drop a client idle for 30 minutes) it syncs once, for what arrived while it was not idling.

A lost connection (the server said BYE, the socket ended, a timeout) is retried with exponential
backoff and jitter; meanwhile the account shows "reconnecting" and the every-minute sync goes on. A
server without the IDLE capability leaves the account "polling" (the every-minute sync) and is asked
again every hour.
"""

from __future__ import annotations

import logging
import random
import socket
import threading
import time
from collections.abc import Sequence
from contextlib import suppress
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from cercle.core.leases import LeaseHeld, lease_hold
from cercle.core.notes import Note, note_stored
from cercle.mailsync.imap import MailConnectionError, connect
from cercle.mailsync.models import ListenState, MailAccount
from cercle.mailsync.sync import sync_account, sync_lease_name

log = logging.getLogger(__name__)

LOOK_SECONDS = 15  # how often the supervisor looks for accounts to start or stop listening to
WAIT_SECONDS = 60  # the longest single wait for a push (the renewal and a stop come sooner)
NO_IDLE_RECHECK_SECONDS = 3600  # a server without IDLE is asked again after this
BACKOFF_FIRST_SECONDS = 2.0
BACKOFF_MAX_SECONDS = 300.0
# A connection that stayed in IDLE this long was good: the next drop starts the backoff over. (One
# dropped sooner keeps climbing: a server that accepts and kicks at once is not hammered.)
STABLE_SECONDS = 30.0
# A push that finds the account's sync running (the every-minute job) waits for it this long, then
# syncs itself: the running sync may have listed the UIDs before the new message arrived.
SYNC_WAIT_SECONDS = 120.0
STOP_JOIN_SECONDS = 5.0


def listen_lease_name(account_id: int) -> str:
    return f"mail-listen-{account_id}"


def backoff_seconds(attempt: int, rng: random.Random | None = None) -> float:
    """The wait before reconnection number `attempt` (1, 2, …): doubling from BACKOFF_FIRST_SECONDS up
    to BACKOFF_MAX_SECONDS, drawn in its upper half so that many accounts on one server that fell
    together do not all knock again at the same instant."""
    ceiling = min(BACKOFF_MAX_SECONDS, BACKOFF_FIRST_SECONDS * 2 ** max(0, attempt - 1))
    return ceiling / 2 + (rng or random).uniform(0, ceiling / 2)


def server_can_idle(client: IMAPClient) -> bool:
    return bool(client.has_capability("IDLE"))


class ServerSaidBye(Exception):
    """The server ended the session (BYE: shutting down, an administrator's kick, a timeout)."""


# What a connection that failed while listening looks like (imaplib's abort and error are
# IMAPClientError; socket, TLS and timeout errors are OSError).
LISTEN_FAILURES = (MailConnectionError, ServerSaidBye, IMAPClientError, OSError, EOFError)


def _connection_key(account: MailAccount) -> tuple[object, ...]:
    """What the listening connection depends on: when one of them changes, the listener starts again."""
    return (
        account.host,
        account.port,
        account.security,
        account.username,
        account.password_encrypted,
        account.inbox_folder,
    )


def lost_while_listening(account: MailAccount) -> Note:
    """What the mailbox page says while the listener reconnects."""
    return Note(
        gettext_noop(
            "The connection to %(where)s was lost while listening for new mail. Cercle reconnects by "
            "itself; meanwhile it checks for new mail every minute."
        ),
        where=f"{account.host}:{account.port}",
    )


def listen_state_set(
    account_id: int, state: str, *, error: str | Note = "", retry_at: datetime | None = None
) -> None:
    """Record the listener's state; `listen_since` moves only when the state changes."""
    text, note = note_stored(error)
    accounts = MailAccount.objects.filter(pk=account_id)
    with transaction.atomic():
        accounts.exclude(listen_state=state).update(listen_state=state, listen_since=timezone.now())
        accounts.update(listen_error=text, listen_error_note=note, listen_retry_at=retry_at)


def _new_mail(responses: Sequence[Any]) -> bool:
    return any(len(r) >= 2 and r[1] == b"EXISTS" for r in responses if isinstance(r, tuple))


def _goodbye(responses: Sequence[Any]) -> str:
    """The server's BYE text ("Server shutting down."), or "" when it did not say goodbye."""
    for r in responses:
        if isinstance(r, tuple) and r and r[0] == b"BYE":
            return " ".join(p.decode(errors="replace") for p in r[1:] if isinstance(p, bytes)) or "BYE"
    return ""


class Listener(threading.Thread):
    """Listens to one account's inbox until `stop()` (see the module)."""

    def __init__(self, account_id: int, key: tuple[object, ...]) -> None:
        super().__init__(daemon=True, name=f"mail-listen-{account_id}")
        self.account_id = account_id
        self.key = key
        self.stopping = threading.Event()
        self.syncs = 0  # how many syncs this listener ran (for tests and logs)
        self._client: IMAPClient | None = None
        self._idle_since: float | None = None  # monotonic time the current connection entered IDLE
        self._lock = threading.Lock()

    def stop(self) -> None:
        """Ask the thread to end; a wait for a push ends at once."""
        self.stopping.set()
        with self._lock:
            client = self._client
        if client is not None:
            # Shut the socket down under the reader's feet: its poll wakes with an end of file. The
            # plain socket's method, also for TLS (SSLSocket.shutdown would drop the TLS state that the
            # other thread is reading with).
            with suppress(Exception):
                socket.socket.shutdown(client.socket(), socket.SHUT_RDWR)

    def run(self) -> None:
        try:
            with lease_hold(listen_lease_name(self.account_id)):
                self._listen()
        except LeaseHeld:
            log.debug("mail listen: account %s: another process listens", self.account_id)
        except Exception:  # a bug or a database that went away: the supervisor starts a new listener
            log.exception("mail listen: account %s: listener failed", self.account_id)
        finally:
            connection.close()  # this thread's own database connection

    def _listen(self) -> None:
        attempt = 0
        while not self.stopping.is_set():
            account = MailAccount.objects.filter(pk=self.account_id).first()
            if account is None:
                return
            try:
                if self._session(account) == "no-idle":
                    listen_state_set(account.pk, ListenState.POLLING)
                    log.info("mail listen: %s: the server has no IDLE; checking every minute", account)
                    attempt = 0
                    connection.close()
                    self.stopping.wait(NO_IDLE_RECHECK_SECONDS)
                    continue
            except LISTEN_FAILURES as exc:
                if self.stopping.is_set():
                    break
                error = exc.note if isinstance(exc, MailConnectionError) else lost_while_listening(account)
                log.warning("mail listen: %s: %s: %s", account, type(exc).__name__, exc)
                if self._idle_since is not None and time.monotonic() - self._idle_since >= STABLE_SECONDS:
                    attempt = 0
                attempt += 1
                delay = backoff_seconds(attempt)
                retry_at = timezone.now() + timedelta(seconds=delay)
                listen_state_set(account.pk, ListenState.RECONNECTING, error=error, retry_at=retry_at)
                connection.close()
                self.stopping.wait(delay)
                continue
            attempt = 0
        listen_state_set(self.account_id, ListenState.OFF)

    def _session(self, account: MailAccount) -> str:
        """One connection: log in, IDLE on the inbox, sync on every push, until stopped ("stopped") or
        the server lacks IDLE ("no-idle"). A failure of the connection raises."""
        self._idle_since = None
        with connect(account) as client:
            if not server_can_idle(client):
                return "no-idle"
            client.select_folder(account.inbox_folder, readonly=True)
            client.idle()
            self._idle_since = time.monotonic()
            with self._lock:
                self._client = client
            try:
                if self.stopping.is_set():  # stopped before the socket could be shut down
                    return "stopped"
                listen_state_set(account.pk, ListenState.IDLE)
                log.info("mail listen: %s: listening (IDLE on %s)", account, account.inbox_folder)
                self._sync()  # what arrived while nobody listened
                self._wait_for_mail(client)
            finally:
                with self._lock:
                    self._client = None
            with suppress(*LISTEN_FAILURES):
                client.idle_done()
        return "stopped"

    def _wait_for_mail(self, client: IMAPClient) -> None:
        renew_every = max(60, int(settings.CERCLE["MAIL_IDLE_RENEW_MINUTES"]) * 60)
        renew_at = time.monotonic() + renew_every
        while not self.stopping.is_set():
            connection.close()  # hold no database connection while waiting
            timeout = max(0.0, min(renew_at - time.monotonic(), WAIT_SECONDS))
            started = time.monotonic()
            responses = client.idle_check(timeout=timeout)
            if self.stopping.is_set():
                return
            if bye := _goodbye(responses):
                raise ServerSaidBye(bye)
            new_mail = _new_mail(responses)
            # Woken with nothing to read before the time was up: imapclient swallows an end of file
            # there. Leaving IDLE tells: on a dead connection it raises (and we reconnect).
            ended_early = not responses and time.monotonic() - started < timeout - 1
            if ended_early or time.monotonic() >= renew_at:
                client.idle_done()  # raises on a dead connection; what it returns, the sync below covers
                client.idle()
                renew_at = time.monotonic() + renew_every
                # A message that arrived between DONE and the new IDLE is pushed by no one: sync.
                new_mail = True
            if new_mail:
                self._sync()

    def _sync(self) -> None:
        """The account's sync, as the every-minute job runs it, under the same lease."""
        deadline = time.monotonic() + SYNC_WAIT_SECONDS
        while not self.stopping.is_set():
            try:
                with lease_hold(sync_lease_name(self.account_id)):
                    account = MailAccount.objects.filter(pk=self.account_id, enabled=True).first()
                    if account is not None:
                        report = sync_account(account)
                        self.syncs += 1
                        if report.fetched:
                            log.info("mail listen: %s: %s", account, dict(report.counts))
                return
            except LeaseHeld:
                if time.monotonic() > deadline:
                    log.warning("mail listen: account %s: its sync is still running", self.account_id)
                    return
                self.stopping.wait(0.5)


class Listeners:
    """The supervisor of one process: a listener per account that should be listened to."""

    def __init__(self) -> None:
        self.running: dict[int, Listener] = {}
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None

    def start(self) -> Listeners:
        self.thread = threading.Thread(target=self._run, daemon=True, name="mail-listeners")
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        if self.thread is not None:
            self.thread.join(timeout=STOP_JOIN_SECONDS * 2)

    def _run(self) -> None:
        try:
            while not self.stopping.is_set():
                try:
                    self.look()
                except DatabaseError as exc:  # a busy or restarting database: look again later
                    log.warning("mail listen: cannot read the accounts: %s", exc)
                except Exception:
                    log.exception("mail listen: supervisor failed")
                finally:
                    connection.close()
                self.stopping.wait(LOOK_SECONDS)
        finally:
            self._stop_all()
            connection.close()

    def look(self) -> None:
        """Start a listener for each account that wants one and has none here, stop those no longer
        wanted or whose connection settings changed."""
        wanted = {a.pk: _connection_key(a) for a in MailAccount.objects.filter(enabled=True, listen=True)}
        for pk, listener in list(self.running.items()):
            if not listener.is_alive():
                del self.running[pk]  # ended (another process listens, or it failed): try again below
            elif wanted.get(pk) != listener.key:
                listener.stop()
                listener.join(timeout=STOP_JOIN_SECONDS)  # so that its lease is free for the next one
                del self.running[pk]
        for pk, key in wanted.items():
            if pk not in self.running:
                self.running[pk] = listener = Listener(pk, key)
                listener.start()
        # Accounts nobody should listen to (paused, listening unticked) say so. (Read first: an UPDATE
        # takes SQLite's write lock even when it changes nothing, and this runs every LOOK_SECONDS.)
        unwanted = MailAccount.objects.exclude(pk__in=list(wanted)).exclude(listen_state=ListenState.OFF)
        if unwanted.exists():
            unwanted.update(
                listen_state=ListenState.OFF,
                listen_since=timezone.now(),
                listen_error="",
                listen_error_note=None,
                listen_retry_at=None,
            )

    def _stop_all(self) -> None:
        listeners = list(self.running.values())
        for listener in listeners:
            listener.stop()
        for listener in listeners:
            listener.join(timeout=STOP_JOIN_SECONDS)
        self.running.clear()


_process_listeners: Listeners | None = None
_process_lock = threading.Lock()


def listeners_start() -> Listeners | None:
    """Start this process's listeners once (huey calls the startup hook in every worker thread)."""
    global _process_listeners
    if not settings.CERCLE["MAIL_IDLE"]:
        return None
    with _process_lock:
        if _process_listeners is None:
            _process_listeners = Listeners().start()
            log.info("mail listen: listening to the inboxes (IMAP IDLE)")
        return _process_listeners


def listeners_stop() -> None:
    global _process_listeners
    with _process_lock:
        listeners, _process_listeners = _process_listeners, None
    if listeners is not None:
        listeners.stop()
