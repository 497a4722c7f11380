"""Leases: one holder at a time, renewed while its process lives, taken over once it stops renewing."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from cercle.core.leases import LeaseHeld, lease_acquire, lease_hold, lease_release, leases_alive
from cercle.core.models import Lease

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_held_lease_cannot_be_taken_and_is_free_once_released():
    with lease_hold("job", seconds=30) as held:
        with pytest.raises(LeaseHeld) as refused:
            lease_acquire("job", seconds=30)
        assert refused.value.owner == held.owner
        assert set(leases_alive()) == {"job"}
    assert not Lease.objects.exists()
    lease_release(lease_acquire("job", seconds=30))


def test_a_lease_nobody_renews_expires_and_is_taken_over():
    dead = lease_acquire("mail-sync-1", seconds=30)  # its process was killed: nothing renews it
    Lease.objects.filter(name="mail-sync-1").update(expires_at=timezone.now() - timedelta(seconds=1))
    assert leases_alive("mail-sync-") == {}
    taken = lease_acquire("mail-sync-1", seconds=30)
    assert taken.owner != dead.owner
    assert not dead.renew() and dead.lost  # the old holder learns it lost the lease
    assert Lease.objects.get().owner == taken.owner


def test_the_holders_process_keeps_its_lease_alive_past_its_duration():
    with lease_hold("long-job", seconds=1) as held:
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            assert Lease.objects.get(name="long-job").expires_at > timezone.now() - timedelta(seconds=0.5)
            time.sleep(0.2)
        with pytest.raises(LeaseHeld):
            lease_acquire("long-job", seconds=1)
        assert not held.lost


def test_a_lease_left_by_a_dead_process_on_this_machine_is_taken_at_once():
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead_owner = f"{socket.gethostname()}:{gone.stdout.strip()}:deadbeef"
    held = lease_acquire("triage-suggest", seconds=600)
    Lease.objects.filter(name="triage-suggest").update(owner=dead_owner)
    taken = lease_acquire("triage-suggest", seconds=600)
    assert Lease.objects.get().owner == taken.owner != dead_owner
    # A live owner (this very process) is not taken over before its lease expires.
    with pytest.raises(LeaseHeld):
        lease_acquire("triage-suggest", seconds=600)
    assert held.owner != taken.owner
