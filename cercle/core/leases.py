"""Locks for background jobs that die with their process.

A job that must run one at a time (a mailbox's sync, the triage's suggestions) holds a *lease*: a row
naming its owner and an expiry. While the job runs, a thread of its process renews the lease every third
of its duration. If the process is killed (kill -9, a service manager's SIGTERM, a power cut), nobody
renews it and it expires: the next run takes it over (at once when the dead process ran on the same
machine). A lock in huey's storage, by contrast, outlives a killed worker for ever.

    with lease_hold("mail-sync-3") as held:   # raises LeaseHeld if a live process holds it
        ...                                   # held.lost is True if it expired under us (a long stall)
"""

from __future__ import annotations

import os
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from cercle.core.models import Lease


class LeaseHeld(Exception):
    """Another live process holds the lease."""

    def __init__(self, name: str, owner: str, since: datetime) -> None:
        super().__init__(f"{name} is held by {owner} since {since.isoformat()}")
        self.name, self.owner, self.since = name, owner, since


@dataclass
class HeldLease:
    name: str
    owner: str
    seconds: int
    lost: bool = False
    _stop: threading.Event = field(default_factory=threading.Event)

    def renew(self) -> bool:
        """Push the expiry back; False when the lease is no longer ours (it expired and was taken)."""
        now = timezone.now()
        renewed = Lease.objects.filter(name=self.name, owner=self.owner).update(
            renewed_at=now, expires_at=now + timedelta(seconds=self.seconds)
        )
        if not renewed:
            self.lost = True
        return bool(renewed)


def _default_seconds() -> int:
    return int(settings.CERCLE.get("LEASE_SECONDS", 60))


def lease_acquire(name: str, *, seconds: int | None = None) -> HeldLease:
    """Take the lease, or take over an expired one; raise `LeaseHeld` while a live owner renews it."""
    seconds = seconds or _default_seconds()
    owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    now = timezone.now()
    expires = now + timedelta(seconds=seconds)
    try:
        with transaction.atomic():
            Lease.objects.create(name=name, owner=owner, acquired_at=now, renewed_at=now, expires_at=expires)
    except IntegrityError:
        taken = Lease.objects.filter(Q(expires_at__lte=now) | Q(owner=owner), name=name).update(
            owner=owner, acquired_at=now, renewed_at=now, expires_at=expires
        )
        if not taken:
            current = Lease.objects.filter(name=name).first()
            if current is None:  # released between our two statements: try once more
                return lease_acquire(name, seconds=seconds)
            if not _owner_alive(current.owner):
                # Its process is gone (killed on this machine): no need to wait for the expiry.
                taken = Lease.objects.filter(name=name, owner=current.owner).update(
                    owner=owner, acquired_at=now, renewed_at=now, expires_at=expires
                )
            if not taken:
                raise LeaseHeld(name, current.owner, current.acquired_at) from None
    return HeldLease(name=name, owner=owner, seconds=seconds)


def _owner_alive(owner: str) -> bool:
    """False only when the owner ran on this machine and its process no longer exists."""
    host, _, rest = owner.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return True  # another machine's process: only its lease's expiry tells
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, under another user
        return True
    return True


def lease_release(held: HeldLease) -> None:
    Lease.objects.filter(name=held.name, owner=held.owner).delete()


def _renew_until_stopped(held: HeldLease) -> None:
    try:
        while not held._stop.wait(max(held.seconds / 3, 0.5)):
            try:
                if not held.renew():
                    return
            except DatabaseError:  # a busy database: try again at the next beat, well before expiry
                continue
    finally:
        connection.close()  # this thread's own connection


@contextmanager
def lease_hold(name: str, *, seconds: int | None = None) -> Iterator[HeldLease]:
    """Hold the lease for the duration of the block, renewed by a background thread."""
    held = lease_acquire(name, seconds=seconds)
    # In a test's transaction the thread's own connection could not see the lease row: renew inline only.
    renewer = None
    if not connection.in_atomic_block:
        renewer = threading.Thread(
            target=_renew_until_stopped, args=(held,), daemon=True, name=f"lease:{name}"
        )
        renewer.start()
    try:
        yield held
    finally:
        held._stop.set()
        if renewer is not None:
            renewer.join(timeout=10)
        lease_release(held)


def leases_alive(prefix: str = "") -> dict[str, Lease]:
    """The leases a live process holds now, by name."""
    rows = Lease.objects.filter(name__startswith=prefix, expires_at__gt=timezone.now())
    return {row.name: row for row in rows}
