"""What one import remembers across its messages: the hub's own addresses, the contacts it met, the
Message-IDs of the batch it is writing (looked up in one query). Built once per import."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.conf import settings

from cercle.accounts.models import Role, User
from cercle.circulation.models import Message
from cercle.intake.models import IntakeSettings
from cercle.mail.attachments import attachments_root
from cercle.network.models import Contact, Interaction
from cercle.network.services import interaction_record_many, normalize_email

_CONTACT_CACHE_SIZE = 10_000


def _receipt_since() -> datetime | None:
    hub = IntakeSettings.current()
    return hub.first_mail_receipt_since if hub.first_mail_receipt else None


class _ContactCache:
    """The most recently used contacts of one import, by address: most mail comes from few people."""

    def __init__(self, size: int = _CONTACT_CACHE_SIZE) -> None:
        self.size = size
        self._items: OrderedDict[str, Contact] = OrderedDict()

    def get(self, email: str) -> Contact | None:
        contact = self._items.get(email)
        if contact is not None:
            self._items.move_to_end(email)
        return contact

    def remember(self, contacts: list[Contact]) -> None:
        for contact in contacts:
            if contact.email:
                self._items[contact.email] = contact
                self._items.move_to_end(contact.email)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def clear(self) -> None:
        self._items.clear()


@dataclass
class IngestContext:
    """What an import reads once instead of once per message.

    Build it with `IngestContext.load()` at the start of an import and pass it to every
    `message_ingest`. It remembers contacts and the Message-IDs it looked up or stored, each once its
    message's savepoint is released: a caller that commits batches calls `end_batch()` after each
    commit (so the look-ups stay small), and `forget()` when its own transaction rolls back (the rows
    it remembered are gone).
    """

    hub_addresses: frozenset[str]  # every user's address and the hub's own: never a correspondent
    leader_addresses: frozenset[str]
    max_recipients: int
    max_attachment_bytes: int
    attachment_root: Path
    orphans_possible: bool  # some stored message without a request names a parent: worth adopting
    # Mail dated from then on may get the receipt for a first mail (intake/receipts.py): when the hub
    # turned it on, None when it is off or for an import of files (old mail is never answered).
    first_mail_receipt_since: datetime | None = None
    contacts: _ContactCache = field(default_factory=_ContactCache)
    # None: each message writes its interactions at once. A list: they are collected here and the
    # caller writes them in one statement with `flush()` before committing (the file import does).
    pending_interactions: list[Interaction] | None = None
    # Message-IDs already looked up in this batch (`prefetch`), and the request of those found.
    checked: set[str] = field(default_factory=set)
    known: dict[str, int | None] = field(default_factory=dict)

    @classmethod
    def load(cls, *, live: bool = True) -> IngestContext:
        """`live`: mail arriving now (the mailbox sync), which may get a receipt; an import of files
        passes False."""
        hub: set[str] = set()
        leaders: set[str] = set()
        for email, role in User.objects.exclude(email="").values_list("email", "role"):
            hub.add(normalize_email(email))
            if role == Role.LEADER:
                leaders.add(normalize_email(email))
        # The leader's aliases, an assistant writing on the leader's behalf: the hub's own, and their
        # mail is mail the hub sent.
        for alias in IntakeSettings.current().alias_list:
            hub.add(alias)
            leaders.add(alias)
        for configured in (settings.DEFAULT_FROM_EMAIL, settings.SERVER_EMAIL):
            address = str(configured).rpartition("<")[2].strip(" >")
            if "@" in address:
                hub.add(normalize_email(address))
        return cls(
            hub_addresses=frozenset(hub),
            leader_addresses=frozenset(leaders),
            max_recipients=settings.CERCLE["INTERACTION_MAX_RECIPIENTS"],
            max_attachment_bytes=settings.CERCLE["MAX_ATTACHMENT_BYTES"],
            attachment_root=attachments_root(),
            orphans_possible=Message.objects.filter(request__isnull=True, in_reply_to__gt="").exists(),
            first_mail_receipt_since=_receipt_since() if live else None,
        )

    def forget(self) -> None:
        """The caller's transaction rolled back: what was remembered from it is gone."""
        self.contacts.clear()
        self.end_batch()
        if self.pending_interactions is not None:
            self.pending_interactions = []

    def prefetch(self, message_ids: list[str]) -> None:
        """Look up many Message-IDs in one query (a batch of an import), before ingesting them."""
        wanted = [i for i in dict.fromkeys(message_ids) if i not in self.checked]
        for start in range(0, len(wanted), 500):  # SQLite's limit on query parameters
            chunk = wanted[start : start + 500]
            self.known.update(
                Message.objects.filter(message_id__in=chunk).values_list("message_id", "request_id")
            )
            self.checked.update(chunk)

    def lookup(self, message_ids: list[str]) -> dict[str, int | None]:
        """The stored messages among these ids, with their request (None: stored without one)."""
        self.prefetch(message_ids)
        return {i: self.known[i] for i in message_ids if i in self.known}

    def end_batch(self) -> None:
        """Committed (or rolled back): the next batch looks again."""
        self.checked.clear()
        self.known.clear()

    def flush(self) -> None:
        if self.pending_interactions:
            interaction_record_many(interactions=self.pending_interactions)
            self.pending_interactions = []
