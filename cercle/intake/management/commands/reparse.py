"""`cercle reparse`: read stored messages again from their raw bytes (after a parser improvement)."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from cercle.circulation.models import Message
from cercle.intake.models import QuarantinedMessage
from cercle.intake.quarantine import quarantine_retry
from cercle.intake.reparse import messages_reparse


class Command(BaseCommand):
    help = (
        "Parse stored messages again from their raw bytes and update their text, HTML, kind, date and "
        "attachments. Requests, threads and decisions are not touched. Safe to interrupt and run again."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--request", type=int, help="Only the messages of this request (its number).")
        parser.add_argument("--since", help="Only messages imported on or after this day (YYYY-MM-DD).")
        parser.add_argument("--show-failed", type=int, default=20, help="How many failures to list.")
        parser.add_argument(
            "--quarantine",
            action="store_true",
            help="Instead, import again the messages an import could not take (kept in quarantine).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["quarantine"]:
            waiting = QuarantinedMessage.objects.count()
            counts = quarantine_retry()
            self.stdout.write(
                f"reparse: {waiting} quarantined messages, {counts['taken']} imported, "
                f"{counts['still quarantined']} still quarantined"
            )
            return
        messages = Message.objects.exclude(raw_compressed=None)
        if options["request"] is not None:
            messages = messages.filter(request_id=options["request"])
        if options["since"]:
            try:
                day = datetime.strptime(options["since"], "%Y-%m-%d").date()
            except ValueError as exc:
                raise CommandError(f"--since {options['since']}: expected a day as YYYY-MM-DD") from exc
            messages = messages.filter(created_at__gte=timezone.make_aware(datetime.combine(day, time.min)))
        console = Console(file=self.stdout, force_terminal=False)
        with Progress(
            TextColumn("[bold]reparse"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=console,
        ) as progress:
            task = progress.add_task("reparse", total=messages.count())
            summary = messages_reparse(messages=messages, on_message=lambda _o: progress.advance(task))
        for message_id, error in summary.failed[: options["show_failed"]]:
            console.print(f"failed {message_id}: {error}")
        counts = summary.counts
        self.stdout.write(
            f"reparse: {summary.total} messages, {counts['updated']} updated, "
            f"{counts['unchanged']} unchanged, {counts['failed']} failed"
        )
