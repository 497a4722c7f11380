"""`cercle recompute_strength`: rebuild every relationship strength from the exchanges (after changing
the weights, or to check the incremental fold). Memory stays bounded whatever the size of the network.
`--search` also rebuilds every person's search text (after an upgrade that changes what it holds)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cercle.network.models import Contact
from cercle.network.search import search_index, search_strongest_refresh
from cercle.network.strength import strength_recompute


class Command(BaseCommand):
    help = "Rebuild every contact's relationship strength from all their interactions."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--search", action="store_true", help="also rebuild every person's 'who can do X?' search text"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        def progress(done: int) -> None:
            self.stderr.write(f"\r{done} contacts…", ending="")

        total = strength_recompute(progress=progress)
        if options["search"]:
            self._search_rebuild()
        # Who the strongest people are may have changed: "who can do X?" searches them first.
        search_strongest_refresh()
        self.stderr.write("")
        self.stdout.write(f"{total} contacts recomputed.")

    def _search_rebuild(self) -> None:
        """Every person's search text, in slices of 2,000 (bounded memory), with progress."""
        ids = list(
            Contact.objects.filter(merged_into__isnull=True).order_by("pk").values_list("pk", flat=True)
        )
        for start in range(0, len(ids), 2000):
            search_index(Contact.objects.filter(pk__in=ids[start : start + 2000]))
            self.stderr.write(f"\r{min(start + 2000, len(ids))} search texts…", ending="")
        self.stdout.write(f"Search texts rebuilt: {len(ids)}.")
