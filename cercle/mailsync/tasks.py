"""Worker jobs: every minute, sync the accounts that are due; one sync per account at a time; the
mailbox page's connection tests; and, for as long as a worker runs, listening to the inboxes (listen.py)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from cercle.core.leases import LeaseHeld, lease_hold
from cercle.mailsync.listen import listeners_start, listeners_stop
from cercle.mailsync.models import MailAccount
from cercle.mailsync.probe import connection_test_run
from cercle.mailsync.sync import sync_account, sync_lease_name


@db_task()
def sync_mail_account(account_id: int) -> dict[str, object]:
    account = MailAccount.objects.filter(pk=account_id).first()
    if account is None:
        return {"error": "no such account"}
    try:
        # A lease in the database, renewed while the sync runs: a killed worker's expires (core/leases.py).
        with lease_hold(sync_lease_name(account_id)):
            report = sync_account(account)
    except LeaseHeld:
        return {"skipped": "a sync of this account is already running"}
    return {"counts": dict(report.counts), "error": str(report.error)}


@db_task()
def check_mail_connection(test_id: int) -> str:
    """A press of "Test the connection" (probe.py): here, so that no web thread waits for a server."""
    return connection_test_run(test_id=test_id)


# Every huey consumer (`cercle worker`, the worker inside `cercle run`, `run_huey`) listens to the inboxes
# while it runs. Huey calls these in each worker thread: the listeners start once per process.
HUEY.on_startup("mail-listen")(listeners_start)
HUEY.on_shutdown("mail-listen")(listeners_stop)


@db_periodic_task(crontab(minute="*"))
def sync_due_accounts() -> list[int]:
    minutes = settings.CERCLE["MAIL_SYNC_MINUTES"]
    # Due when the last sync *ended* more than the period ago, less half a tick: a sync that ended a few
    # seconds after its tick (it waited in the queue, it had mail to fetch) must not make the next tick
    # skip the account, which doubled the wait to two minutes. A listener's syncs count too.
    due_before = timezone.now() - timedelta(minutes=minutes) + timedelta(seconds=30)
    due = list(
        MailAccount.objects.filter(enabled=True)
        .filter(Q(last_sync_at__isnull=True) | Q(last_sync_at__lte=due_before))
        .values_list("pk", flat=True)
    )
    for pk in due:
        sync_mail_account(pk)
    return due
