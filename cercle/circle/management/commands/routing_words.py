"""`cercle routing_words`: build again the words routing stores for every active circle member (after a
bulk import, a contact merged or an organisation renamed: what the audit trail does not show; see
`cercle/circle/words.py`)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cercle.accounts.models import Role, User
from cercle.circle.words import member_words_refresh


class Command(BaseCommand):
    help = "Rebuild the words routing stores for each active circle member."

    def handle(self, *args: Any, **options: Any) -> None:
        ids = list(User.objects.filter(role=Role.MEMBER, is_active=True).values_list("pk", flat=True))
        member_words_refresh(member_ids=ids)
        self.stdout.write(f"{len(ids)} members' routing words rebuilt.")
