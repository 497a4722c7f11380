"""`cercle import PATH…`: import .eml files, mbox files and Maildir folders, idempotently."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from cercle.circulation.models import Direction
from cercle.intake.files import ImportSummary, count_messages, import_path

STATUSES = ("created", "attached", "stored", "duplicate", "skipped", "failed")


ANALYZE_AFTER = 1000  # messages
ANALYZED_MAIL_COLUMNS = (
    "id",
    "message_id",
    "in_reply_to",
    "direction",
    "from_email",
    "sent_at",
    "created_at",
    "request_id",
    "kind",
    "same_id_as_id",
)


class Command(BaseCommand):
    help = "Import mail from .eml files, mbox files or Maildir folders. Safe to run again (Message-ID)."
    # Django's system checks import every page's code to check the URLs: 0.6-0.9 s before the first
    # message, for a command that serves no page. `cercle check` and the app's start still run them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument("--show-skipped", type=int, default=20, help="How many skipped messages to list.")
        parser.add_argument(
            "--direction",
            choices=("auto", "received", "sent"),
            default="auto",
            help="sent: the leader's sent mail (never creates requests); auto: sent folders and mail from "
            "a leader's address are sent, the rest received.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(file=self.stdout, force_terminal=False)
        for path in options["paths"]:
            if not path.exists():
                raise CommandError(f"{path}: no such file or folder")
        total = ImportSummary()
        direction = {"auto": None, "received": Direction.INBOUND, "sent": Direction.OUTBOUND}[
            options["direction"]
        ]
        for path in options["paths"]:
            expected = count_messages(path)
            with Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=console,
                transient=False,
            ) as progress:
                task = progress.add_task(str(path.name or path), total=expected)
                summary = import_path(
                    path, direction=direction, on_message=lambda _w, _s, t=task: progress.advance(t)
                )
            total.counts.update(summary.counts)
            total.skipped.extend(summary.skipped)
            total.kept_apart.extend(summary.kept_apart)
            total.quarantined += summary.quarantined
        if connection.vendor == "postgresql" and total.total >= ANALYZE_AFTER:
            # Fresh statistics after a large load: else the planner may not know the mail is worth
            # its full-text index yet (until autovacuum comes by, if it does). The mail's columns by
            # name: the table's size and the columns its queries filter on; not the expression of
            # the full-text index, whose statistics meant computing 30,000 documents again (4.4 s of
            # a 20,000-message import, measured) while its searches are planned as well without.
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE intake_message ({', '.join(ANALYZED_MAIL_COLUMNS)})")
                cursor.execute("ANALYZE circulation_request, network_contact, network_interaction")
        table = Table(title="Import summary")
        table.add_column("result")
        table.add_column("messages", justify="right")
        for key in STATUSES:
            table.add_row(key, str(total.counts.get(key, 0)))
        console.print(table)
        for where, why in total.skipped[: options["show_skipped"]]:
            console.print(f"skipped {where}: {why}")
        if total.skipped:
            console.print(
                f"{len(total.skipped)} not imported; {total.quarantined} newly kept in quarantine "
                "(`cercle reparse --quarantine` takes them again after a fix)"
            )
        for where in total.kept_apart[: options["show_skipped"]]:
            console.print(f"kept apart {where}: a different message already had its Message-ID")
        # One stable line for scripts and the benchmark (new statuses go at its end).
        self.stdout.write(
            "import: {total} messages, {created} new requests, {attached} replies attached, "
            "{duplicate} duplicates, {skipped} skipped, {stored} stored without a request, "
            "{failed} failed, {apart} kept apart (same Message-ID, other content)".format(
                total=total.total,
                apart=len(total.kept_apart),
                **{k: total.counts.get(k, 0) for k in STATUSES},
            )
        )
