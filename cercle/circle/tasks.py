"""Worker jobs of the circle: offers not answered in time move on to the next member."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from cercle.circle import services
from cercle.core.leases import LeaseHeld, lease_hold


@db_periodic_task(crontab(minute="*"))
def expire_offers() -> int:
    """Every minute. One run at a time across workers (a lease that dies with its process); even two at
    once would close each offer once: the service closes offers with conditional updates under the
    request's row lock, and its mails have idempotency keys."""
    try:
        with lease_hold("circle-offers-expire"):
            return services.offers_expire()
    except LeaseHeld:
        return 0
