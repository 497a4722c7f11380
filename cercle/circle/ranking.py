"""Who should take this request? Members ranked for one request, each with the reasons.

Six signals, each between 0 and 1, weighed and added (the weights are principles, not fitted to a test
split: what the member does matters most, then whether they can take it, then who they know):

- **fit** (0.40): the request's words (subject, summary, brief; stemmed in French and English) found in
  what the member offers, their skills and headline, their offer statement and the subjects of the
  projects they led, each word weighed by its rarity among members (a word every member has says nothing);
- **knows** (0.20): the member led or worked on a project for the same requester (1) or the same
  organisation (0.7), or wrote notes about the requester;
- **room** (0.15): free slots within their capacity; a full member falls to the bottom half;
- **similar won** (0.10): among their closed projects that share words with this request, the share won;
- **language** (0.10): they work in the request's language;
- **answers** (0.05): the share of offers they accepted (a member who never answers is a slow route).

Room and answers are the same whatever the request: added as they are, they would put the same member
first whenever the request's words are few (in the demo hub, the member with the most free slots and the
best answer rate came first on 40 of the bench's 68 demo test requests). They say whether a member can
take a request, not whether this one is theirs, so they break ties between members about as relevant
to it: each member's room and answers count in proportion to their relevance (fit, knows and similar,
weighed) over the most relevant member's. When nobody is relevant at all, they count in full, as on the
routing page before suggestions. The signals shown are the raw ones.

The words of each member and of their projects are stored between calls (`circle/words.py`): ranking
reads only the rows of the request's words, not every past project, laid side by side for every member
(a row of bits per word), and scores every member at once on those rows (numpy): the same operations in
the same order as one member at a time, so the same scores to the last bit. What is made member by
member is the `Suggestion` itself; its signals and its reasons are made when first read (the routing page
says the reasons of its first members, and of whoever the second asks about). A bounded number of
queries, whatever the number of members.

A member away (`unavailable_until`) stays in the list, last, with the date: the second can still pick
anyone.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import date

import numpy as np
from django.db.models import CharField, Count
from django.db.models.functions import Cast
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cercle.accounts.models import Role, User
from cercle.circle.models import MemberWord
from cercle.circle.words import (
    HEAD,
    ORGANISATION,
    REQUESTER,
    Head,
    _chunks,  # noqa: F401  (the bench empties the fold caches through this module)
    _fold,
    _folded,  # noqa: F401
    index_clear,  # noqa: F401
    member_words_fresh,
    member_words_table,
    word_key,
)
from cercle.circulation.models import Request
from cercle.circulation.states import State
from cercle.network.domains import FREEMAIL_DOMAINS
from cercle.network.models import ContactNote
from cercle.network.search import unaccent

WEIGHTS = {"fit": 0.40, "knows": 0.20, "room": 0.15, "similar": 0.10, "language": 0.10, "answers": 0.05}
OPEN_STATES = (State.ACCEPTED, State.KICKED_OFF)
SIGNALS = ("fit", "knows", "room", "similar", "language", "answers")


class Suggestion:
    """One member for one request: the score, and the signals and reasons behind it, made when first read
    (the routing page shows the reasons of the first members, and of whoever the second asks about)."""

    __slots__ = (
        "_member",
        "_ranking",
        "_reasons",
        "_signals",
        "away_until",
        "full",
        "index",
        "member_id",
        "score",
    )

    def __init__(
        self, ranking: _Ranking, index: int, member_id: int, score: float, away_until: date | None, full: bool
    ) -> None:
        self._ranking = ranking
        self.index = index  # the member's place in the list ranked (not their rank)
        self.member_id = member_id
        self.score = score
        self.away_until = away_until
        self.full = full
        self._member: User | None = None
        self._signals: dict[str, float] | None = None
        self._reasons: list[str] | None = None

    @property
    def member(self) -> User:
        if self._member is None:
            self._member = self._ranking.member(self.member_id)
        return self._member

    @property
    def signals(self) -> dict[str, float]:
        """The raw signals, each between 0 and 1."""
        if self._signals is None:
            self._signals = self._ranking.signals(self.index)
        return self._signals

    @property
    def reasons(self) -> list[str]:
        """Why, in the language active when the ranking was made."""
        if self._reasons is None:
            self._reasons = self._ranking.reasons(self.index)
        return self._reasons

    @property
    def percent(self) -> int:
        return round(100 * self.score)

    def __repr__(self) -> str:
        return f"Suggestion(member_id={self.member_id}, score={self.score})"


def _request_text(request: Request, brief: str = "") -> str:
    return " ".join([request.subject, request.summary[:3000], brief])


def _org_key(organisation: str, email: str) -> str:
    org = unaccent(organisation).strip()
    if org:
        return org
    domain = email.rpartition("@")[2].lower()
    return "" if domain in FREEMAIL_DOMAINS else domain  # gmail.com is nobody's organisation


_PEOPLE = (
    "pk",
    "profile__id",
    "profile__capacity",
    "profile__languages",
    Cast("profile__unavailable_until", output_field=CharField()),  # a date as text: most are empty
    *HEAD,
)
_LANGUAGES: dict[str, frozenset[str]] = {}


def _languages(codes: str) -> frozenset[str]:
    """`MemberProfile.language_list`, remembered by the text."""
    found = _LANGUAGES.get(codes)
    if found is None:
        if len(_LANGUAGES) > 1_000:
            _LANGUAGES.clear()
        found = _LANGUAGES[codes] = frozenset(
            code.strip().lower() for code in codes.replace(";", ",").split(",") if code.strip()
        )
    return found


def rank_members(*, request: Request, brief: str = "", members: list[User] | None = None) -> list[Suggestion]:
    """Every active circle member (or `members`), best first, with the reasons in the active language.

    A bounded number of queries whatever the number of members. Member by member, only what cannot be
    done on arrays: reading their row, and the `Suggestion` itself; signals and reasons are made when read.
    """
    today = timezone.localdate()
    # Each member with their profile and the head of their stored words, in one query.
    if members is None:
        people = list(
            User.objects.filter(role=Role.MEMBER, is_active=True).order_by("pk").values_list(*_PEOPLE)
        )
        given: dict[int, User] = {}
    else:
        given = {m.pk: m for m in members}
        people = list(User.objects.filter(pk__in=list(given)).order_by("pk").values_list(*_PEOPLE))
    if not people:
        return []
    ids = [row[0] for row in people]
    heads = {
        pk: Head(built, bool(same), high or 0, answered or 0, accepted or 0)
        for pk, _p, _c, _l, _u, built, same, high, answered, accepted in people
    }

    # The request's words first: of each member's words and projects, only those count.
    wanted = set(_fold(_request_text(request, brief)))
    requester = request.requester
    target_org = _org_key(requester.organisation, requester.email)
    by_requester = f"{REQUESTER}{requester.pk}"
    by_org = word_key(ORGANISATION + target_org) if target_org else ""
    keys = {word_key(s): s for s in wanted}
    stems = list(keys.values())
    # Each member's words, as stored between calls (circle/words.py), rebuilt first when stale, side by
    # side: a row of bits per word, each member a range of it (their profile, then their projects).
    heads = member_words_fresh(heads=heads)
    table = member_words_table(
        built={pk: heads[pk].built for pk in ids},  # type: ignore[misc]
        words=list(keys),
        leave_out=request.pk if request.lead_id is not None else None,
    )
    rows = table.rows
    row_of = {stem: i for i, stem in enumerate(stems)}
    present = table.present(rows)  # the request's stems × members: which of them each member has

    # Of the projects each member led, those sharing at least two of the request's words (words, not
    # stems: "visuelle" has a French and an English stem, and is one word).
    one = np.zeros(rows.shape[1], dtype=np.uint8)
    two = one.copy()
    for row in rows:
        two |= one & row
        one |= row
    similar_rows = two & table.led
    if similar_rows.any():
        one_word, two_words = np.zeros_like(one), np.zeros_like(one)
        for group in {folded & wanted for _word, folded in _request_words(_request_text(request, brief))}:
            mask = np.zeros_like(one)
            for stem in group:
                if stem in row_of:
                    mask |= rows[row_of[stem]]
            two_words |= one_word & mask
            one_word |= mask
        similar_rows &= two_words
    similar = table.count(similar_rows)
    closed = table.count(similar_rows & table.closed)
    won = table.count(similar_rows & table.won)

    # Who knows the requester (a project for them) or their organisation (a project there), or wrote
    # notes about the requester.
    members_set = set(ids)
    found: dict[int, dict[str, int]] = {}
    for member_id, word, sources in MemberWord.objects.filter(
        word__in=[by_requester, *([by_org] if by_org else [])]
    ).values_list("member_id", "word", "sources"):
        if member_id in members_set:
            found.setdefault(member_id, {})[word] = int(sources, 16) & ~table.left_out.get(member_id, 0)
    knows: dict[int, tuple[float, str]] = {}
    for member_id, words in found.items():
        if words.get(by_requester, 0):
            knows[member_id] = (1.0, requester.display_name)
        elif by_org and words.get(by_org, 0):
            knows[member_id] = (0.7, requester.organisation or target_org)
    for author_id in ContactNote.objects.filter(contact=requester).values_list("author_id", flat=True):
        if author_id in members_set:
            knows.setdefault(author_id, (0.5, requester.display_name))

    # Rarity of each word among members (idf); a word more than half of them have says nothing about
    # who fits (on a real request: the topic words everyone in a consultancy circle uses).
    n = len(ids)
    frequency = dict(zip(stems, present.sum(axis=1).tolist(), strict=True))
    telling = {s for s in wanted if frequency.get(s, 0) <= max(1, n // 2)}
    idf = {s: math.log(1 + n / (1 + frequency.get(s, 0))) for s in telling}
    total = sum(idf.values()) or 1.0
    # The telling stems, most telling first: each member's fit adds up theirs in this order.
    ordered = [s for s in sorted(telling, key=lambda s: (-idf[s], s)) if s in row_of]
    fit = np.zeros(n)
    if ordered:
        weights = np.array([idf[s] for s in ordered])[:, None]
        fit = np.cumsum(present[[row_of[s] for s in ordered]] * weights, axis=0)[-1] / total

    load = dict(
        Request.objects.filter(lead__isnull=False, state__in=OPEN_STATES)
        .values_list("lead_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    capacity, free, language, away = [], [], [], []
    for pk, profile, cap, codes, until, *_head in people:
        if profile is None:
            cap, codes, until = 3, "fr", None
        capacity.append(cap)
        free.append(max(cap - load.get(pk, 0), 0))
        language.append(1.0 if request.language in _languages(codes) else 0.0)
        day = date.fromisoformat(until) if until else None
        away.append(day if day and day > today else None)
    answered = [heads[pk].answered for pk in ids]
    accepted = [heads[pk].accepted for pk in ids]
    signals = {
        "fit": fit,
        "knows": np.array([knows.get(pk, (0.0, ""))[0] for pk in ids], dtype=float),
        "room": _ratio(free, capacity, 0.0),
        "similar": _ratio(won, closed, 0.0),
        "language": np.array(language, dtype=float),
        "answers": _ratio(accepted, answered, 0.5),
    }
    # Relevance (fit, knows, similar) is what this request asks of the member. Room and answers, the same
    # whatever the request, say whether a member can take it, not whether they are the one for this one:
    # they count in full for the most relevant member and in proportion for the others. (The same
    # operations in the same order as one member at a time: the same scores to the last bit.)
    relevance = WEIGHTS["fit"] * signals["fit"] + WEIGHTS["knows"] * signals["knows"]
    relevance = relevance + WEIGHTS["similar"] * signals["similar"]
    top = float(relevance.max())
    share = relevance / top if top else np.ones(n)
    availability = WEIGHTS["room"] * signals["room"] + WEIGHTS["answers"] * signals["answers"]
    score = relevance + WEIGHTS["language"] * signals["language"] + share * availability
    full = [f == 0 for f in free]
    score = np.where(full, score * 0.5, score)
    score = np.where([a is not None for a in away], score * 0.2, score)

    ranking = _Ranking(
        language=translation.get_language(),
        given=given,
        ids=ids,
        signals={k: signals[k].tolist() for k in SIGNALS},
        request_words=_request_words(_request_text(request)),
        order=ordered,
        rows=[row_of[s] for s in ordered],
        present=present,
        knows=knows,
        free=free,
        capacity=capacity,
        similar=similar.tolist(),
        won=won.tolist(),
        answered=answered,
        accepted=accepted,
        away=away,
    )
    suggestions = [
        Suggestion(ranking, i, pk, round(value, 4), away[i], full[i])
        for i, (pk, value) in enumerate(zip(ids, score.tolist(), strict=True))
    ]
    suggestions.sort(key=lambda s: (-s.score, s.member_id))
    return suggestions


def _ratio(part: Sequence[int] | np.ndarray, whole: Sequence[int] | np.ndarray, default: float) -> np.ndarray:
    """part / whole member by member, `default` where whole is 0."""
    part, whole = np.asarray(part, dtype=float), np.asarray(whole, dtype=float)
    out = np.full(len(whole), default)
    np.divide(part, whole, out=out, where=whole != 0)
    return out


class _Ranking:
    """What one ranking knows of each member (by their place in the list ranked), kept to make the
    signals and the reasons of a suggestion when they are read."""

    def __init__(
        self,
        *,
        language: str | None,
        given: dict[int, User],
        ids: list[int],
        signals: dict[str, list[float]],
        request_words: list[tuple[str, frozenset[str]]],
        order: list[str],
        rows: list[int],
        present: np.ndarray,
        knows: dict[int, tuple[float, str]],
        free: list[int],
        capacity: list[int],
        similar: list[int],
        won: list[int],
        answered: list[int],
        accepted: list[int],
        away: list[date | None],
    ) -> None:
        self.language = language
        self.users = given
        self.ids = ids
        self.columns = signals
        self.request_words = request_words
        self.order = order
        self.rows = rows
        self.present = present
        self.knows = knows
        self.free = free
        self.capacity = capacity
        self.similar = similar
        self.won = won
        self.answered = answered
        self.accepted = accepted
        self.away = away
        self.phrases = _Phrases()

    def member(self, member_id: int) -> User:
        """The member: those not given are read all at once, at the first asked for."""
        if member_id not in self.users:
            self.users.update(User.objects.in_bulk([pk for pk in self.ids if pk not in self.users]))
        return self.users[member_id]

    def signals(self, i: int) -> dict[str, float]:
        return {k: column[i] for k, column in self.columns.items()}

    def reasons(self, i: int) -> list[str]:
        column = self.present[:, i]
        know, know_what = self.knows.get(self.ids[i], (0.0, ""))
        with translation.override(self.language):
            return _reasons(
                phrases=self.phrases,
                matched=[s for s, row in zip(self.order, self.rows, strict=True) if column[row]],
                request_words=self.request_words,
                know=know,
                know_what=know_what,
                free=self.free[i],
                capacity=self.capacity[i],
                language=self.columns["language"][i],
                won=self.won[i],
                similar=self.similar[i],
                answered=self.answered[i],
                accepted=self.accepted[i],
                away=self.away[i],
            )


class _Phrases:
    """The reasons' sentences in the active language, translated once per ranking rather than once per
    member (a translation lookup costs more than the rest of a reason)."""

    def __init__(self) -> None:
        self._texts: dict[object, str] = {}

    def get(self, key: object, translate: Callable[[], str]) -> str:
        text = self._texts.get(key)
        if text is None:
            text = self._texts[key] = translate()
        return text


def _reasons(
    *,
    phrases: _Phrases,
    matched: list[str],
    request_words: list[tuple[str, frozenset[str]]],
    know: float,
    know_what: str,
    free: int,
    capacity: int,
    language: float,
    won: int,
    similar: int,
    answered: int,
    accepted: int,
    away: date | None,
) -> list[str]:
    reasons = []
    if away:
        reasons.append(
            phrases.get("away", lambda: _("away until %(date)s")) % {"date": date_format(away, "DATE_FORMAT")}
        )
    if matched:
        stems = set(matched)
        words = [word for word, folded in request_words if stems & folded]
        reasons.append(
            phrases.get("asked", lambda: _("does what is asked: %(words)s")) % {"words": ", ".join(words[:4])}
        )
    if know >= 1.0:
        reasons.append(phrases.get("worked", lambda: _("already worked with %(name)s")) % {"name": know_what})
    elif know >= 0.7:
        reasons.append(
            phrases.get("org", lambda: _("knows %(org)s: a project there before")) % {"org": know_what}
        )
    elif know > 0:
        reasons.append(phrases.get("notes", lambda: _("wrote notes about %(name)s")) % {"name": know_what})
    if similar:
        reasons.append(
            phrases.get(
                ("similar", similar),
                lambda: ngettext(
                    "%(won)d of %(count)d similar project won",
                    "%(won)d of %(count)d similar projects won",
                    similar,
                ),
            )
            % {"won": won, "count": similar}
        )
    reasons.append(
        phrases.get("full", lambda: _("full: %(capacity)d projects already")) % {"capacity": capacity}
        if free == 0
        else phrases.get(
            ("free", free),
            # English counts the slots ("1 of 2 slots free"), French the free ones ("1 place libre sur 2"):
            # the number chooses the form the translation needs.
            lambda: ngettext(
                "%(free)d of %(capacity)d slots free", "%(free)d of %(capacity)d slots free", free
            ),
        )
        % {"free": free, "capacity": capacity}
    )
    if not language:
        reasons.append(phrases.get("language", lambda: _("does not work in the request's language")))
    if answered >= 3:
        reasons.append(
            phrases.get(
                ("accepted", accepted),
                lambda: ngettext(
                    "accepted %(accepted)d of %(answered)d offers",
                    "accepted %(accepted)d of %(answered)d offers",
                    accepted,
                ),
            )
            % {"accepted": accepted, "answered": answered}
        )
    return reasons


def _request_words(text: str) -> list[tuple[str, frozenset[str]]]:
    """The request's own words, as the requester wrote them, once each, with their stems: a reason
    names the words behind the stems a member matched."""
    words: dict[str, frozenset[str]] = {}
    for word in text.replace("’", " ").replace("'", " ").split():
        clean = word.strip('.,;:!?()«»"“”').lower()
        if clean and clean not in words:
            words[clean] = frozenset(_fold(clean))
    return list(words.items())
