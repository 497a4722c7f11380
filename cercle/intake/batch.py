"""What one batch of an import writes, held until the batch ends and then written in a few statements.

`message_ingest` decides message by message, exactly as it does alone; with a `PendingWrites` on its
context (the file import, the mailbox sync's large fetches) it adds the rows it would have written to
these lists instead: new contacts, new requests with their creation event, messages, message events,
ties. `flush()` writes them in dependency order (contacts, requests, events, messages), each kind in a
few multi-row INSERTs, inside the caller's transaction: the batch commits whole or not at all, so an
import killed at any moment stores each message once or not yet (a new run takes the rest).

A later message of the same batch sees what an earlier one decided: the pending Message-IDs (a reply
joins the request its parent created), the pending requests (a same-subject reply), the pending contacts
(cached by address like stored ones).

A large import decides a batch while the previous one is being written (intake/files.py): such a batch's
writes are `ahead`. It sees the previous batch as written (its Message-IDs, requests and contacts are
carried over), and anything that would need it really written first (a mid-batch flush: a LinkedIn
member looked up, a Message-ID met again) raises `NotAhead`: the batch is then decided again once the
previous one has committed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction

from cercle.circulation.models import Event, Message, Request
from cercle.circulation.services import events_save_many, requests_save_many
from cercle.core.bulk import instance_new, keys_reserve, objects_insert
from cercle.network.models import Contact, Identity, IdentityKind
from cercle.network.services import contact_fill_from_signature
from cercle.network.ties import ties_record_many
from cercle.triage.tasks import suggest_soon


class NotAhead(Exception):
    """This batch cannot be decided before the previous one is written (`PendingWrites.ahead`)."""


def held_elsewhere(contact: Contact) -> bool:
    """A contact whose row is written, or will be by a batch already decided (not by the one at hand):
    a change to it is an UPDATE at flush, not a value of its INSERT."""
    return contact.pk is not None or getattr(contact, "_sealed", False)


@dataclass
class PendingWrites:
    contacts: list[Contact] = field(default_factory=list)
    identities: list[Identity] = field(default_factory=list)
    requests: list[tuple[Request, Event]] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    # Pending messages by Message-ID, and the pending requests by (requester's address, subject key),
    # for the later messages of the batch.
    by_message_id: dict[str, Message] = field(default_factory=dict)
    by_subject: dict[tuple[int, str], list[tuple[datetime, Request]]] = field(default_factory=dict)
    ties: list[tuple[str, Contact | None, list[Contact], datetime]] = field(default_factory=list)
    # Existing contacts whose blank name or organisation a message fills (written at flush), by id().
    filled: dict[int, Contact] = field(default_factory=dict)
    # Their blank phone or position from a signature: (contact, phone, position), written at flush.
    signatures: list[tuple[Contact, str, str]] = field(default_factory=list)
    # Decided while the previous batch is written (intake/files.py): a mid-batch flush is refused.
    ahead: bool = False
    # The requests the previous batch created, by (requester, subject key), while it is being written.
    carried_by_subject: dict[tuple[int, str], list[tuple[datetime, Request]]] = field(default_factory=dict)
    # Messages of the batch stored without a request, by the Message-ID they answer (a parent later in
    # the batch adopts them), and stored ones a message of the batch adopts: (Message-IDs, request).
    orphans_by_parent: dict[str, list[Message]] = field(default_factory=dict)
    adoptions: list[tuple[list[str], int | Request]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(
            self.contacts
            or self.requests
            or self.events
            or self.messages
            or self.ties
            or self.filled
            or self.signatures
            or self.adoptions
        )

    # --- Collecting ------------------------------------------------------------------------------

    def contact_new(self, contact: Contact, names: list[str]) -> None:
        self.contacts.append(contact)
        self.identities.append(
            instance_new(Identity, contact=contact, kind=IdentityKind.EMAIL, value=contact.email)
        )
        for name in dict.fromkeys(" ".join(n.split())[:300] for n in names):
            if name:
                self.identities.append(
                    instance_new(Identity, contact=contact, kind=IdentityKind.NAME, value=name)
                )

    def request_new(self, request: Request, event: Event, *, requester: int, subject_key: str) -> None:
        self.requests.append((request, event))
        if subject_key:
            self.by_subject.setdefault((requester, subject_key), []).append((request.received_at, request))

    def message_add(self, message: Message) -> None:
        self.messages.append(message)
        self.by_message_id[message.message_id] = message
        if _orphan(message):
            self.orphans_by_parent.setdefault(message.in_reply_to, []).append(message)

    def mark(self) -> tuple[int, ...]:
        """Where the lists stand, to take back one message's rows if it fails half-way (`rewind`)."""
        return (
            len(self.contacts),
            len(self.identities),
            len(self.requests),
            len(self.events),
            len(self.messages),
            len(self.ties),
            len(self.adoptions),
            len(self.signatures),
        )

    def rewind(self, mark: tuple[int, ...]) -> None:
        contacts, identities, requests, events, messages, ties, adoptions, signatures = mark
        del self.contacts[contacts:], self.identities[identities:], self.requests[requests:]
        del self.events[events:], self.messages[messages:], self.ties[ties:], self.adoptions[adoptions:]
        del self.signatures[signatures:]
        self.by_message_id = {m.message_id: m for m in self.messages}
        kept = {id(request) for request, _event in self.requests}
        self.by_subject = {
            key: [(at, r) for at, r in found if id(r) in kept or r.pk is not None]
            for key, found in self.by_subject.items()
        }
        self.orphans_by_parent = {}
        for message in self.messages:
            if _orphan(message):
                self.orphans_by_parent.setdefault(message.in_reply_to, []).append(message)

    def seal(self) -> None:
        """Decided ahead and handed to the writer: its new contacts belong to a written batch from now
        on (a later batch fills their blanks with an UPDATE, `held_elsewhere`)."""
        self.ahead = False
        for contact in self.contacts:
            contact._sealed = True  # type: ignore[attr-defined]

    # --- Writing ---------------------------------------------------------------------------------

    def flush(self) -> None:
        """Write everything collected, in the caller's transaction, and start empty. (A row that points
        to a pending one takes its key as it is written: Django copies a related object's new key.)"""
        if self.ahead:
            raise NotAhead
        if not self:
            return
        for contact, key in zip(self.contacts, keys_reserve(Contact, len(self.contacts)), strict=True):
            contact.pk = key
        objects_insert(self.contacts)
        objects_insert(self.identities, ignore_conflicts=True)
        for contact in self.filled.values():
            Contact.objects.filter(pk=contact.pk, name="").update(name=contact.name)
            Contact.objects.filter(pk=contact.pk, organisation="").update(organisation=contact.organisation)
        for contact, phone, position in self.signatures:
            contact_fill_from_signature(contact, phone=phone, position=position)
        requests_save_many(self.requests)
        events_save_many(self.events)
        objects_insert(self.messages)
        for message_ids, request in self.adoptions:
            key = request.pk if isinstance(request, Request) else request
            Message.objects.filter(message_id__in=message_ids, request__isnull=True).update(request_id=key)
        if self.ties:
            ties_record_many(self.ties)
        if self.requests:
            transaction.on_commit(suggest_soon)
        # Written: the lists start empty. The requests stay findable by subject for the rest of the
        # batch (they have their keys now; the batch's look-up of stored requests predates them).
        by_subject = self.by_subject
        self.clear()
        self.by_subject = by_subject

    def clear(self) -> None:
        """Forget everything collected (written, or rolled back with the caller's transaction)."""
        self.contacts, self.identities, self.requests, self.events, self.messages = [], [], [], [], []
        self.by_message_id, self.by_subject, self.ties, self.filled = {}, {}, [], {}
        self.signatures = []
        self.orphans_by_parent, self.adoptions = {}, []


def _orphan(message: Message) -> bool:
    """Stored without a request (not even a pending one), though it answers a message."""
    pending = Message.request.is_cached(message) and message.request is not None
    return bool(message.in_reply_to) and message.request_id is None and not pending
