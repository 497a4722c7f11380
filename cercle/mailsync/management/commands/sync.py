"""`cercle sync [--account NAME]`: synchronise mail accounts now, in the foreground, with progress."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from cercle.core.leases import LeaseHeld, lease_hold
from cercle.mailsync.models import MailAccount
from cercle.mailsync.sync import sync_account, sync_lease_name


class Command(BaseCommand):
    help = "Fetch new mail from the IMAP accounts (all enabled ones, or --account). Safe to interrupt."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--account", help="Account name or id (default: every enabled account).")
        parser.add_argument(
            "--limit", type=int, default=None, help="At most this many new messages per folder."
        )
        parser.add_argument("--quiet", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(file=self.stdout, force_terminal=False)
        accounts = MailAccount.objects.filter(enabled=True)
        if options["account"]:
            key = options["account"]
            accounts = MailAccount.objects.filter(Q(name=key) | Q(pk=int(key) if key.isdigit() else None))
            if not accounts.exists():
                raise CommandError(f"no mail account named {key!r}")
        failed = False
        for account in accounts:
            with Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=console,
                disable=options["quiet"],
            ) as progress:
                task = progress.add_task(account.name, total=None)

                def advance(done: int, total: int, task: Any = task) -> None:
                    progress.update(task, completed=done, total=total)

                try:
                    with lease_hold(sync_lease_name(account.pk)):
                        report = sync_account(account, progress=advance, limit=options["limit"])
                except LeaseHeld as held:
                    self.stdout.write(
                        f"sync {account.name}: already running in {held.owner} since "
                        f"{held.since:%Y-%m-%d %H:%M:%S}; not started"
                    )
                    continue
            counts = (
                ", ".join(f"{n} {status}" for status, n in sorted(report.counts.items())) or "nothing new"
            )
            if report.error:
                failed = True
                self.stderr.write(f"sync {account.name}: {report.error}")
            self.stdout.write(f"sync {account.name}: {counts}")
        if failed:
            raise CommandError("some accounts could not be synchronised")
