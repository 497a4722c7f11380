"""Worker jobs: suggestions for new requests, and retraining on the second's decisions."""

from __future__ import annotations

import time

from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from cercle.core.leases import LeaseHeld, lease_hold
from cercle.triage import services

# During a large import, one background run a second handles every request committed meanwhile;
# the periodic sweep below catches whatever arrives after the last one.
SOON_EVERY_SECONDS = 1.0
_last_soon = 0.0


def suggest_soon() -> None:
    """Intake calls this after a transaction that created requests commits (`transaction.on_commit`)."""
    global _last_soon
    now = time.monotonic()
    if not HUEY.immediate and now - _last_soon < SOON_EVERY_SECONDS:
        return
    _last_soon = now
    suggest_pending()


@db_task()
def suggest_pending() -> int:
    try:
        # One run at a time across workers: a lease that dies with its process (core/leases.py).
        with lease_hold("triage-suggest"):
            done = total = services.suggestions_compute_pending()
            while done:
                done = services.suggestions_compute_pending()
                total += done
            return total
    except LeaseHeld:
        return 0


@db_periodic_task(crontab(minute="*"))
def suggest_sweep() -> int:
    """Safety net: requests that arrived while no trigger ran (or before the triage was installed)."""
    return int(suggest_pending.call_local())


@db_task()
def retrain(force: bool = False) -> str:
    try:
        with lease_hold("triage-retrain"):
            run = services.model_retrain(force=force)
    except LeaseHeld:
        return "a retraining is already running"
    return "nothing new" if run is None else f"{run.status} ({run.decisions} decisions)"


@db_periodic_task(crontab(minute="17"))
def retrain_hourly() -> str:
    return str(retrain.call_local(force=False))
