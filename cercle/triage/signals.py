"""A new request gets its suggestion in the background, after the intake's transaction commits (the
message rows are written after the request, in the same transaction)."""

from __future__ import annotations

import time
from typing import Any

from django.db import transaction

_last_trigger = 0.0
# During a large import, one background run every second handles every request committed meanwhile;
# the worker's periodic sweep catches whatever arrives after the last one.
TRIGGER_EVERY_SECONDS = 1.0


def request_created(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if not created or raw:
        return
    transaction.on_commit(_trigger)


def _trigger() -> None:
    global _last_trigger
    from huey.contrib.djhuey import HUEY

    from cercle.triage import tasks

    now = time.monotonic()
    if not HUEY.immediate and now - _last_trigger < TRIGGER_EVERY_SECONDS:
        return
    _last_trigger = now
    tasks.suggest_pending()
