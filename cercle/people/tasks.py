"""Worker jobs of the people app (huey finds them here): the introductions' reminders and expiry, and
the nightly matchmaking."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from cercle.people.introductions.tasks import introductions_sweep
from cercle.people.matchmaking import matches_refresh

__all__ = ["introductions_sweep", "matches_nightly"]


@db_periodic_task(crontab(minute="41", hour="3"))
def matches_nightly() -> int:
    """New matchmaking suggestions, each night: needs and offers written during the day."""
    return matches_refresh().created
