"""What one import remembers across its messages: the hub's own addresses, the contacts it met, the
Message-IDs of the batch it is writing (looked up in one query). Built once per import."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection
from django.utils import timezone

from cercle.accounts.models import Role, User
from cercle.circulation.models import Message, Request
from cercle.intake.models import IntakeSettings
from cercle.mail.attachments import attachments_root
from cercle.mail.parse import ParsedMessage
from cercle.mail.subjects import is_reply_subject, normalise_subject, subject_fragment
from cercle.network.models import Contact, Interaction
from cercle.network.services import contacts_by_email_many, interaction_record_many, normalize_email
from cercle.outbox.models import OutgoingMessage

if TYPE_CHECKING:
    from cercle.intake.batch import PendingWrites

_CONTACT_CACHE_SIZE = 10_000
ABSENT_BATCHES = 20


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
                self.put(contact.email, contact)

    def put(self, email: str, contact: Contact) -> None:
        self._items[email] = contact
        self._items.move_to_end(email)
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
    # Message-IDs already looked up in this batch (`prefetch`), and the request of those found (a
    # pending `Request` for a message of this very batch, when its writes are held: `writes`).
    checked: set[str] = field(default_factory=set)
    known: dict[str, int | Request | None] = field(default_factory=dict)
    # Of the ids looked up: mail Cercle sent about a request, by Message-ID: (outbox row, request).
    ours: dict[str, tuple[int, int]] = field(default_factory=dict)
    # Replies stored earlier without a request, by the Message-ID they answer (looked up with the batch).
    orphans: dict[str, list[str]] = field(default_factory=dict)
    # Addresses of the batch that no contact has (`contacts_prefetch`): no need to ask again.
    no_contact: set[str] = field(default_factory=set)
    # Addresses no contact had when a recent batch asked (most recipients of a mailbox are nobody's):
    # not asked again for ABSENT_BATCHES batches. One this import gives a contact leaves the set.
    absent: set[str] = field(default_factory=set)
    batches_since_absent: int = 0
    # For the same-subject replies of a batch (`replies_prefetch`): the requests of their correspondents
    # in the batch's time window, by (requester, subject key): (received at, request, state).
    by_subject: dict[tuple[int, str], list[tuple[datetime, int, str]]] = field(default_factory=dict)
    by_subject_people: set[int] = field(default_factory=set)
    replies_ready: set[str] = field(default_factory=set)  # the Message-IDs of the replies looked up
    # The requests created since the first batch's look-up (this import's own, and any other writer's),
    # by (requester, subject key): (received at, request). The database is asked only about the older
    # ones, and about the current state of the ones found here (`replies_prefetch`).
    recent_requests: _RecentRequests | None = None
    # None: each message is written as it is decided. Else the batch's rows wait here (intake/batch.py)
    # until `flush()`, which the caller runs before committing.
    writes: PendingWrites | None = None
    # While earlier batches are written but not committed yet (intake/files.py decides the next one
    # meanwhile, and commits several batches at once): what they knew and stored, by Message-ID, as
    # `known`; and their messages stored without a request, by the Message-ID they answer (a parent in
    # this batch adopts them, as it would stored ones).
    carried: dict[str, int | Request | None] = field(default_factory=dict)
    carried_orphans: dict[str, list[str]] = field(default_factory=dict)
    # And the requests they created, by (requester, subject key), as `PendingWrites.by_subject`; and the
    # contacts they created, by address (the cache may have let them go).
    carried_by_subject: dict[tuple[int, str], list[tuple[datetime, Request]]] = field(default_factory=dict)
    carried_contacts: dict[str, Contact] = field(default_factory=dict)

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
        self.carried, self.carried_orphans, self.carried_by_subject = {}, {}, {}
        self.carried_contacts = {}
        self.absent.clear()
        if self.pending_interactions is not None:
            self.pending_interactions = []
        if self.writes is not None:
            self.writes.clear()

    def prefetch(self, message_ids: list[str]) -> None:
        """Look up many Message-IDs in one query (a batch of an import), before ingesting them."""
        for parent in message_ids:
            if parent in self.carried_orphans:
                self.orphans.setdefault(parent, []).extend(self.carried_orphans.pop(parent))
        wanted = [i for i in dict.fromkeys(message_ids) if i not in self.checked and i not in self.carried]
        # Plain SQL: a batch asks about a thousand ids, and the ORM spent longer building these
        # queries than the database answering them.
        messages = connection.ops.quote_name(Message._meta.db_table)
        outgoing = connection.ops.quote_name(OutgoingMessage._meta.db_table)
        with connection.cursor() as cursor:
            for start in range(0, len(wanted), 500):  # SQLite's limit on query parameters
                chunk = wanted[start : start + 500]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    f"SELECT message_id, request_id FROM {messages} WHERE message_id IN ({marks})",  # noqa: S608
                    chunk,
                )
                self.known.update(cursor.fetchall())
                self.checked.update(chunk)
                if self.writes is None:
                    continue
                # A batch: what the per-message look-ups would ask, asked once.
                cursor.execute(
                    f"SELECT id, message_id, request_id FROM {outgoing}"  # noqa: S608
                    f" WHERE message_id IN ({marks}) AND request_id IS NOT NULL",
                    chunk,
                )
                for pk, message_id, request_id in cursor.fetchall():
                    self.ours[message_id] = (pk, request_id)
                if self.orphans_possible:
                    cursor.execute(
                        f"SELECT message_id, in_reply_to FROM {messages}"  # noqa: S608
                        f" WHERE request_id IS NULL AND in_reply_to IN ({marks})",
                        chunk,
                    )
                    for message_id, parent in cursor.fetchall():
                        self.orphans.setdefault(parent, []).append(message_id)

    def contacts_prefetch(self, emails: list[str]) -> None:
        """Load the contacts of many addresses in a few queries (a batch), and note who has none."""
        wanted = []
        for email in dict.fromkeys(normalize_email(e) for e in emails if e):
            if self.contacts.get(email) is not None:
                continue
            if email in self.absent:
                self.no_contact.add(email)
                continue
            carried = self.carried_contacts.get(email)
            if carried is not None:  # created by a batch not committed yet
                self.contacts.put(email, carried)
            else:
                wanted.append(email)
        found = contacts_by_email_many(wanted)
        # Under its own address: a contact found by another of its addresses is cached by that one too.
        for email, contact in found.items():
            self.contacts.put(email, contact)
        missing = [e for e in wanted if e not in found]
        self.no_contact.update(missing)
        self.absent.update(missing)

    def lookup(self, message_ids: list[str]) -> dict[str, int | Request | None]:
        """The stored messages among these ids, with their request (None: stored without one)."""
        self.prefetch(message_ids)
        found = {i: self.carried[i] for i in message_ids if i in self.carried}
        return {**found, **{i: self.known[i] for i in message_ids if i in self.known}}

    def replies_prefetch(self, messages: list[ParsedMessage], *, days: int) -> None:
        """What the batch's replies by subject may join, in a few queries: for each reply, the requests
        of its correspondents received from `days` before it to an hour after it (the one-by-one
        look-up's conditions, OR-ed; the subjects are compared here). Call after `contacts_prefetch`."""
        now = timezone.now()
        terms: list[tuple[list[int], datetime, datetime, str]] = []
        recent_terms: list[tuple[list[int], datetime, datetime, str]] = []
        ready: set[str] = set()
        everyone: set[int] = set()
        if self.recent_requests is None:
            self.recent_requests = _RecentRequests.starting_now()
        recent = self.recent_requests
        recent.catch_up()
        for message in messages:
            key = normalise_subject(message.subject) if is_reply_subject(message.subject) else ""
            if not key:
                continue
            people = {
                contact.pk
                for email in (message.from_email, *message.recipients)
                if email and (contact := self.contacts.get(email)) is not None and contact.pk is not None
            }
            ready.add(message.message_id)
            if people:
                at = min(message.date or now, now)
                window = (at - timedelta(days=days), at + timedelta(hours=1))
                if recent.older_up_to:
                    terms.append((sorted(people), *window, subject_fragment(key)))
                recent_terms.append((sorted(people), *window, key))
                everyone |= people
        rows: list[tuple] = []
        for start in range(0, len(terms), 100):
            rows += _requests_in_windows(terms[start : start + 100], up_to=recent.older_up_to)
        rows += _requests_by_id(recent.matching(recent_terms))
        for pk, requester, subject, state, received in rows:
            self.by_subject.setdefault((requester, normalise_subject(subject)), []).append(
                (received, pk, state)
            )
        self.replies_ready, self.by_subject_people = ready, everyone

    def end_batch(self) -> None:
        """Committed (or rolled back): the next batch looks again."""
        self.by_subject.clear()
        self.by_subject_people = set()
        self.replies_ready = set()
        self.checked.clear()
        self.known.clear()
        self.ours.clear()
        self.orphans.clear()
        self.no_contact.clear()
        self.batches_since_absent += 1
        if self.batches_since_absent >= ABSENT_BATCHES:  # someone may have given them a contact since
            self.absent.clear()
            self.batches_since_absent = 0

    def flush(self) -> None:
        """Write what the batch held back (rows, then interactions), before the caller commits."""
        if self.writes is not None:
            self.writes.flush()
        if self.pending_interactions:
            interaction_record_many(interactions=self.pending_interactions)
            self.pending_interactions = []


class _RecentRequests:
    """The requests created since a moment of an import, by (requester, subject key), read from the
    database batch after batch (`catch_up`: the rows past the last key read, in key order). An import of
    years of mail creates tens of thousands of requests, and each reply of each batch would otherwise
    ask the database for its correspondents' requests of a month, subject by subject."""

    def __init__(self, older_up_to: int) -> None:
        self.older_up_to = older_up_to  # the requests up to this key are asked to the database
        self.read_up_to = older_up_to
        self.by_key: dict[tuple[int, str], list[tuple[datetime, int]]] = {}

    @classmethod
    def starting_now(cls) -> _RecentRequests:
        return cls(Request.objects.order_by("-pk").values_list("pk", flat=True).first() or 0)

    def catch_up(self) -> None:
        """Read the requests committed since the last call. (On PostgreSQL, a request whose key was
        taken before another's but committed after the last call is left to the database's look-up of
        the next import: a reply then starts a request of its own instead of joining it.)"""
        table = connection.ops.quote_name(Request._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, requester_id, subject, received_at FROM {table} WHERE id > %s ORDER BY id",  # noqa: S608
                [self.read_up_to],
            )
            rows = cursor.fetchall()
        for pk, requester, subject, received in rows:
            key = normalise_subject(subject) if requester is not None else ""
            if key:
                self.by_key.setdefault((requester, key), []).append((_utc(received), pk))
        if rows:
            self.read_up_to = rows[-1][0]

    def matching(self, terms: list[tuple[list[int], datetime, datetime, str]]) -> set[int]:
        """The keys of the requests of these (requesters, from, to, subject key) terms."""
        return {
            pk
            for people, low, high, key in terms
            for person in people
            for received, pk in self.by_key.get((person, key), ())
            if low <= received <= high
        }


def _requests_by_id(keys: set[int]) -> list[tuple]:
    """(id, requester, subject, state, received at) of these requests, as they are now."""
    table = connection.ops.quote_name(Request._meta.db_table)
    rows: list[tuple] = []
    ordered = sorted(keys)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, requester_id, subject, state, received_at FROM {table} "  # noqa: S608
                f"WHERE id IN ({', '.join(['%s'] * len(chunk))})",
                chunk,
            )
            rows += cursor.fetchall()
    if connection.vendor == "sqlite":
        return [(pk, who, subject, state, _utc(received)) for pk, who, subject, state, received in rows]
    return rows


def _requests_in_windows(
    terms: list[tuple[list[int], datetime, datetime, str]], *, up_to: int
) -> list[tuple]:
    """(id, requester, subject, state, received at) of the requests up to key `up_to` of any of these
    (requesters, from, to, subject fragment) terms. Plain SQL: the ORM would spend longer building this
    OR of a hundred conditions than the database answering it (each one walks the (requester,
    received_at) index, which holds the key too)."""
    table = connection.ops.quote_name(Request._meta.db_table)
    adapt = connection.ops.adapt_datetimefield_value
    # As Django's `icontains` on each database: SQLite's LIKE folds ASCII case, PostgreSQL's does not.
    like = "subject LIKE %s ESCAPE '\\'" if connection.vendor == "sqlite" else "UPPER(subject) LIKE UPPER(%s)"
    where, params = [], []
    for people, low, high, fragment in terms:
        where.append(
            f"(requester_id IN ({', '.join(['%s'] * len(people))}) AND received_at BETWEEN %s AND %s"
            + " AND id <= %s"
            + (f" AND {like})" if fragment else ")")
        )
        params += [*people, adapt(low), adapt(high), up_to]
        if fragment:
            params.append(f"%{connection.ops.prep_for_like_query(fragment)}%")
    sql = f"SELECT DISTINCT id, requester_id, subject, state, received_at FROM {table} WHERE {' OR '.join(where)}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if connection.vendor == "sqlite":  # stored as UTC text
        return [(pk, who, subject, state, _utc(received)) for pk, who, subject, state, received in rows]
    return rows


def _utc(value: str | datetime) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
