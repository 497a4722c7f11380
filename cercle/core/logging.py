"""Logging helpers wired in `config/settings.py`."""

from __future__ import annotations

import logging


class RefusalsInOneLine(logging.Filter):
    """A refused request (403) or a page not found (404) is one line in the log, not a traceback.

    Django logs them with the exception attached; every role check that says no would otherwise bury
    the real errors under tracebacks. Server errors (5xx) keep theirs.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "django.request" and getattr(record, "status_code", 500) < 500:
            record.exc_info = None
            record.exc_text = None
        return True
