"""Worker jobs of the people app (huey finds them here): the introductions' reminders and expiry."""

from cercle.people.introductions.tasks import introductions_sweep

__all__ = ["introductions_sweep"]
