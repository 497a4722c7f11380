"""Worker jobs: the clocks' reminders and escalations (hourly), the leader's digest and the weekly proof
list (looked at every five minutes; each is sent once, at or after its time).

One run at a time across workers: a lease that dies with its process (core/leases.py). Under it, each
step is still recorded with a unique constraint, so even two runs that overlapped could not write the
same reminder twice: the second one's transaction fails whole, and nothing of it is sent.
"""

from __future__ import annotations

from django.db import IntegrityError
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from cercle.circulation.digest import digest_send_due
from cercle.circulation.escalation import clocks_escalate
from cercle.core.leases import LeaseHeld, lease_hold


def clocks_run() -> dict[str, int]:
    try:
        with lease_hold("circulation-clocks"):
            report = clocks_escalate()
    except (LeaseHeld, IntegrityError):
        return {"skipped": 1}
    return {"steps": report.steps, "mails": report.mails}


def digest_run() -> dict[str, int]:
    try:
        with lease_hold("circulation-digest"):
            report = digest_send_due()
    except (LeaseHeld, IntegrityError):
        return {"skipped": 1}
    return {"digests": report.digests, "empty": report.skipped, "proofs": report.proofs}


@db_periodic_task(crontab(minute="7"))
def escalate_late_requests() -> dict[str, int]:
    return clocks_run()


@db_periodic_task(crontab(minute="*/5"))
def send_leader_digest() -> dict[str, int]:
    return digest_run()
