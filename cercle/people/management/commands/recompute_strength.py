"""`cercle recompute_strength`: rebuild every relationship strength from the exchanges (after changing
the weights, or to check the incremental fold). Memory stays bounded whatever the size of the network."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cercle.network.search import search_strongest_refresh
from cercle.network.strength import strength_recompute


class Command(BaseCommand):
    help = "Rebuild every contact's relationship strength from all their interactions."

    def handle(self, *args: Any, **options: Any) -> None:
        def progress(done: int) -> None:
            self.stderr.write(f"\r{done} contacts…", ending="")

        total = strength_recompute(progress=progress)
        # Who the strongest people are may have changed: "who can do X?" searches them first.
        search_strongest_refresh()
        self.stderr.write("")
        self.stdout.write(f"{total} contacts recomputed.")
