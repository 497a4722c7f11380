"""Worker jobs of the projects: the leader's weekly status mail (leader_mail.py)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from cercle.core.leases import LeaseHeld, lease_hold
from cercle.projects.leader_mail import weekly_status_queue


@db_periodic_task(crontab(minute="17"))
def weekly_status() -> dict[str, int]:
    """Every hour: the first run after the week ends queues its mail; later runs find it queued (the
    outbox's key), and one that missed Monday (a stopped worker) catches up. One run at a time."""
    try:
        with lease_hold("projects-weekly-status"):
            return weekly_status_queue()
    except LeaseHeld:
        return {}
