"""Warm introduction paths: who can introduce the hub to someone, up to three hops.

hub → A → target, or hub → A → B → target. The hub→A link is A's relationship strength
(network/strength.py); A→B and B→target are ties between contacts (network/ties.py). A chain is as
good as its weakest link: paths rank by their weakest link, then by fewer hops, then by the sum of
their links; one path per first intermediary (five ways in through the same person are one way in).

The search starts from the target and stays bounded: the target's ties (indexed reads of ContactTie by
`a` and by `b`), then the ties of its neighbours, strongest tie first and at most `EXPAND` of them,
stopping as soon as no neighbour left can carry a path into the top five; then the strength of the
people found — whom the hub knows (score > 0). Nothing else of the network is read, so the cost depends on
the target's neighbourhood, not on the size of the network. Merged, erased, hub-own and spam records
never stand on a path.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from cercle.network.models import Contact, ContactTie
from cercle.network.strength import score_from_rank
from cercle.network.ties import tie_strength

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


# A tie as read for the search: (pk, a, b, strength). Model instances only for the paths shown.
_Tie = tuple[int, int, int, int]


def _when(value: datetime | str | None) -> datetime | None:
    """A date as the cursor returns it: on SQLite naive (UTC) or text."""
    if value is None:
        return None
    parsed = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _select(sql: str, params: list[int]) -> list[tuple]:
    # Plain SQL: the search runs a handful of small indexed reads, and building them through the ORM
    # cost more than running them.
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _ties_of(ids: list[int], at: datetime) -> list[_Tie]:
    ties: list[_Tie] = []
    table = connection.ops.quote_name(ContactTie._meta.db_table)
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        marks = ", ".join(["%s"] * len(chunk))
        for side in ("a_id", "b_id"):
            sql = (
                f"SELECT id, a_id, b_id, count, a_wrote, b_wrote, last_at, manual FROM {table} "  # noqa: S608
                f"WHERE {side} IN ({marks})"
            )
            for pk, a, b, count, a_wrote, b_wrote, last_at, manual in _select(sql, chunk):
                strength = tie_strength(
                    count=count,
                    a_wrote=a_wrote,
                    b_wrote=b_wrote,
                    last_at=_when(last_at),
                    manual=bool(manual),
                    at=at,
                )
                if strength > 0:
                    ties.append((pk, a, b, strength))
    return ties


def _scores(ids: Iterable[int], at: datetime) -> dict[int, int]:
    """The hub's strength with each of these people (0: not known); merged, hub-own and spam left out."""
    scores: dict[int, int] = {}
    listed = sorted(set(ids))
    table = connection.ops.quote_name(Contact._meta.db_table)
    for start in range(0, len(listed), _CHUNK):
        chunk = listed[start : start + _CHUNK]
        marks = ", ".join(["%s"] * len(chunk))
        sql = (
            f"SELECT id, rank_key FROM {table} WHERE id IN ({marks}) "  # noqa: S608
            "AND merged_into_id IS NULL AND NOT hub_own AND NOT spam"
        )
        for pk, rank_key in _select(sql, chunk):
            scores[pk] = score_from_rank(rank_key, at=at)
    return scores


# A path found: (weakest, hops, -sum, ids of the people after the hub, their link strengths, tie pks).
_Found = tuple[int, int, int, tuple[int, ...], tuple[int, ...], tuple[int, ...]]


def _found(people: tuple[int, ...], strengths: tuple[int, ...], ties: tuple[int, ...]) -> _Found:
    return (min(strengths), len(strengths), sum(strengths), people, strengths, ties)


def _rank(found: _Found) -> tuple[int, int, int]:
    return (-found[0], found[1], -found[2])


def introduction_paths(*, target_id: int, limit: int = LIMIT, at: datetime | None = None) -> list[IntroPath]:
    """The best ways to reach this contact through people the hub knows (at most `limit`, best first).
    Empty for a merged, erased or hub-own record.

    Neighbours of the target are expanded strongest tie first, in growing batches, and the search
    stops once `limit` paths are at least as good as the next neighbour's tie: no path through it
    (whose weakest link is at most that tie) could enter the list."""
    at = at or timezone.now()
    if not Contact.objects.filter(_valid([target_id])).exists():
        return []
    near: dict[int, tuple[int, int]] = {}  # neighbour -> (strength of its tie to the target, tie pk)
    for pk, a, b, strength in _ties_of([target_id], at):
        near[b if a == target_id else a] = (strength, pk)
    valid_near = _scores(near, at)
    best: dict[int, _Found] = {}  # one path per first intermediary

    def offer(found: _Found) -> None:
        first = found[3][0]
        if first not in best or _rank(found) < _rank(best[first]):
            best[first] = found

    def bar() -> int:  # what a path must beat to enter the list
        if len(best) < limit:
            return 0
        return sorted((f[0] for f in best.values()), reverse=True)[limit - 1]

    for a, score in valid_near.items():
        if score > 0:
            strength, tie = near[a]
            offer(_found((a, target_id), (score, strength), (0, tie)))
    order = sorted(valid_near, key=lambda k: -near[k][0])[:EXPAND]
    done, size = 0, 16
    while done < len(order) and near[order[done]][0] > bar():
        batch = order[done : done + size]
        done, size = done + len(batch), size * 4
        in_batch = set(batch)
        far = [
            (other, mid, strength, pk)
            for pk, x, y, strength in _ties_of(batch, at)
            for mid, other in ((x, y), (y, x))
            if mid in in_batch and other != target_id
        ]
        scores = _scores((other for other, *_ in far), at)
        for a, b, strength, pk in far:
            score = scores.get(a, 0)
            if score > 0 and a != b:
                b_strength, b_tie = near[b]
                offer(_found((a, b, target_id), (score, strength, b_strength), (0, pk, b_tie)))
    return _materialise(sorted(best.values(), key=_rank)[:limit])


def _materialise(found: list[_Found]) -> list[IntroPath]:
    """The paths shown: their people and ties as model rows, for the evidence (two queries)."""
    people_ids = {pk for f in found for pk in f[3]}
    tie_ids = {pk for f in found for pk in f[5] if pk}
    people = Contact.objects.only(*_FIELDS).in_bulk(people_ids)
    ties = ContactTie.objects.in_bulk(tie_ids)
    paths = []
    for _weakest, _hops, _sum, ids, strengths, tie_pks in found:
        links = [Link(None, people[ids[0]], strengths[0])]
        for i in range(1, len(ids)):
            links.append(Link(people[ids[i - 1]], people[ids[i]], strengths[i], ties[tie_pks[i]]))
        paths.append(IntroPath(links))
    return paths


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
