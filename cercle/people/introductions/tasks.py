"""Worker job of introductions: one reminder to a silent connector, then expiry."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from cercle.people.introductions.services import introductions_remind_and_expire


@db_periodic_task(crontab(minute="17"))
def introductions_sweep() -> int:
    report = introductions_remind_and_expire()
    return report.reminded + report.expired
