"""The network as files: the leader's ties as CSV (`cercle export ties`), contacts as CSV and vCard.
Streamed: rows are produced as they are read, whatever the size of the network. CSV cells go through
`core.spreadsheet` (text that would start a formula is quoted as text)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

import vobject

from cercle.core.spreadsheet import csv_line
from cercle.network.models import Contact, IdentityKind
from cercle.network.strength import score_from_rank, tallies_until

TIES_HEADER = ["email", "name", "score", "layer"]
CONTACT_COLUMNS = [
    "name",
    "email",
    "other_emails",
    "linkedin_url",
    "organisation",
    "position",
    "phone",
    "language",
    "tags",
    "what_they_do",
    "offers",
    "needs",
    "how_we_met",
    "score",
]


def ties_rows(*, at: datetime, layer_sizes: list[int]) -> Iterator[list[object]]:
    """Every contact with an address who was a tie of the leader before `at`, strongest first, with the
    score and Dunbar layer they had at `at` (counting only the interactions before it). The noise rules as
    they stood then: someone the hub had written to, a LinkedIn connection, or someone the team chose;
    never a sender nobody answered, spam or one of the hub's own addresses."""
    chosen = set(Contact.objects.filter(chosen=True).values_list("pk", flat=True))
    ranked: list[tuple[float, int]] = []
    for contact_id, tally in tallies_until(at):
        if tally.count_out or tally.connected or contact_id in chosen:
            ranked.append((tally.rank_key, contact_id))
    ranked.sort(key=lambda item: (-item[0], item[1]))
    bounds = sorted(layer_sizes)  # cumulative: the 5 closest are within the 15, within the 50…
    position = 0
    for start in range(0, len(ranked), 1000):
        chunk = ranked[start : start + 1000]
        people = {
            pk: (email, name)
            for pk, email, name, spam, hub_own, merged in Contact.objects.filter(
                pk__in=[pk for _, pk in chunk]
            ).values_list("pk", "email", "name", "spam", "hub_own", "merged_into")
            if email and not spam and not hub_own and merged is None
        }
        for rank_key, pk in chunk:
            if pk not in people:
                continue
            position += 1
            layer = next((n for n, bound in enumerate(bounds, start=1) if position <= bound), "")
            email, name = people[pk]
            yield [email, name, score_from_rank(rank_key, at=at), layer]


def ties_csv(*, at: datetime, layer_sizes: list[int]) -> Iterator[str]:
    yield csv_line(TIES_HEADER)
    for row in ties_rows(at=at, layer_sizes=layer_sizes):
        yield csv_line(row)


def _other_emails(contact: Contact) -> list[str]:
    return [
        value
        for value in contact.identities.filter(kind=IdentityKind.EMAIL).values_list("value", flat=True)
        if value != contact.email
    ]


def contacts_csv(contacts: Iterable[Contact]) -> Iterator[str]:
    yield csv_line(CONTACT_COLUMNS)
    for c in contacts:
        yield csv_line(
            [
                c.name,
                c.email,
                " ".join(_other_emails(c)),
                c.linkedin_url,
                c.organisation,
                c.position,
                c.phone,
                c.language,
                c.tags,
                c.what_they_do,
                c.offers,
                c.needs,
                c.how_we_met,
                score_from_rank(c.rank_key),
            ]
        )


def contact_vcard(contact: Contact) -> str:
    card = vobject.vCard()
    card.add("fn").value = contact.name or contact.email or contact.linkedin_url
    parts = (contact.name or "").rsplit(" ", 1)
    card.add("n").value = vobject.vcard.Name(family=parts[-1] if len(parts) > 1 else "", given=parts[0])
    for email in [contact.email, *_other_emails(contact)]:
        if email:
            card.add("email").value = email
    if contact.phone:
        card.add("tel").value = contact.phone
    if contact.organisation:
        card.add("org").value = [contact.organisation]
    if contact.position:
        card.add("title").value = contact.position
    if contact.linkedin_url:
        card.add("url").value = contact.linkedin_url
    note = "\n\n".join(p for p in (contact.what_they_do, contact.offers) if p)
    if note:
        card.add("note").value = note
    if contact.tags:
        card.add("categories").value = [t.strip() for t in contact.tags.split(",") if t.strip()]
    return str(card.serialize())


def contacts_vcard(contacts: Iterable[Contact]) -> Iterator[str]:
    for contact in contacts:
        yield contact_vcard(contact)
