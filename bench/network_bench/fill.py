"""The bulk fill of the network bench: contacts with FR/EN profiles, their identities, notes, two years
of interactions and their search documents, grown in stages (1,000 contacts, then 10,000, then N).

How many interactions each contact has is heavy-tailed (Pareto, shape 1.3, capped at 5,000: most
people have a handful, a few colleagues thousands), normalised so that each stage holds exactly its
share of the interactions. Each contact is active over a window of the last two years (a third still
ongoing, the rest drifted away); directions follow a per-person balance (some only write, some never
answer); kinds are mostly mail, some LinkedIn messages, meetings, calls, a LinkedIn connection for a
fifth of them; audience is 1 seven times in ten, else up to 10.

Strength is computed while filling with the app's own `Tally` (the interactions are inserted already
folded), so the pages show real scores; the bench checks afterwards that `strength_recompute` finds
the same. Search documents are the app's own `fold` of the same parts as `search.contact_document`
(each distinct fragment folded once: a word never spans two parts, so the result is the same), and
the bench compares a sample with `contact_document` itself. After each stage the app's
`search_strongest_refresh` marks the strongest people, as `search_index` does after its writes.

Rows go in batches: `bulk_create` for contacts, identities, notes and search documents; interactions
with one `executemany` per batch on SQLite and `COPY` on PostgreSQL.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np

from ..common.env import log
from . import texts

DAY = 86_400
SPAN_DAYS = 730
MAX_PER_CONTACT = 5_000
CHUNK = 2_000
# (kind, probability) of an interaction other than the one LinkedIn connection.
KINDS = [
    ("mail", 0.86),
    ("linkedin", 0.05),
    ("meeting", 0.03),
    ("call", 0.02),
    ("form", 0.02),
    ("invitation", 0.02),
]
_NO_SUBJECT = {"invitation", "connection"}


@dataclass
class FillStats:
    contacts: int = 0
    interactions: int = 0
    rows: int = 0
    seconds: float = 0.0
    by_kind: Counter[str] = field(default_factory=Counter)
    most_interactions: int = 0


class NetworkFiller:
    """Grows the network to a number of contacts and interactions; call `grow` with bigger targets."""

    def __init__(self, *, seed: int, author_id: int) -> None:
        self.rng = random.Random(seed)
        self.np_rng = np.random.default_rng(seed)
        self.author_id = author_id
        self.now = int(time.time()) - 3600  # the last exchange an hour ago at the latest
        self.stats = FillStats()
        self.fold_cache: dict[str, str] = {}
        self.documents: dict[int, str] = {}  # a sample, checked against search.contact_document

    # --- counts ------------------------------------------------------------------------------

    def counts(self, contacts: int, interactions: int) -> np.ndarray:
        """Interactions per new contact: heavy-tailed, summing to exactly `interactions`."""
        weights = self.np_rng.pareto(1.3, contacts)
        counts = np.floor(weights / weights.sum() * interactions).astype(np.int64)
        counts = np.minimum(counts, MAX_PER_CONTACT)
        missing = interactions - int(counts.sum())
        while missing > 0:  # hand the remainder out at random, one each, under the cap
            room = np.flatnonzero(counts < MAX_PER_CONTACT)
            take = self.np_rng.choice(room, size=min(missing, room.size), replace=False)
            counts[take] += 1
            missing -= take.size
        return counts

    # --- one stage ---------------------------------------------------------------------------

    def grow(self, *, contacts: int, interactions: int) -> None:
        """Add contacts (with their interactions) until the totals reach these numbers."""
        new = contacts - self.stats.contacts
        if new <= 0:
            return
        started = time.perf_counter()
        counts = self.counts(new, interactions - self.stats.interactions)
        for start in range(0, new, CHUNK):
            self._chunk(counts[start : start + CHUNK])
            done = self.stats.contacts
            if done % 20_000 < CHUNK or start + CHUNK >= new:
                log(f"  filled {done:,} contacts, {self.stats.interactions:,} interactions")
        # The documents were written here, not by `search_index`: mark the strongest people as it does.
        from cercle.network.search import search_strongest_refresh

        search_strongest_refresh()
        self.stats.seconds += time.perf_counter() - started

    def _chunk(self, counts: np.ndarray) -> None:
        from django.db import transaction

        from cercle.network.models import Contact, ContactNote, ContactSearch, Identity
        from cercle.network.strength import Tally, counts_in_network

        rng, nprng = self.rng, self.np_rng
        n = len(counts)
        first_index = self.stats.contacts
        people = [texts.profile(rng, first_index + i, full=rng.random() < 0.35) for i in range(n)]
        # Activity windows: start anywhere in the two years; a third still ongoing.
        start = self.now - nprng.uniform(0, SPAN_DAYS * DAY, n)
        length = nprng.exponential(200 * DAY, n)
        ongoing = nprng.random(n) < 0.33
        end = np.where(ongoing, self.now, np.minimum(start + length, self.now))
        share_out = nprng.beta(2, 2, n)
        share_out[nprng.random(n) < 0.15] = 0.0  # they write, nobody answers
        share_out[nprng.random(n) < 0.05] = 1.0  # the hub writes, they never answer
        connected = nprng.random(n) < 0.2

        contacts, per_contact = [], []
        kinds = [k for k, _ in KINDS]
        probabilities = np.array([p for _, p in KINDS])
        for i, person in enumerate(people):
            k = int(counts[i])
            times = (
                np.sort(nprng.uniform(start[i], end[i], k).astype(np.int64)) if k else np.array([], np.int64)
            )
            outbound = nprng.random(k) < share_out[i]
            kind_of = nprng.choice(len(kinds), size=k, p=probabilities)
            audience = np.where(nprng.random(k) < 0.7, 1, nprng.integers(2, 11, k))
            rows: list[tuple[str, bool, int, int, str]] = []
            for j in range(k):
                kind = kinds[kind_of[j]]
                rows.append(
                    (
                        kind,
                        not outbound[j],
                        int(times[j]),
                        int(audience[j]) if kind == "mail" else 1,
                        ""
                        if kind in _NO_SUBJECT
                        else texts.subject(rng, person["topics"], person["language"]),
                    )
                )
            if connected[i] and k:  # their first exchange: the LinkedIn connection
                rows[0] = ("connection", True, rows[0][2], 1, "")
            tally = Tally()
            for kind, inbound, at, aud, _subject in rows:
                tally.add(kind=kind, inbound=inbound, at=datetime.fromtimestamp(at, UTC), audience=aud)
            topics = person.pop("topics")
            chosen = bool(person.get("offers")) and rng.random() < 0.3
            contact = Contact(source="manual" if chosen else "mail", chosen=chosen, **person)
            tally.apply(contact)
            contact.in_network = counts_in_network(contact, connected=tally.connected)
            contacts.append(contact)
            per_contact.append((rows, topics))
            self.stats.most_interactions = max(self.stats.most_interactions, len(rows))

        with transaction.atomic():
            Contact.objects.bulk_create(contacts, batch_size=1000)
            identities = []
            for c in contacts:
                identities.append(Identity(contact_id=c.pk, kind="email", value=c.email))
                identities.append(Identity(contact_id=c.pk, kind="name", value=c.name))
            Identity.objects.bulk_create(identities, batch_size=2000)
            notes, notes_of = [], {}
            for c, (_rows, topics) in zip(contacts, per_contact, strict=True):
                if rng.random() < 0.03:
                    text = texts.note(rng, topics)
                    notes.append(ContactNote(contact_id=c.pk, author_id=self.author_id, text=text))
                    notes_of[c.pk] = [text]
            ContactNote.objects.bulk_create(notes, batch_size=1000)
            inserted = self._interactions(contacts, per_contact)
            documents = [
                ContactSearch(contact_id=c.pk, document=document, threads=threads)
                for c, (rows, _topics) in zip(contacts, per_contact, strict=True)
                for document, threads in [self._document(c, rows, notes_of.get(c.pk, []))]
            ]
            ContactSearch.objects.bulk_create(documents, batch_size=1000)
        for doc in documents[:: max(1, len(documents) // 5)]:  # a few per chunk, checked later
            self.documents[doc.contact_id] = doc.document
        self.stats.contacts += n
        self.stats.interactions += inserted
        self.stats.rows += n + len(identities) + len(notes) + inserted + len(documents)

    def _interactions(self, contacts: list[Any], per_contact: list[tuple[list[Any], list[int]]]) -> int:
        from django.db import connection

        columns = "contact_id, kind, inbound, at, subject, source_key, audience, folded"
        sequence = self.stats.interactions
        total = 0
        batch: list[tuple[Any, ...]] = []
        sqlite = connection.vendor == "sqlite"

        def flush() -> None:
            if not batch:
                return
            if sqlite:
                connection.ensure_connection()
                connection.connection.executemany(
                    f"INSERT INTO network_interaction ({columns}) VALUES (?, ?, ?, ?, ?, ?, ?, 1)",  # noqa: S608
                    batch,
                )
            else:
                with (
                    connection.cursor() as cursor,
                    cursor.cursor.copy(f"COPY network_interaction ({columns}) FROM STDIN") as copy,
                ):
                    for row in batch:
                        copy.write_row((*row, True))
            batch.clear()

        for contact, (rows, _topics) in zip(contacts, per_contact, strict=True):
            for kind, inbound, at, audience, subject in rows:
                sequence += 1
                when = datetime.fromtimestamp(at, UTC)
                # SQLite keeps naive UTC text (as Django writes it); PostgreSQL an aware timestamp.
                value = str(when.replace(tzinfo=None)) if sqlite else when
                batch.append(
                    (contact.pk, kind, inbound, value, subject, f"<b{sequence}@bench.invalid>", audience)
                )
                self.stats.by_kind[kind] += 1
                total += 1
            if len(batch) >= 20_000:
                flush()
        flush()
        return total

    # --- search documents ----------------------------------------------------------------------

    def _fold(self, text: str) -> str:
        from cercle.network.search import fold

        folded = self.fold_cache.get(text)
        if folded is None:
            folded = self.fold_cache[text] = fold(text)
        return folded

    def _document(
        self, c: Any, rows: list[tuple[str, bool, int, int, str]], notes: list[str]
    ) -> tuple[str, str]:
        """The same words as `search.contact_document` (profile, notes, the threads of the 100 latest
        subjects) and the same threads as `ContactSearch.threads`."""
        from cercle.mail.subjects import normalise_subject
        from cercle.network.search import threads_of, threads_text

        parts = [
            c.name,
            c.organisation,
            c.position,
            c.what_they_do,
            c.offers,
            c.offers,
            c.tags.replace(",", " "),
            c.needs,
            c.how_we_met,
            *notes,
        ]
        # Latest first; of the same second, the later row (its key is higher), as the app orders them.
        latest = sorted(((i, r) for i, r in enumerate(rows) if r[4]), key=lambda ir: (-ir[1][2], -ir[0]))[
            :100
        ]
        threads = threads_of((r[4], datetime.fromtimestamp(r[2], UTC)) for _i, r in latest)
        parts += [normalise_subject(subject) for _at, subject in threads]
        return " ".join(f for f in (self._fold(p) for p in parts if p) if f), threads_text(threads)


def check_documents(sample: dict[int, str]) -> tuple[int, int]:
    """(equal, checked): the fill's documents against `search.contact_document` of the same contacts,
    word for word (as multisets: the order of equal-time subjects may differ)."""
    from cercle.network.models import Contact
    from cercle.network.search import contact_document

    equal = 0
    contacts = Contact.objects.in_bulk(list(sample))
    for pk, document in sample.items():
        if Counter(contact_document(contacts[pk]).split()) == Counter(document.split()):
            equal += 1
    return equal, len(sample)
