"""Writing a LinkedIn export into the hub: contacts, interactions, and requests for new inbound messages.

Rules (docs/subsystems/linkedin.md):
- Connections and invitations create or complete contacts (by LinkedIn URL, else e-mail, else name)
  and record an interaction at their date.
- Every message records an interaction with the other party (the sender when it came in, the
  recipients when the owner sent it).
- Only messages sent on or after `since` (by default 90 days before the import) reach the triage
  queue: an inbound message opens a request (channel LinkedIn) unless its conversation already has
  one, in which case it joins it; an outbound message joins its conversation's request, never opens
  one. Older messages only feed contacts and interactions: a first import must not flood the second
  with years of history.
- Idempotent: each message has a stable synthetic Message-ID (conversation, date, sender, text), each
  interaction a stable source key; importing the same or a newer overlapping export adds only what
  is new.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import islice
from typing import Any, TypeVar

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from cercle.accounts.models import User
from cercle.accounts.permissions import TRIAGE_ROLES, require_role
from cercle.circulation.models import Channel, Direction, EventKind, Message, Request
from cercle.circulation.services import event_record
from cercle.core.notes import Note
from cercle.core.text import guess_language, snippet
from cercle.intake.linkedin.export import (
    ExportConnection,
    ExportInvitation,
    ExportMessage,
    LinkedInExport,
    Owner,
    Person,
    find_owner,
)
from cercle.intake.services import request_open
from cercle.intake.titles import title_from_text
from cercle.network.models import Contact, Interaction, InteractionKind
from cercle.network.services import (
    contact_get_or_create_linkedin,
    interaction_record_many,
    normalize_email,
)

DEFAULT_SINCE_DAYS = 90
BATCH_ROWS = 200  # rows per transaction: a crash loses at most one batch, and a re-run completes it

T = TypeVar("T")

# The summary's counters, in the order they are shown.
COUNTERS = (
    "contacts_created",
    "contacts_updated",
    "interactions",
    "requests_created",
    "messages_attached",
    "messages_duplicate",
    "messages_before_cutoff",
    "messages_without_request",
    "skipped",
)


def counter_labels() -> dict[str, str]:
    return {
        "contacts_created": _("contacts created"),
        "contacts_updated": _("contacts completed"),
        "interactions": _("interactions recorded"),
        "requests_created": _("requests created"),
        "messages_attached": _("messages attached to a request"),
        "messages_duplicate": _("messages already imported"),
        "messages_before_cutoff": _("messages older than the cut-off (interactions only)"),
        "messages_without_request": _("sent messages outside any request (interactions only)"),
        "skipped": _("rows skipped"),
    }


@dataclass
class LinkedInImportSummary:
    since: datetime
    owner: str = ""
    files: list[str] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (where, why)

    def skip(self, where: str, why: str) -> None:
        self.counts["skipped"] += 1
        self.skipped.append((where, why))

    def rows(self) -> list[tuple[str, str, int]]:
        """(key, label, count) for display, every counter, in a fixed order."""
        labels = counter_labels()
        return [(key, labels[key], self.counts.get(key, 0)) for key in COUNTERS]


def default_since(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(days=DEFAULT_SINCE_DAYS)


def linkedin_export_import(
    *,
    export: LinkedInExport,
    since: datetime | None = None,
    actor: User | None = None,
    on_row: Callable[[], None] | None = None,
) -> LinkedInImportSummary:
    """Import a read export. `since`: only messages sent from then on may create or join requests.

    `on_row` is called once per connection, invitation and message (for a progress bar). Rows are
    written in batches of BATCH_ROWS, each row in its own savepoint: a row that fails is reported
    as skipped and the others are kept.
    """
    if actor is not None:
        require_role(actor, TRIAGE_ROLES)
    importer = _Importer(export=export, since=since or default_since(), on_row=on_row)
    importer.run()
    return importer.summary


def _batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


@dataclass
class _Row:
    """What one row did, kept apart until its savepoint is released (then merged, else forgotten)."""

    counts: Counter[str] = field(default_factory=Counter)
    interactions: list[Interaction] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)  # created or completed
    messages: list[str] = field(default_factory=list)  # Message-IDs stored
    after: list[Callable[[], object]] = field(default_factory=list)


class _Importer:
    def __init__(self, *, export: LinkedInExport, since: datetime, on_row: Callable[[], None] | None) -> None:
        self.export = export
        self.since = since
        self.on_row = on_row
        self.owner: Owner = find_owner(export)
        self.summary = LinkedInImportSummary(since=since, owner=self.owner.how, files=list(export.files))
        self.now = timezone.now()
        self.max_chars: int = settings.CERCLE["MAX_BODY_CHARS"]
        self.row = _Row()
        self.contacts: dict[str, Contact] = {}  # Person.key -> contact, for this import
        self.requests: dict[str, Request | None] = {}  # conversation -> its request
        self.conversation_ids: dict[str, list[str]] = {}  # conversation -> its Message-IDs in the export
        # The owner's recent messages in a conversation that has no request yet: they join the
        # request when the other side writes (so that a second import finds them stored).
        self.waiting: dict[str, list[ExportMessage]] = {}
        # What is already stored, loaded once: a re-import then costs almost no queries.
        self.known_messages: set[str] = set()
        self.known_interactions: set[tuple[int, str]] = set()
        self.by_url: dict[str, Contact] = {}
        self.by_email: dict[str, Contact] = {}
        self.pending: list[Interaction] = []  # the batch's new interactions, written at its end

    # -- driving ---------------------------------------------------------------------------

    def run(self) -> None:
        for where, why in self.export.problems:
            self.summary.skip(where, why)
        messages = sorted(self.export.messages, key=lambda m: m.sent_at)  # stable: file order on ties
        for message in messages:
            self.conversation_ids.setdefault(message.conversation, []).append(message.message_id)
        self._load_known(messages)
        rows: list[tuple[Callable[[Any], None], Any]] = [
            *((self._connection, c) for c in self.export.connections),
            *((self._invitation, i) for i in self.export.invitations),
            *((self._message, m) for m in messages),
        ]
        for batch in _batches(rows, BATCH_ROWS):
            with transaction.atomic():
                for handler, item in batch:
                    self.row = _Row()
                    try:
                        with transaction.atomic():
                            handler(item)
                    except Exception as exc:  # one bad row never stops an import; report it
                        self._forget()
                        self.summary.skip(item.where, f"{type(exc).__name__}: {exc}")
                    else:
                        self._keep()
                    if self.on_row:
                        self.on_row()
                interaction_record_many(interactions=self.pending)
                self.pending = []

    def _load_known(self, messages: list[ExportMessage]) -> None:
        ids = [m.message_id for m in messages]
        for chunk in _batches(ids, 500):  # SQLite limits the parameters of one query
            self.known_messages.update(
                Message.objects.filter(message_id__in=chunk).values_list("message_id", flat=True)
            )
        self.known_interactions = set(
            Interaction.objects.filter(source_key__startswith="linkedin:").values_list(
                "contact_id", "source_key"
            )
        )
        for contact in Contact.objects.exclude(linkedin_url="", email=""):
            if contact.linkedin_url:
                self.by_url.setdefault(contact.linkedin_url.lower(), contact)
            if contact.email:
                self.by_email.setdefault(contact.email, contact)

    def _keep(self) -> None:
        row = self.row
        self.summary.counts.update(row.counts)
        self.known_interactions.update((i.contact_id, i.source_key) for i in row.interactions)
        self.pending.extend(row.interactions)
        self.known_messages.update(row.messages)
        for action in row.after:
            action()

    def _forget(self) -> None:
        """The row failed and its savepoint was rolled back: drop what we cached from it."""
        touched = {id(c) for c in self.row.contacts}
        for cache in (self.contacts, self.by_url, self.by_email):
            for key in [k for k, c in cache.items() if id(c) in touched]:
                del cache[key]
        self.requests.clear()

    # -- contacts and interactions ---------------------------------------------------------

    def _contact(self, person: Person, **details: str) -> Contact:
        contact = self.contacts.get(person.key) or self._known_contact(person)
        if contact is not None and not _would_fill(contact, person, details):
            self.contacts[person.key] = contact
            return contact
        contact, status = contact_get_or_create_linkedin(
            linkedin_url=person.url, name=person.name, email=person.email, **details
        )
        if status != "unchanged":
            self.row.counts[f"contacts_{status}"] += 1
            self.row.contacts.append(contact)
        self.contacts[person.key] = contact
        if contact.linkedin_url:
            self.by_url[contact.linkedin_url.lower()] = contact
        if contact.email:
            self.by_email[contact.email] = contact
        return contact

    def _known_contact(self, person: Person) -> Contact | None:
        if person.url:
            return self.by_url.get(person.url.lower())  # unknown URL: the service looks further
        if person.email:
            return self.by_email.get(normalize_email(person.email))
        return None

    def _record(
        self, *, contact: Contact, kind: str, inbound: bool, at: datetime, key: str, subject: str
    ) -> None:
        key = key[:500]
        if (contact.pk, key) in self.known_interactions or any(
            i.contact_id == contact.pk and i.source_key == key for i in self.row.interactions
        ):
            return
        self.row.counts["interactions"] += 1
        self.row.interactions.append(
            Interaction(
                contact=contact, kind=kind, inbound=inbound, at=at, source_key=key, subject=subject[:300]
            )
        )

    # -- rows ------------------------------------------------------------------------------

    def _connection(self, row: ExportConnection) -> None:
        contact = self._contact(row.person, organisation=row.company, position=row.position)
        if row.connected_on is not None:
            # One connection per contact: a later export spelling the date differently changes nothing.
            self._record(
                contact=contact,
                kind=InteractionKind.CONNECTION,
                inbound=True,
                at=row.connected_on,
                key="linkedin:connection",
                subject="",  # the kind says it all; stored text would be in the importer's language
            )

    def _direction(self, declared: str, sender: Person) -> str:
        if declared:
            return declared
        if not self.owner.known:
            return ""
        return "out" if self.owner.is_owner(sender) else "in"

    def _invitation(self, row: ExportInvitation) -> None:
        direction = self._direction(row.direction, row.sender)
        if not direction:
            self.summary.skip(row.where, _unknown_owner())
            return
        other = row.sender if direction == "in" else row.recipient
        if not other:
            self.summary.skip(row.where, _("no other party"))
            return
        self._record(
            contact=self._contact(other),
            kind=InteractionKind.INVITATION,
            inbound=direction == "in",
            at=row.sent_at,
            key=f"linkedin:invitation:{direction}:{row.sent_at:%Y%m%dT%H%M}",
            subject=snippet(row.text, 300),
        )

    def _message(self, message: ExportMessage) -> None:
        direction = self._direction(message.direction, message.sender)
        if not direction:
            self.summary.skip(message.where, _unknown_owner())
            return
        if not message.text:
            self.summary.skip(message.where, _("empty message (an attachment or a deleted message)"))
            return
        inbound = direction == "in"
        others = (
            [message.sender] if inbound else [p for p in message.recipients if not self.owner.is_owner(p)]
        )
        if not others:
            self.summary.skip(message.where, _("no recipient other than the owner"))
            return
        if message.message_id in self.known_messages:
            self.row.counts["messages_duplicate"] += 1
            return
        contacts = [self._contact(person) for person in others]
        for contact in contacts:
            self._record(
                contact=contact,
                kind=InteractionKind.LINKEDIN,
                inbound=inbound,
                at=message.sent_at,
                key=f"linkedin:{message.message_id}",
                subject=_subject(message),
            )
        if message.sent_at < self.since:
            self.row.counts["messages_before_cutoff"] += 1
            return
        request = self._conversation_request(message)
        if request is None and not inbound:
            self.row.counts["messages_without_request"] += 1
            self.waiting.setdefault(message.conversation, []).append(message)
            return
        if request is None:
            request = self._open_request(message, requester=contacts[0])
            # The owner's earlier messages in this conversation now belong to its thread.
            for earlier in self.waiting.get(message.conversation, []):
                self._store(earlier, request=request, inbound=False, from_email="")
                self.row.counts["messages_without_request"] -= 1
                self.row.counts["messages_attached"] += 1
            self.row.after.append(lambda: self.waiting.pop(message.conversation, None))
        else:
            self.row.counts["messages_attached"] += 1
            if inbound:
                event_record(
                    request=request,
                    actor=None,
                    kind=EventKind.MESSAGE,
                    note=Note(
                        gettext_noop("New LinkedIn message from %(name)s"), name=contacts[0].display_name
                    ),
                )
        self._store(
            message, request=request, inbound=inbound, from_email=contacts[0].email if inbound else ""
        )

    def _open_request(self, message: ExportMessage, *, requester: Contact) -> Request:
        language = guess_language(f"{message.subject}\n{message.text}")
        if requester.language != language and not requester.requests.exists():
            # A contact met through LinkedIn had no known language until now.
            requester.language = language
            requester.save(update_fields=["language"])
        request = request_open(
            requester=requester,
            subject=_subject(message),
            summary=snippet(message.text, 600),
            channel=Channel.LINKEDIN,
            language=language,
            received_at=min(message.sent_at, self.now),
        )
        self.requests[message.conversation] = request
        self.row.counts["requests_created"] += 1
        return request

    def _store(self, message: ExportMessage, *, request: Request, inbound: bool, from_email: str) -> None:
        Message.objects.create(
            request=request,
            message_id=message.message_id,
            references=message.conversation_ref,
            direction=Direction.INBOUND if inbound else Direction.OUTBOUND,
            from_name=message.sender.name[:200],
            from_email=from_email,
            to=", ".join(p.name or p.url for p in message.recipients),
            subject=_subject(message)[:300],
            sent_at=min(message.sent_at, self.now),  # a clock in the future must not jump the queue
            text=message.text[: self.max_chars],
            truncated=len(message.text) > self.max_chars,
        )
        self.row.messages.append(message.message_id)

    def _conversation_request(self, message: ExportMessage) -> Request | None:
        """The request this conversation already has: one of its messages was stored before."""
        if message.conversation not in self.requests:
            stored = [
                i for i in self.conversation_ids.get(message.conversation, []) if i in self.known_messages
            ]
            found = None
            if stored:
                found = Message.objects.filter(message_id__in=stored[:500]).select_related("request").first()
            self.requests[message.conversation] = found.request if found else None
        return self.requests[message.conversation]


def _subject(message: ExportMessage) -> str:
    """A LinkedIn message rarely has a subject: its first sentence past the greeting stands for one."""
    return message.subject or title_from_text(message.text) or snippet(message.text, 120)


def _would_fill(contact: Contact, person: Person, details: dict[str, str]) -> bool:
    """Whether the service would complete this contact (it fills blanks, never overwrites)."""
    wanted = {"name": person.name, "email": person.email, "linkedin_url": person.url, **details}
    return any(value and not getattr(contact, field) for field, value in wanted.items())


def _unknown_owner() -> str:
    return _("cannot tell who owns this export (add Profile.csv): direction unknown")
