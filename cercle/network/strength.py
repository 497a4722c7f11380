"""Relationship strength: a score from 0 to 100 built from real exchanges, and why.

Each interaction weighs by its kind (a meeting more than a mail, a mail more than a LinkedIn
invitation) and its depth (a mail to one person more than a mail to eight), and fades with time: its
weight halves every `HALF_LIFE_DAYS`. The decayed weights add up to `S`; reciprocity multiplies it (an
exchange both ways is a relationship, mail that is never answered is not); the score saturates,
`100 · (1 − e^(−S·r/K))`, so a handful of recent exchanges each way already makes a strong tie and
hundreds of old ones do not make a stronger one.

How the weights were chosen, from principles rather than from a test split: a half-life of three
months follows the usual "keep in touch every quarter" advice of network-care books (seeds 001,
004) — a tie unfed for a year keeps a sixteenth of its weight; `K` puts a tie with about one
exchange a month both ways for half a year at 50–60; one-way mail keeps at most half its weight.
The Enron check in the closing note of the network issue measures whether it predicts who people
keep writing to.

Incremental: since everyone's weights decay at the same rate, `ln(S·r) + λ·t_ref` ranks contacts
by strength at any moment (`Contact.rank_key`); a new interaction is folded into `S` in O(1)
(`strength_fold`), and `strength_recompute` rebuilds everything in one pass over the interactions.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, Field, Q, When
from django.utils import timezone

from cercle.network.models import Contact, Interaction, InteractionKind

HALF_LIFE_DAYS = 90
LAMBDA = math.log(2) / (HALF_LIFE_DAYS * 86400)  # per second
K = 6.0
KIND_WEIGHT: dict[str, float] = {
    InteractionKind.MAIL: 1.0,
    InteractionKind.LINKEDIN: 0.8,
    InteractionKind.FORM: 0.6,
    InteractionKind.CONNECTION: 0.5,
    InteractionKind.INVITATION: 0.2,
    InteractionKind.MEETING: 3.0,
    InteractionKind.CALL: 2.0,
}
NO_RANK = -1e9


def _seconds(at: datetime) -> float:
    return at.timestamp() - 946684800.0  # since 2000-01-01: keeps λ·t small


def interaction_weight(kind: str, audience: int) -> float:
    """What one exchange is worth when it happens: its kind, divided by the square root of how many
    people it was addressed to (a mail to four people is half a personal mail)."""
    return KIND_WEIGHT.get(kind, 1.0) / math.sqrt(max(audience, 1))


def reciprocity(count_in: int, count_out: int) -> float:
    """1 when exchanges go both ways evenly, less when one side does all the writing."""
    if count_in and count_out:
        return 0.6 + 0.4 * min(count_in, count_out) / max(count_in, count_out)
    if count_out:  # the hub writes, they never answer
        return 0.5
    return 0.35  # they write, nobody answers: a relationship in name only


@dataclass
class Tally:
    """One contact's strength, as folded so far."""

    decay_sum: float = 0.0
    decay_ref: datetime | None = None
    count_in: int = 0
    count_out: int = 0
    first_at: datetime | None = None
    last_at: datetime | None = None
    connected: bool = False

    @classmethod
    def of(cls, contact: Contact) -> Tally:
        return cls(
            decay_sum=contact.decay_sum,
            decay_ref=contact.decay_ref,
            count_in=contact.count_in,
            count_out=contact.count_out,
            first_at=contact.first_at,
            last_at=contact.last_at,
        )

    def add(self, *, kind: str, inbound: bool, at: datetime, audience: int) -> None:
        weight = interaction_weight(kind, audience)
        if self.decay_ref is None:
            self.decay_sum, self.decay_ref = weight, at
        elif at > self.decay_ref:
            self.decay_sum = (
                self.decay_sum * math.exp(-LAMBDA * (at - self.decay_ref).total_seconds()) + weight
            )
            self.decay_ref = at
        else:
            self.decay_sum += weight * math.exp(-LAMBDA * (self.decay_ref - at).total_seconds())
        if kind == InteractionKind.CONNECTION:
            self.connected = True
        elif kind != InteractionKind.INVITATION:
            if inbound:
                self.count_in += 1
            else:
                self.count_out += 1
        self.first_at = at if self.first_at is None else min(self.first_at, at)
        self.last_at = at if self.last_at is None else max(self.last_at, at)

    @property
    def rank_key(self) -> float:
        effective = self.decay_sum * reciprocity(self.count_in, self.count_out)
        if effective <= 0 or self.decay_ref is None:
            return NO_RANK
        return math.log(effective) + LAMBDA * _seconds(self.decay_ref)

    def apply(self, contact: Contact) -> None:
        contact.decay_sum = self.decay_sum
        contact.decay_ref = self.decay_ref
        contact.count_in = self.count_in
        contact.count_out = self.count_out
        contact.first_at = self.first_at
        contact.last_at = self.last_at
        contact.rank_key = self.rank_key


def score_from_rank(rank_key: float, *, at: datetime | None = None) -> int:
    """The 0–100 score of a contact whose `rank_key` is this, at `at` (now by default)."""
    if rank_key <= NO_RANK / 2:
        return 0
    at = at or timezone.now()
    exponent = rank_key - LAMBDA * _seconds(at)
    effective = math.exp(min(exponent, 50.0))
    return round(100 * (1 - math.exp(-effective / K)))


def contact_score(contact: Contact, *, at: datetime | None = None) -> int:
    return score_from_rank(contact.rank_key, at=at)


# --- Who counts (noise rules) -------------------------------------------------------------------


def counts_in_network(contact: Contact, *, connected: bool = False) -> bool:
    """A person, not a robot: someone the team chose (typed in, imported, whose request was kept), a
    LinkedIn connection, or someone the hub wrote to (which an exchange each way implies). Spam senders
    never count. `NETWORK["COUNT_INBOUND_ONLY"]` counts anyone who wrote person-to-person."""
    if contact.spam or contact.hub_own or contact.merged_into_id is not None:
        return False
    if contact.chosen or connected or contact.count_out > 0:
        return True
    return bool(settings.CERCLE["NETWORK"]["COUNT_INBOUND_ONLY"] and contact.count_in > 0)


# --- Folding new interactions in -----------------------------------------------------------------

_FOLD_BATCH = 5000
_CONTACT_FIELDS = [
    "decay_sum",
    "decay_ref",
    "count_in",
    "count_out",
    "first_at",
    "last_at",
    "rank_key",
    "in_network",
]
# What folding reads of a contact (not its profile's texts).
_READ_FIELDS = [*_CONTACT_FIELDS, "spam", "chosen", "hub_own", "merged_into"]


def _contacts_write(contacts: Iterable[Contact]) -> None:
    """Write the strength fields of these contacts: one plain UPDATE, run for every row (executemany).

    Not `bulk_update`: it builds a CASE over every row of a batch for every field, quadratic work
    that took minutes at 100,000 contacts, more than the tallies themselves. The caller holds a
    transaction (on SQLite, each row would be its own commit otherwise)."""
    fields = [cast(Field, Contact._meta.get_field(name)) for name in _CONTACT_FIELDS]
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608 (only quoted column names are joined in)
        quote(Contact._meta.db_table),
        ", ".join(f"{quote(field.column)} = %s" for field in fields),
        quote(cast(Field, Contact._meta.pk).column),
    )
    rows = [
        [field.get_db_prep_save(getattr(contact, field.attname), connection) for field in fields]
        + [contact.pk]
        for contact in contacts
    ]
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)


def strength_fold(*, limit: int | None = None, touched: set[int] | None = None) -> int:
    """Fold the interactions not yet counted into their contacts' strength; returns how many.
    `touched` collects the contacts whose strength changed (their search text may need a refresh).

    Exactly once: each batch reads unfolded interactions, updates their contacts and marks them folded
    in one transaction (rows locked on PostgreSQL, the single writer on SQLite), so two workers folding
    at once never count an interaction twice.
    """
    done = 0
    while limit is None or done < limit:
        with transaction.atomic():
            rows = list(
                Interaction.objects.filter(folded=False)
                .order_by("id")
                .select_for_update(skip_locked=True)
                .values_list("id", "contact_id", "kind", "inbound", "at", "audience")[:_FOLD_BATCH]
            )
            if not rows:
                break
            by_contact: dict[int, list[tuple[str, bool, datetime, int]]] = {}
            for _pk, contact_id, kind, inbound, at, audience in rows:
                by_contact.setdefault(contact_id, []).append((kind, inbound, at, audience))
            contacts = Contact.objects.only(*_READ_FIELDS).select_for_update().in_bulk(list(by_contact))
            for contact_id, items in by_contact.items():
                contact = contacts.get(contact_id)
                if contact is None:
                    continue
                tally = Tally.of(contact)
                for kind, inbound, at, audience in items:
                    tally.add(kind=kind, inbound=inbound, at=at, audience=audience)
                tally.apply(contact)
                contact.in_network = counts_in_network(contact, connected=tally.connected) or (
                    contact.in_network and not contact.spam and not contact.hub_own
                )
            _contacts_write(contacts.values())
            if touched is not None:
                touched.update(contacts)
            ids = [row[0] for row in rows]
            for start in range(0, len(ids), 500):
                Interaction.objects.filter(id__in=ids[start : start + 500]).update(folded=True)
            done += len(rows)
    return done


def strength_fold_after_commit() -> None:
    """After the caller's transaction commits, fold what it recorded (a task; at once in tests)."""
    from cercle.network.tasks import fold_soon

    transaction.on_commit(fold_soon)


def tallies_until(
    at: datetime | None = None, *, contact_ids: Iterable[int] | None = None
) -> Iterator[tuple[int, Tally]]:
    """Every contact's tally from its interactions (before `at` when given), streamed contact by contact:
    memory holds one contact at a time, whatever the number of interactions."""
    rows = Interaction.objects.order_by("contact_id", "at")
    if at is not None:
        rows = rows.filter(at__lt=at)
    if contact_ids is not None:
        rows = rows.filter(contact_id__in=list(contact_ids))
    current: int | None = None
    tally = Tally()
    for contact_id, kind, inbound, when, audience in rows.values_list(
        "contact_id", "kind", "inbound", "at", "audience"
    ).iterator(chunk_size=10_000):
        if contact_id != current:
            if current is not None:
                yield current, tally
            current, tally = contact_id, Tally()
        tally.add(kind=kind, inbound=inbound, at=when, audience=audience)
    if current is not None:
        yield current, tally


def strength_recompute(
    *, contact_ids: Iterable[int] | None = None, progress: Callable[[int], None] | None = None
) -> int:
    """Rebuild strength from every interaction (all contacts, or these); marks everything folded.
    Returns the number of contacts updated. Memory stays bounded: contacts are written in batches."""
    ids = None if contact_ids is None else list(contact_ids)
    with transaction.atomic():
        marker = Interaction.objects.filter(folded=False)
        if ids is not None:
            marker = marker.filter(contact_id__in=ids)
        marker.update(folded=True)
    updated = 0
    seen: set[int] | None = set() if ids is not None else None
    batch: dict[int, Tally] = {}

    def flush() -> None:
        nonlocal updated
        contacts = Contact.objects.only(*_READ_FIELDS).in_bulk(list(batch))
        for pk, tally in batch.items():
            contact = contacts.get(pk)
            if contact is None:
                continue
            tally.apply(contact)
            contact.in_network = counts_in_network(contact, connected=tally.connected)
        with transaction.atomic():
            _contacts_write(contacts.values())
        updated += len(contacts)
        if progress:
            progress(updated)
        batch.clear()

    for pk, tally in tallies_until(contact_ids=ids):
        batch[pk] = tally
        if seen is not None:
            seen.add(pk)
        if len(batch) >= 2000:
            flush()
    if batch:
        flush()
    # Contacts without any interaction (left): nothing but what the team chose.
    if ids is not None:
        empty = Contact.objects.filter(pk__in=[i for i in ids if i not in (seen or set())])
    else:
        empty = Contact.objects.filter(interactions__isnull=True)
    updated += empty.update(
        decay_sum=0.0, decay_ref=None, count_in=0, count_out=0, first_at=None, last_at=None, rank_key=NO_RANK
    )
    chosen = Q(chosen=True, spam=False, hub_own=False, merged_into__isnull=True)
    if settings.CERCLE["NETWORK"]["COUNT_INBOUND_ONLY"]:
        chosen |= Q(count_in__gt=0, spam=False, hub_own=False, merged_into__isnull=True)
    Contact.objects.filter(pk__in=empty.values("pk")).update(
        in_network=Case(When(chosen, then=True), default=False)
    )
    return updated
