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
reads only the rows of the request's words, not every past project.

A member away (`unavailable_until`) stays in the list, last, with the date: the second can still pick
anyone.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cercle.accounts.models import Role, User
from cercle.circle.models import MemberProfile, Offer, OfferState
from cercle.circle.words import (
    ORGANISATION,
    REQUESTER,
    _chunks,  # noqa: F401  (the bench empties the fold caches through this module)
    _fold,
    _folded,  # noqa: F401
    member_words_read,
    word_key,
)
from cercle.circulation.models import Request
from cercle.circulation.states import State
from cercle.network.domains import FREEMAIL_DOMAINS
from cercle.network.models import ContactNote
from cercle.network.search import unaccent

WEIGHTS = {"fit": 0.40, "knows": 0.20, "room": 0.15, "similar": 0.10, "language": 0.10, "answers": 0.05}
OPEN_STATES = (State.ACCEPTED, State.KICKED_OFF)
RELEVANCE = ("fit", "knows", "similar")  # what this request asks of the member
AVAILABILITY = ("room", "answers")  # the same whatever the request


def _relevance(signals: dict[str, float]) -> float:
    return sum(WEIGHTS[k] * signals[k] for k in RELEVANCE)


@dataclass
class Suggestion:
    member: User
    score: float
    reasons: list[str] = field(default_factory=list)
    signals: dict[str, float] = field(default_factory=dict)
    away_until: date | None = None
    full: bool = False

    @property
    def percent(self) -> int:
        return round(100 * self.score)


def _request_text(request: Request, brief: str = "") -> str:
    return " ".join([request.subject, request.summary[:3000], brief])


def _org_key(organisation: str, email: str) -> str:
    org = unaccent(organisation).strip()
    if org:
        return org
    domain = email.rpartition("@")[2].lower()
    return "" if domain in FREEMAIL_DOMAINS else domain  # gmail.com is nobody's organisation


def rank_members(*, request: Request, brief: str = "", members: list[User] | None = None) -> list[Suggestion]:
    """Every active circle member, best first, with the reasons in the active language."""
    today = timezone.localdate()
    if members is None:
        members = list(User.objects.filter(role=Role.MEMBER, is_active=True).order_by("pk"))
    if not members:
        return []
    ids = [m.pk for m in members]
    profiles = {p.user_id: p for p in MemberProfile.objects.filter(user_id__in=ids)}
    # The request's words first: of each member's words and projects, only those count.
    wanted = set(_fold(_request_text(request, brief)))
    requester = request.requester
    target_org = _org_key(requester.organisation, requester.email)
    by_requester = f"{REQUESTER}{requester.pk}"
    by_org = word_key(ORGANISATION + target_org) if target_org else ""
    keys = {word_key(s): s for s in wanted}
    # Each member's words and projects, as stored between calls (circle/words.py): the masks of the
    # sources of each word (bit 0 their profile, then their projects), rebuilt first when stale.
    stored = member_words_read(
        members=members,
        profiles=profiles,
        words=[*keys, by_requester, *([by_org] if by_org else [])],
        with_projects=request.lead_id is not None,
    )
    # Of the projects each member led, those sharing at least two of the request's words (words, not
    # stems: "visuelle" has a French and an English stem, and is one word).
    word_groups = list(
        {
            folded & wanted
            for _word, folded in _request_words(_request_text(request, brief))
            if folded & wanted
        }
    )
    docs: dict[int, set[str]] = {}
    led: dict[int, tuple[int, int, int]] = {}  # similar projects led: how many, closed, won
    knows: dict[int, tuple[float, str]] = {}
    for member in members:
        mine = stored[member.pk]
        # The request itself, when it is one of the member's projects already, says nothing of them.
        keep = ~mine.project_bit(request.pk) if request.lead_id is not None else -1
        masks = {keys[key]: mask & keep for key, mask in mine.words.items() if key in keys}
        docs[member.pk] = {stem for stem, mask in masks.items() if mask}
        one = two = 0  # projects with at least one, two of the request's stems
        for mask in masks.values():
            two |= one & mask
            one |= mask
        one_word = two_words = 0  # ... of the request's words
        if two & mine.led:
            for group in word_groups:
                mask = 0
                for stem in group:
                    mask |= masks.get(stem, 0)
                two_words |= one_word & mask
                one_word |= mask
        similar = two & two_words & mine.led
        led[member.pk] = (
            similar.bit_count(),
            (similar & mine.closed).bit_count(),
            (similar & mine.won).bit_count(),
        )
        if mine.words.get(by_requester, 0) & keep:
            knows[member.pk] = (1.0, requester.display_name)
        elif by_org and mine.words.get(by_org, 0) & keep:
            knows[member.pk] = (0.7, requester.organisation or target_org)
    for author_id in ContactNote.objects.filter(contact=requester, author_id__in=ids).values_list(
        "author_id", flat=True
    ):
        knows.setdefault(author_id, (0.5, requester.display_name))

    # Rarity of each word among members (idf); a word more than half of them have says nothing about
    # who fits (on a real request: the topic words everyone in a consultancy circle uses).
    n = len(members)
    frequency = Counter(s for d in docs.values() for s in d)
    telling = {s for s in wanted if frequency[s] <= max(1, n // 2)}
    idf = {s: math.log(1 + n / (1 + frequency[s])) for s in telling}
    total = sum(idf.values()) or 1.0

    load = dict(
        Request.objects.filter(lead_id__in=ids, state__in=OPEN_STATES)
        .values_list("lead_id")
        .annotate(n=Count("id"))
    )
    answered: Counter[int] = Counter()
    accepted: Counter[int] = Counter()
    for member_id, n_answered, n_accepted in (
        Offer.objects.filter(member_id__in=ids)
        .exclude(state=OfferState.PENDING)
        .values("member_id")
        .annotate(n=Count("id"), yes=Count("id", filter=Q(state=OfferState.ACCEPTED)))
        .values_list("member_id", "n", "yes")
    ):
        answered[member_id] = n_answered
        accepted[member_id] = n_accepted

    request_words = _request_words(_request_text(request))
    phrases = _Phrases()
    suggestions = []
    for member in members:
        profile = profiles.get(member.pk)
        doc = docs[member.pk]
        matched = sorted((s for s in telling if s in doc), key=lambda s: (-idf[s], s))
        fit = sum(idf[s] for s in matched) / total if telling else 0.0
        capacity = profile.capacity if profile else 3
        open_projects = load.get(member.pk, 0)
        free = max(capacity - open_projects, 0)
        room = free / capacity if capacity else 0.0
        languages = profile.language_list if profile else ["fr"]
        language = 1.0 if request.language in languages else 0.0
        know, know_what = knows.get(member.pk, (0.0, ""))
        similar, closed, won = led[member.pk]
        similar_won = won / closed if closed else 0.0
        answers = accepted[member.pk] / answered[member.pk] if answered[member.pk] else 0.5
        signals = {
            "fit": fit,
            "knows": know,
            "room": room,
            "similar": similar_won,
            "language": language,
            "answers": answers,
        }
        full = free == 0
        away = (
            profile.unavailable_until
            if profile and profile.unavailable_until and profile.unavailable_until > today
            else None
        )
        reasons = _reasons(
            phrases=phrases,
            matched=matched,
            request_words=request_words,
            know=know,
            know_what=know_what,
            free=free,
            capacity=capacity,
            language=language,
            won=won,
            similar=similar,
            answered=answered[member.pk],
            accepted=accepted[member.pk],
            away=away,
        )
        suggestions.append(Suggestion(member, 0.0, reasons, signals, away, full))
    # Room and answers say whether a member can take a request, not whether they are the one for this
    # one: they count in full for the most relevant member and in proportion for the others.
    top = max(_relevance(s.signals) for s in suggestions)
    for suggestion in suggestions:
        signals = suggestion.signals
        relevance = _relevance(signals)
        share = relevance / top if top else 1.0
        score = (
            relevance
            + WEIGHTS["language"] * signals["language"]
            + share * sum(WEIGHTS[k] * signals[k] for k in AVAILABILITY)
        )
        if suggestion.full:
            score *= 0.5
        if suggestion.away_until:
            score *= 0.2
        suggestion.score = round(score, 4)
    suggestions.sort(key=lambda s: (-s.score, s.member.pk))
    return suggestions


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
            lambda: ngettext(
                "%(free)d of %(capacity)d slot free", "%(free)d of %(capacity)d slots free", free
            ),
        )
        % {"free": free, "capacity": capacity}
    )
    if not language:
        reasons.append(phrases.get("language", lambda: _("does not work in the request's language")))
    if answered >= 3:
        reasons.append(
            phrases.get("accepted", lambda: _("accepted %(accepted)d of %(answered)d offers"))
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
