"""Warm introduction paths: who can introduce the hub to someone, up to three hops.

hub → A → target, or hub → A → B → target. The hub→A link is A's relationship strength
(network/strength.py); A→B and B→target are ties between contacts (network/ties.py). A chain is as
good as its weakest link: paths rank by their weakest link, then by fewer hops, then by the sum of
their links; one path per first intermediary (five ways in through the same person are one way in).

The search starts from the target and stays bounded: the target's ties (indexed reads of ContactTie by
`a` and by `b`), then the ties of its `EXPAND` strongest neighbours, then the strength of the people
found — whom the hub knows (score > 0). Nothing else of the network is read, so the cost depends on
the target's neighbourhood, not on the size of the network. Merged, erased, hub-own and spam records
never stand on a path.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from cercle.network.models import Contact, ContactTie
from cercle.network.strength import score_from_rank
from cercle.network.ties import tie_score

EXPAND = 200  # neighbours of the target whose own ties are read (the strongest first)
LIMIT = 5
_CHUNK = 500  # SQLite's limit on query parameters
_FIELDS = ["id", "name", "email", "organisation", "rank_key", "count_in", "count_out", "last_at"]


@dataclass(frozen=True)
class Link:
    """One link of a path, with its evidence. `tie` is None for the hub's own link to `to`."""

    frm: Contact | None  # None: the hub
    to: Contact
    strength: int
    tie: ContactTie | None = None


@dataclass
class IntroPath:
    links: list[Link] = field(default_factory=list)

    @property
    def weakest(self) -> int:
        return min(link.strength for link in self.links)

    @property
    def intermediaries(self) -> list[Contact]:
        return [link.to for link in self.links[:-1]]

    @property
    def hops(self) -> int:
        return len(self.links)

    def sort_key(self) -> tuple[int, int, int]:
        return (-self.weakest, self.hops, -sum(link.strength for link in self.links))


def _valid(ids: Iterable[int]) -> Q:
    return Q(pk__in=list(ids), merged_into__isnull=True, hub_own=False, spam=False)


def _ties_of(ids: list[int]) -> list[ContactTie]:
    ties: list[ContactTie] = []
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        ties += ContactTie.objects.filter(a_id__in=chunk).order_by()
        ties += ContactTie.objects.filter(b_id__in=chunk).order_by()
    return ties


def _contacts(ids: set[int]) -> dict[int, Contact]:
    found: dict[int, Contact] = {}
    listed = sorted(ids)
    for start in range(0, len(listed), _CHUNK):
        chunk = listed[start : start + _CHUNK]
        found.update((c.pk, c) for c in Contact.objects.filter(_valid(chunk)).only(*_FIELDS).order_by())
    return found


def introduction_paths(*, target_id: int, limit: int = LIMIT, at: datetime | None = None) -> list[IntroPath]:
    """The best ways to reach this contact through people the hub knows (at most `limit`, best first).
    Empty for a merged, erased or hub-own record."""
    at = at or timezone.now()
    target = Contact.objects.filter(_valid([target_id])).only(*_FIELDS).first()
    if target is None:
        return []
    # Hop 1 (seen from the target): its ties.
    near: dict[int, tuple[int, ContactTie]] = {}
    for tie in _ties_of([target.pk]):
        other = tie.b_id if tie.a_id == target.pk else tie.a_id
        near[other] = (tie_score(tie, at=at), tie)
    near = {k: v for k, v in near.items() if v[0] > 0}
    expand = sorted(near, key=lambda k: -near[k][0])[:EXPAND]
    # Hop 2: the ties of the strongest neighbours.
    far: list[tuple[int, int, int, ContactTie]] = []  # (A, B, strength A–B, tie)
    for tie in _ties_of(expand):
        for b, a in ((tie.a_id, tie.b_id), (tie.b_id, tie.a_id)):
            if b in near and a != target.pk:
                strength = tie_score(tie, at=at)
                if strength > 0:
                    far.append((a, b, strength, tie))
    people = _contacts({target.pk, *near, *(a for a, *_ in far)})
    people[target.pk] = target

    def known(pk: int) -> int:
        contact = people.get(pk)
        return score_from_rank(contact.rank_key, at=at) if contact and pk != target.pk else 0

    best: dict[int, IntroPath] = {}

    def offer(path: IntroPath) -> None:
        first = path.links[0].to.pk
        if first not in best or path.sort_key() < best[first].sort_key():
            best[first] = path

    for a, (strength, tie) in near.items():
        score = known(a)
        if score > 0:
            offer(IntroPath([Link(None, people[a], score), Link(people[a], target, strength, tie)]))
    for a, b, strength, tie in far:
        score = known(a)
        if score <= 0 or a == b or b not in people:
            continue
        b_strength, b_tie = near[b]
        offer(
            IntroPath(
                [
                    Link(None, people[a], score),
                    Link(people[a], people[b], strength, tie),
                    Link(people[b], target, b_strength, b_tie),
                ]
            )
        )
    return sorted(best.values(), key=IntroPath.sort_key)[:limit]


def targets_by_name(*, name: str, organisation: str = "", limit: int = 5) -> list[Contact]:
    """Contacts who may be the person typed in: the name's words all in their name, and (when given) the
    organisation in theirs. A name alone matches within the organisation's people when it is empty."""
    name, organisation = name.strip(), organisation.strip()
    if not name and not organisation:
        return []
    found = Contact.objects.filter(merged_into__isnull=True, hub_own=False, spam=False)
    for word in name.split():
        found = found.filter(name__icontains=word)
    if organisation:
        found = found.filter(organisation__icontains=organisation)
    return list(found.order_by("-rank_key", "pk")[:limit])
