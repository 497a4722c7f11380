"""The words routing reads, stored between calls: each member's folded words (their profile's, and those
of every project they led or worked on), with where each word comes from; and how many offers they
answered and accepted.

Folding every past project's text on every ranking was the slow part of routing (a circle of 200
members with 10,000 past projects read and folded them all for each request). Each member now has one
`MemberWords` row (their projects in a fixed order; which of them they led, which are closed, which
won, as bit masks over that order; their offers answered and accepted) and one `MemberWord` row per
word: the stem, or the requester (`@req:<contact id>`) or organisation (`@org:<key>`) of a project,
with a bit mask of its sources (bit 0 the profile, bit i+1 the i-th project).

Ranking reads them side by side (`member_words_table`): the masks of one word, of every member, are one
row of bits (each member a range of whole bytes in it), so what it asks of the masks is asked of whole
rows with numpy, not member by member and word by word. The rows of the words asked for until now are
kept in memory (a budget of 32 MB, the least recently asked first out) and checked on each call against
when each member's row was built (`built_at`, read with the member): only the rows of a member built
again since are read again. A process that just started reads the rows of the request's words from the
database, as before. The counts of offers were counted over every offer of the circle on each call;
they are kept here with the words, so a ranking reads no table that grows with the projects.

When they are built again (`member_words_refresh`):
- explicitly, by the services that change them in this app: a profile saved
  (`profiles.member_profile_update`), a member becoming project lead (`services.offer_accept`);
- lazily, when ranking finds them stale (`member_words_fresh`): a member without a row (created in
  bulk, or before the table existed); a profile whose texts differ from those the row was built from
  (the offer statement is edited outside this app); an audit event (`circulation.Event`) newer than the
  row on a request the member leads or works on. Every change to a project goes through the
  request's audit trail (a project closed or reopened, a team joined), and the apps below this one may
  not call it. An audit event newer than the row on a request offered to the member counts their
  offers again, alone (every change to an offer is audited: made, answered, expired, withdrawn);
- all at once with `manage.py routing_words` (after a bulk import, or to be sure).

What the audit trail does not show, and so waits for one of the above: a contact's organisation edited
or two contacts merged (who "knows" the requester's organisation), a request deleted, an offer written
straight into the table (an import).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from django.db import connection, transaction
from django.db.models import CharField, Count, ExpressionWrapper, Func, IntegerField, Max, Q, TextField
from django.db.models.functions import Cast, Substr
from django.utils import timezone

from cercle.accounts.models import User
from cercle.circle.models import MemberProfile, MemberWord, MemberWords, Offer, OfferState
from cercle.circulation.models import Event, Request
from cercle.circulation.states import Outcome, State
from cercle.network.search import fold_words, unaccent

MAX_WORD = 200  # MemberWord.word's length; a longer word is stored and looked up cut alike
REQUESTER = "@req:"
ORGANISATION = "@org:"

_FOLD_CACHE_SIZE = 50_000
_folded: OrderedDict[tuple[int, int], frozenset[str]] = OrderedDict()
_CHUNK_CACHE_SIZE = 200_000
_chunks: dict[str, tuple[str, ...]] = {}


def _fold(text: str) -> list[str]:
    """`fold_words(text)`, word by word from a cache: the same stems in the same order (a word never
    spans a space, and folding a word does not depend on its neighbours), but a title seen for the
    first time costs dictionary lookups for the words already met, not two stemmers and an unaccent."""
    stems: list[str] = []
    for chunk in text.split():
        folded = _chunks.get(chunk)
        if folded is None:
            if len(_chunks) >= _CHUNK_CACHE_SIZE:
                _chunks.clear()
            folded = _chunks[chunk] = tuple(fold_words(chunk))
        stems.extend(folded)
    return stems


def _request_stems(request_id: int, text: str) -> frozenset[str]:
    """The stems of a past request's subject and summary start, remembered by request and text (a title
    read again gives new stems)."""
    key = (request_id, hash(text))
    stems = _folded.get(key)
    if stems is None:
        stems = frozenset(_fold(text))
        _folded[key] = stems
        if len(_folded) > _FOLD_CACHE_SIZE:
            _folded.popitem(last=False)
    return stems


def word_key(word: str) -> str:
    return word[:MAX_WORD]


def org_key(organisation: str, email: str) -> str:
    """The organisation a requester belongs to, as routing compares them: the name without accents or
    case, else the domain of the address (a free-mail domain is the caller's business)."""
    return unaccent(organisation or "").strip() or (email or "").rpartition("@")[2].lower()


def profile_text(member: User, profile: MemberProfile | None) -> str:
    """The texts of a member that routing folds: what they say they do."""
    text = [member.offer_statement]
    if profile is not None:
        text += [profile.offers, profile.skills, profile.headline_fr, profile.headline_en]
    return " ".join(t for t in text if t)


_SEPARATOR = "\x1f"
_SOURCES = (
    "offer_statement",
    "profile__offers",
    "profile__skills",
    "profile__headline_fr",
    "profile__headline_en",
)


class _SideBySide(Func):
    """Texts side by side, as `profile_source` puts them (a missing one empty), in one SQL expression:
    cheaper to compile than `Concat` (ranking reads it on each call)."""

    output_field = TextField()

    def as_sql(self, compiler, connection, **extra_context):  # type: ignore[no-untyped-def, override]
        parts, params = [], []
        for i, expression in enumerate(self.get_source_expressions()):
            sql, part_params = compiler.compile(expression)
            if i:
                parts.append("%s")
                params.append(_SEPARATOR)
            parts.append(f"COALESCE({sql}, '')")
            params.extend(part_params)
        return "(" + " || ".join(parts) + ")", params


# The texts a member's words are built from, side by side, as the database puts them together (on a
# `User` query): compared with `MemberWords.profile_source` to find the rows older than the profile.
PROFILE_SOURCE = _SideBySide(*_SOURCES)


def profile_source(member: User, profile: MemberProfile | None) -> str:
    """`PROFILE_SOURCE`, from the objects."""
    texts = [member.offer_statement or ""]
    texts += (
        [profile.offers, profile.skills, profile.headline_fr, profile.headline_en] if profile else [""] * 4
    )
    return _SEPARATOR.join(texts)


@dataclass
class _Built:
    projects: list[int] = field(default_factory=list)
    words: dict[str, int] = field(default_factory=dict)
    led: int = 0
    closed: int = 0
    won: int = 0


def member_words_refresh(*, member_ids: Iterable[int]) -> None:
    """Build the stored words of these members again, from their profile and their projects."""
    ids = sorted(set(member_ids))
    if not ids:
        return
    # The newest event first: one written while this runs is newer than the row, so it is seen again.
    event_high = Event.objects.aggregate(high=Max("pk"))["high"] or 0
    members = list(User.objects.filter(pk__in=ids).only("pk", "offer_statement"))
    profiles = {p.user_id: p for p in MemberProfile.objects.filter(user_id__in=ids)}
    built: dict[int, _Built] = {m.pk: _Built() for m in members}
    sources = {}
    for member in members:
        text = profile_text(member, profiles.get(member.pk))
        sources[member.pk] = profile_source(member, profiles.get(member.pk))
        words = built[member.pk].words
        for stem in _fold(text):
            words[word_key(stem)] = 1
    past = (
        Request.objects.filter(Q(lead_id__in=ids) | Q(project__team__in=ids))
        .annotate(summary_start=Substr("summary", 1, 300))
        .values_list(
            "pk",
            "lead_id",
            "project__team",
            "subject",
            "summary_start",
            "state",
            "outcome",
            "requester_id",
            "requester__organisation",
            "requester__email",
        )
        .order_by("pk")
    )
    seen: set[tuple[int, int]] = set()
    for pk, lead_id, team_id, subject, summary, state, outcome, requester_id, org, email in past:
        stems = None
        for member_id in (lead_id, team_id):
            if member_id is None or member_id not in built or (pk, member_id) in seen:
                continue
            seen.add((pk, member_id))
            if stems is None:
                stems = {word_key(s) for s in _request_stems(pk, f"{subject} {summary or ''}")}
                stems.add(f"{REQUESTER}{requester_id}")
                key = org_key(org, email)
                if key:
                    stems.add(word_key(ORGANISATION + key))
            b = built[member_id]
            bit = 1 << (len(b.projects) + 1)
            b.projects.append(pk)
            for word in stems:
                b.words[word] = b.words.get(word, 0) | bit
            if member_id == lead_id:
                b.led |= bit
            if state == State.CLOSED:
                b.closed |= bit
                if outcome == Outcome.WON:
                    b.won |= bit
    answers = _answers(ids)
    now = timezone.now()
    with transaction.atomic():
        MemberWord.objects.filter(member_id__in=ids).delete()
        # Written word by word: the rows of one word side by side on disk, as ranking reads them.
        MemberWord.objects.bulk_create(
            [
                MemberWord(member_id=member_id, word=word, sources=f"{mask:x}")
                for word, member_id, mask in sorted(
                    (word, member_id, mask)
                    for member_id, b in built.items()
                    for word, mask in b.words.items()
                )
            ],
            batch_size=2_000,
            ignore_conflicts=True,  # built at the same time by another call: the same rows
        )
        MemberWords.objects.filter(member_id__in=ids).exclude(member_id__in=built).delete()
        MemberWords.objects.bulk_create(
            [
                MemberWords(
                    member_id=member_id,
                    projects=" ".join(map(str, b.projects)),
                    led=f"{b.led:x}",
                    closed=f"{b.closed:x}",
                    won=f"{b.won:x}",
                    profile_source=sources[member_id],
                    event_high=event_high,
                    built_at=now,
                    answered=answers.get(member_id, (0, 0))[0],
                    accepted=answers.get(member_id, (0, 0))[1],
                )
                for member_id, b in built.items()
            ],
            update_conflicts=True,
            unique_fields=["member"],
            update_fields=[
                "projects",
                "led",
                "closed",
                "won",
                "profile_source",
                "event_high",
                "built_at",
                "answered",
                "accepted",
            ],
        )


def _answers(ids: list[int]) -> dict[int, tuple[int, int]]:
    """Each member's offers answered (any state but pending) and accepted."""
    return {
        member_id: (answered, accepted)
        for member_id, answered, accepted in Offer.objects.filter(member_id__in=ids)
        .exclude(state=OfferState.PENDING)
        .values("member_id")
        .annotate(n=Count("id"), yes=Count("id", filter=Q(state=OfferState.ACCEPTED)))
        .order_by()
        .values_list("member_id", "n", "yes")
    }


# --- Reading: fresh rows first, then the words asked for, every member at once ------------------------


class Head(NamedTuple):
    """What ranking reads of a member's `MemberWords` row (with the member, in one query): when it was
    built (`built`, as text; None: no row yet), whether the profile's texts are those it was built from,
    up to which audit event it was checked, and the member's offers answered and accepted."""

    built: str | None
    same_profile: bool
    event_high: int
    answered: int
    accepted: int


# When a row was built, as text: compared, never read as a date (parsing 200 dates is not free).
BUILT = Cast("built_at", output_field=CharField())
# For a `User` query: what ranking reads of their stored words (`Head`).
HEAD = (
    Cast("routing_words__built_at", output_field=CharField()),
    # 1 (or true) when the row was built from the profile's texts as they are (no conversion: read as a
    # truth value).
    ExpressionWrapper(Q(routing_words__profile_source=PROFILE_SOURCE), output_field=IntegerField()),
    "routing_words__event_high",
    "routing_words__answered",
    "routing_words__accepted",
)


def member_words_fresh(*, heads: dict[int, Head]) -> dict[int, Head]:
    """The heads of these members' stored words once fresh: built again for the members whose row is
    missing or stale, their answers counted again for those offered a request whose audit trail moved
    since."""
    stale, recount, checked = _stale(heads=heads)
    if recount:
        answers = _answers(sorted(recount))
        rows = list(MemberWords.objects.filter(member_id__in=recount).only("member_id"))
        for row in rows:
            row.answered, row.accepted = answers.get(row.member_id, (0, 0))
        MemberWords.objects.bulk_update(rows, ["answered", "accepted"])
        heads = {
            m: h._replace(answered=answers.get(m, (0, 0))[0], accepted=answers.get(m, (0, 0))[1])
            if m in recount
            else h
            for m, h in heads.items()
        }
    if checked:
        high, others = checked
        MemberWords.objects.filter(member_id__in=others, event_high__lt=high).update(event_high=high)
    if stale:
        member_words_refresh(member_ids=stale)
        heads = dict(heads)
        for member_id, built, high, answered, accepted in MemberWords.objects.filter(
            member_id__in=stale
        ).values_list("member_id", BUILT, "event_high", "answered", "accepted"):
            heads[member_id] = Head(built, True, high, answered, accepted)
    return heads


def _stale(*, heads: dict[int, Head]) -> tuple[set[int], set[int], tuple[int, list[int]] | None]:
    """The members whose stored words are missing or older than what they are built from; those whose
    answers are (an audit event on a request offered to them: an offer made, answered, moved on); and
    the newest event with the others, to mark their rows as checked up to it."""
    highs = {member_id: head.event_high for member_id, head in heads.items() if head.built is not None}
    stale = {member_id for member_id, head in heads.items() if head.built is None or not head.same_profile}
    recount: set[int] = set()
    if not highs:
        return stale, recount, None
    floor = min(highs.values())
    events = list(Event.objects.filter(pk__gt=floor).values_list("pk", "request_id"))
    if not events:
        return stale, recount, None
    newest: dict[int, int] = {}
    for pk, request_id in events:
        newest[request_id] = max(newest.get(request_id, 0), pk)
    for request_id, lead_id, team_id in Request.objects.filter(pk__in=list(newest)).values_list(
        "pk", "lead_id", "project__team"
    ):
        for member_id in (lead_id, team_id):
            if member_id in highs and highs[member_id] < newest[request_id]:
                stale.add(member_id)
    for request_id, member_id in Offer.objects.filter(request_id__in=list(newest)).values_list(
        "request_id", "member_id"
    ):
        if member_id in highs and highs[member_id] < newest[request_id]:
            recount.add(member_id)
    recount -= stale
    return stale, recount, (max(newest.values()), [pk for pk in highs if pk not in stale])


# Bits set in each byte value: how many of a member's projects a mask holds.
_POPCOUNT = np.array([bin(value).count("1") for value in range(256)], dtype=np.int64)
_TABLE_BYTES = 32 * 2**20  # the words kept in memory, at most (the least recently asked go first)
_HEADROOM = 1  # bytes: a member can take 8 more projects before the members are laid out again


@dataclass
class WordTable:
    """The stored words asked for, of the members asked for, side by side: one row of bits per word.

    Each member has a range of whole bytes in a row; within it, bit 0 is their profile and bit i+1 their
    i-th project, as in their `MemberWord.sources` mask. So what ranking asks of each member's masks
    (which words they have, which of their projects have two of the request's words) is asked of whole
    rows at once (numpy), not member by member, word by word."""

    rows: np.ndarray  # uint8, one row of packed bits per word asked for, in the order asked
    starts: np.ndarray  # the first byte of each member of the layout
    positions: np.ndarray  # the layout position of each member asked for, in the order asked
    led: np.ndarray  # their projects led, closed, won: packed bits over the same layout
    closed: np.ndarray
    won: np.ndarray
    left_out: dict[int, int]  # member: the bit of the project left out in their own masks

    def present(self, rows: np.ndarray) -> np.ndarray:
        """Which members have any bit of each row: words × members asked for (bool)."""
        if not len(rows):
            return np.zeros((0, len(self.positions)), dtype=bool)
        return np.bitwise_or.reduceat(rows, self.starts, axis=1)[:, self.positions] != 0

    def count(self, row: np.ndarray) -> np.ndarray:
        """How many bits of one row each member asked for has (int64)."""
        return np.add.reduceat(_POPCOUNT[row], self.starts)[self.positions]


class _Overflow(Exception):
    """A member's projects no longer fit their range: the members are laid out again."""


class _Index:
    """The stored words of the members, laid side by side (`WordTable`), kept in memory between calls.

    It is a copy of the `MemberWord` rows of the words asked for until now, checked on each call against
    when each member's row was built (`MemberWords.built_at`, in the query that reads the members): a
    member built again since is read again (only their rows), a new member lays everyone out again."""

    def __init__(self, database: str, heads: list[tuple[int, str, str, str, str, str]]) -> None:
        self.database = database
        self.position: dict[int, int] = {}
        self.built: dict[int, str] = {}
        self.starts: list[int] = []
        self.widths: list[int] = []
        width = 0
        for i, (member_id, built_at, projects, *_masks) in enumerate(heads):
            self.position[member_id] = i
            self.built[member_id] = built_at
            self.starts.append(width)
            self.widths.append(_bytes_for(projects) + _HEADROOM)
            width += self.widths[-1]
        self.width = width
        self.start_array = np.array(self.starts, dtype=np.intp)
        self.led = np.zeros(width, dtype=np.uint8)
        self.closed = np.zeros(width, dtype=np.uint8)
        self.won = np.zeros(width, dtype=np.uint8)
        for i, (_member_id, _built_at, _projects, led, closed, won) in enumerate(heads):
            self._put(self.led, i, int(led, 16))
            self._put(self.closed, i, int(closed, 16))
            self._put(self.won, i, int(won, 16))
        self.capacity = max(256, _TABLE_BYTES // max(width, 1))
        self.table = np.zeros((min(256, self.capacity), width), dtype=np.uint8)
        self.free = list(range(len(self.table) - 1, -1, -1))
        self.rows: OrderedDict[str, int] = OrderedDict()  # word: its row in the table (-1: nobody's)

    def _put(self, row: np.ndarray, i: int, mask: int) -> None:
        start, width = self.starts[i], self.widths[i]
        try:
            row[start : start + width] = np.frombuffer(mask.to_bytes(width, "little"), dtype=np.uint8)
        except OverflowError as exc:
            raise _Overflow from exc

    def sync(self, built: dict[int, str]) -> None:
        """Read again the members built since (raises `_Overflow` when one of them no longer fits)."""
        changed = [m for m, at in built.items() if self.built[m] != at]
        if not changed:
            return
        for member_id, built_at, projects, led, closed, won in MemberWords.objects.filter(
            member_id__in=changed
        ).values_list("member_id", BUILT, "projects", "led", "closed", "won"):
            i = self.position[member_id]
            if _bytes_for(projects) > self.widths[i]:
                raise _Overflow
            start, end = self.starts[i], self.starts[i] + self.widths[i]
            self.table[:, start:end] = 0
            self._put(self.led, i, int(led, 16))
            self._put(self.closed, i, int(closed, 16))
            self._put(self.won, i, int(won, 16))
            self.built[member_id] = built_at
        for member_id, word, sources in MemberWord.objects.filter(member_id__in=changed).values_list(
            "member_id", "word", "sources"
        ):
            slot = self.rows.get(word)
            if slot is None:
                continue  # not asked for yet: read when it is
            if slot < 0:
                slot = self.rows[word] = self._slot(set())
            if member_id in self.position:
                self._put(self.table[slot], self.position[member_id], int(sources, 16))

    def _slot(self, keep: set[str]) -> int:
        """A free row of the table, zeroed: the least recently asked word's, past the budget."""
        if not self.free and (len(self.table) < self.capacity or len(keep) >= len(self.table) // 2):
            grown = np.zeros((len(self.table), self.width), dtype=np.uint8)
            self.free = list(range(2 * len(self.table) - 1, len(self.table) - 1, -1))
            self.table = np.concatenate([self.table, grown])
        while not self.free:
            oldest = next(w for w in self.rows if w not in keep)
            slot = self.rows.pop(oldest)
            if slot >= 0:
                self.free.append(slot)
        slot = self.free.pop()
        self.table[slot] = 0
        return slot

    def read(self, words: list[str]) -> np.ndarray:
        """The rows of these words (a copy), read from the database for those not asked for before."""
        keep = set(words)
        for word in words:
            if word in self.rows:
                self.rows.move_to_end(word)
        missing = [w for w in keep if w not in self.rows]
        if missing:
            for word in missing:
                self.rows[word] = -1
            for word, member_id, sources in MemberWord.objects.filter(word__in=missing).values_list(
                "word", "member_id", "sources"
            ):
                i = self.position.get(member_id)
                if i is None:
                    continue  # not one of the members laid out (not asked for)
                slot = self.rows[word]
                if slot < 0:
                    slot = self.rows[word] = self._slot(keep)
                self._put(self.table[slot], i, int(sources, 16))
            while len(self.rows) > 4 * self.capacity:  # words nobody has count too, a little
                oldest = next(iter(self.rows))
                if oldest in keep:
                    break
                slot = self.rows.pop(oldest)
                if slot >= 0:
                    self.free.append(slot)
        slots = [self.rows[w] for w in words]
        rows = self.table[[max(s, 0) for s in slots]]
        rows[[i for i, s in enumerate(slots) if s < 0]] = 0
        return rows


def _bytes_for(projects: str) -> int:
    """The bytes of a member's masks: bit 0 for their profile, one bit per project."""
    count = projects.count(" ") + 1 if projects else 0
    return (count + 1 + 7) // 8


_index: _Index | None = None
_lock = threading.Lock()


def index_clear() -> None:
    """Forget the words kept in memory (a process that just started)."""
    global _index
    with _lock:
        _index = None


def member_words_table(*, built: dict[int, str], words: list[str], leave_out: int | None) -> WordTable:
    """The stored words `words` (as `word_key` cuts them) of the members of `built` (their rows fresh,
    `member_words_fresh`), side by side; with `leave_out` (a request id), that project is left out of
    the masks of the members it belongs to."""
    global _index
    ids = list(built)
    database = str(connection.settings_dict["NAME"])
    with _lock:
        for _attempt in range(2):
            index = _index
            try:
                if index is None or index.database != database or any(m not in index.position for m in ids):
                    laid = set(ids) | (set(index.position) if index and index.database == database else set())
                    index = _Index(database, _heads(laid))
                    _index = index
                index.sync(built)
                rows = index.read(words)
            except _Overflow:
                _index = None
                continue
            break
        else:  # pragma: no cover - laid out twice in a row: a member taking projects meanwhile
            raise RuntimeError("routing words could not be laid out")
        table = WordTable(
            rows=rows,
            starts=index.start_array,
            positions=np.array([index.position[m] for m in ids], dtype=np.intp),
            led=index.led.copy(),
            closed=index.closed.copy(),
            won=index.won.copy(),
            left_out={},
        )
        starts = {m: index.starts[index.position[m]] for m in ids} if leave_out is not None else {}
    if leave_out is not None:
        key = str(leave_out)
        for member_id, projects in MemberWords.objects.filter(
            Q(projects=key)
            | Q(projects__startswith=f"{key} ")
            | Q(projects__endswith=f" {key}")
            | Q(projects__contains=f" {key} ")
        ).values_list("member_id", "projects"):
            if member_id not in starts:
                continue
            local = projects.split().index(key) + 1
            table.left_out[member_id] = 1 << local
            bit = 8 * starts[member_id] + local
            table.rows[:, bit // 8] &= np.uint8(0xFF ^ (1 << (bit % 8)))
    return table


def _heads(ids: set[int]) -> list[tuple[int, str, str, str, str, str]]:
    return list(
        MemberWords.objects.filter(member_id__in=ids)
        .order_by("member_id")
        .values_list("member_id", BUILT, "projects", "led", "closed", "won")
    )
