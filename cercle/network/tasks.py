"""Worker jobs of the network: fold new exchanges into relationship strength."""

from __future__ import annotations

import time

from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from cercle.core.leases import LeaseHeld, lease_hold
from cercle.network.models import Contact
from cercle.network.search import search_index, search_strongest_refresh
from cercle.network.strength import strength_fold

FOLD_EVERY_SECONDS = 2.0
_last_fold = 0.0


def fold_soon() -> None:
    """Called after a transaction that recorded interactions commits; at most one run every few seconds
    during a large import (the periodic run below catches the rest)."""
    global _last_fold
    now = time.monotonic()
    if not HUEY.immediate and now - _last_fold < FOLD_EVERY_SECONDS:
        return
    _last_fold = now
    fold_pending()


@db_task()
def fold_pending() -> int:
    """Fold new exchanges into strength, then refresh the search text of the people of the network they
    touched ("who can do X?" reads the subjects of their exchanges) and who the strongest people are
    (`search_index` does; without new exchanges too: the noise rules may have moved someone)."""
    try:
        with lease_hold("network-fold"):
            touched: set[int] = set()
            done = strength_fold(touched=touched)
            ids = sorted(touched)
            for start in range(0, len(ids), 2000):
                search_index(Contact.objects.filter(pk__in=ids[start : start + 2000], in_network=True))
            if not ids:
                search_strongest_refresh()
            return done
    except LeaseHeld:
        return 0


@db_periodic_task(crontab(minute="*"))
def fold_periodically() -> int:
    return fold_pending.call_local()
