"""`cercle export ties [--at YYYY-MM-DD]` and `cercle export contacts [--format csv|vcard]`: to standard
output, streamed."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from cercle.network.exports import contacts_csv, contacts_vcard, ties_csv
from cercle.network.models import Contact


class Command(BaseCommand):
    help = (
        "Write the leader's ties (email,name,score,layer, strongest first; --at: as they were on that date, "
        "counting only earlier exchanges) or the network's contacts (CSV or vCard) to standard output."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["ties", "contacts"])
        parser.add_argument("--at", help="YYYY-MM-DD: the ties as they were at the start of that day")
        parser.add_argument("--format", choices=["csv", "vcard"], default="csv")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["what"] == "ties":
            at = timezone.now()
            if options["at"]:
                try:
                    day = datetime.strptime(options["at"], "%Y-%m-%d").date()
                except ValueError:
                    raise CommandError(f"--at wants a date as YYYY-MM-DD, not {options['at']!r}") from None
                at = timezone.make_aware(datetime.combine(day, time.min))
            lines = ties_csv(at=at, layer_sizes=settings.CERCLE["NETWORK"]["LAYERS"])
        else:
            contacts = Contact.objects.filter(in_network=True, merged_into__isnull=True).order_by(
                "-rank_key", "pk"
            )
            rows = contacts.iterator(chunk_size=2000)
            lines = contacts_vcard(rows) if options["format"] == "vcard" else contacts_csv(rows)
        for line in lines:
            self.stdout.write(line, ending="")
