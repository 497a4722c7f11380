"""`cercle import_linkedin PATH [--since-days N]`: import a LinkedIn data export, idempotently."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from cercle.intake.linkedin.export import ExportError, read_export
from cercle.intake.linkedin.services import DEFAULT_SINCE_DAYS, linkedin_export_import


class Command(BaseCommand):
    help = (
        "Import a LinkedIn data export (the ZIP, its folder, or one of its CSV files): contacts, "
        "interactions, and requests for recent inbound messages. Safe to run again."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--since-days",
            type=int,
            default=DEFAULT_SINCE_DAYS,
            help=(
                "Only messages from the last N days create or join requests; older ones only record "
                f"contacts and interactions (default {DEFAULT_SINCE_DAYS})."
            ),
        )
        parser.add_argument("--show-skipped", type=int, default=20, help="How many skipped rows to list.")

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(file=self.stdout, force_terminal=False)  # type: ignore[arg-type]
        path: Path = options["path"]
        if not path.exists():
            raise CommandError(f"{path}: no such file or folder")
        if options["since_days"] < 0:
            raise CommandError("--since-days must be 0 or more")
        try:
            export = read_export(path)
        except ExportError as exc:
            raise CommandError(f"{path}: {exc}") from exc
        since = timezone.now() - timedelta(days=options["since_days"])
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=False,
        ) as progress:
            task = progress.add_task(str(path.name or path), total=export.rows)
            summary = linkedin_export_import(
                export=export, since=since, on_row=lambda: progress.advance(task)
            )
        table = Table(title="LinkedIn import summary")
        table.add_column("result")
        table.add_column("count", justify="right")
        for key, _label, count in summary.rows():
            table.add_row(key, str(count))
        console.print(table)
        console.print(f"files: {', '.join(summary.files)}")
        console.print(
            f"owner: {summary.owner or 'unknown'}; requests only for messages since {since:%Y-%m-%d}"
        )
        for where, why in summary.skipped[: options["show_skipped"]]:
            console.print(f"skipped {where}: {why}")
        self.stdout.write(
            "import_linkedin: {contacts_created} contacts created, {contacts_updated} completed, "
            "{interactions} interactions, {requests_created} new requests, {messages_attached} messages "
            "attached, {messages_duplicate} duplicates, {skipped} skipped".format(
                **{key: summary.counts.get(key, 0) for key, _l, _c in summary.rows()}
            )
        )
