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

A member away (`unavailable_until`) stays in the list, last, with the date: the second can still pick
anyone.
"""

from __future__ import annotations

import math
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cercle.accounts.models import Role, User
from cercle.circle.models import MemberProfile, Offer, OfferState
from cercle.circulation.models import Request
from cercle.circulation.states import Outcome, State
from cercle.network.domains import FREEMAIL_DOMAINS
from cercle.network.models import ContactNote
from cercle.network.search import fold_words, unaccent

WEIGHTS = {"fit": 0.40, "knows": 0.20, "room": 0.15, "similar": 0.10, "language": 0.10, "answers": 0.05}
OPEN_STATES = (State.ACCEPTED, State.KICKED_OFF)
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
    read again gives new stems): folding is the slow part of ranking."""
    key = (request_id, hash(text))
    stems = _folded.get(key)
    if stems is None:
        stems = frozenset(_fold(text))
        _folded[key] = stems
        if len(_folded) > _FOLD_CACHE_SIZE:
            _folded.popitem(last=False)
    return stems


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

    # Past projects of these members, one query: their words, outcome and requester (the summary's
    # start only, as folded: the database cuts it rather than sending every summary whole).
    past = list(
        Request.objects.filter(Q(lead_id__in=ids) | Q(project__team__in=ids))
        .exclude(pk=request.pk)
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
    )
    requester = request.requester
    target_org = _org_key(requester.organisation, requester.email)

    # The request's words each member has: what they say they do, and what they did.
    docs: dict[int, set[str]] = {}
    for member in members:
        profile = profiles.get(member.pk)
        text = [member.offer_statement]
        if profile is not None:
            text += [profile.offers, profile.skills, profile.headline_fr, profile.headline_en]
        docs[member.pk] = wanted.intersection(_fold(" ".join(t for t in text if t)))
    # Of the projects each member led, those sharing at least two of the request's words (words, not
    # stems: "visuelle" has a French and an English stem, and is one word).
    word_groups = list(
        {
            folded & wanted
            for _word, folded in _request_words(_request_text(request, brief))
            if folded & wanted
        }
    )
    # Of the projects each member led, those sharing at least two words with the request.
    led: dict[int, list[tuple[str, str]]] = {pk: [] for pk in ids}
    knows: dict[int, tuple[float, str]] = {}
    seen_projects: set[tuple[int, int]] = set()
    org_keys: dict[str, str] = {}
    for pk, lead_id, team_id, subject, summary, state, outcome, requester_id, org, email in past:
        shared = _request_stems(pk, f"{subject} {summary}") & wanted
        if requester_id == requester.pk:
            known: tuple[float, str] | None = (1.0, requester.display_name)
        elif target_org:
            org = org or ""
            key = org_keys.get(org)
            if key is None:
                key = org_keys[org] = unaccent(org).strip()
            if not key:
                key = (email or "").rpartition("@")[2].lower()
            known = (0.7, requester.organisation or target_org) if key == target_org else None
        else:
            known = None
        for member_id in (lead_id, team_id):
            if member_id is None or member_id not in docs or (pk, member_id) in seen_projects:
                continue
            seen_projects.add((pk, member_id))
            docs[member_id].update(shared)
            if member_id == lead_id and len(shared) >= 2 and _words_shared(shared, word_groups) >= 2:
                led[member_id].append((state, outcome))
            if known is not None:
                knows[member_id] = max(knows.get(member_id, (0.0, "")), known)
    for author_id in ContactNote.objects.filter(contact=requester, author_id__in=ids).values_list(
        "author_id", flat=True
    ):
        knows.setdefault(author_id, (0.5, requester.display_name))

    # Rarity of each word among members (idf); a word more than half of them have says nothing about
    # who fits (on a real request: the topic words everyone in a consultancy circle uses).
    n = len(members)
    frequency = {s: sum(1 for d in docs.values() if s in d) for s in wanted}
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
        similar = led[member.pk]
        closed = [outcome for state, outcome in similar if state == State.CLOSED]
        won = sum(1 for outcome in closed if outcome == Outcome.WON)
        similar_won = won / len(closed) if closed else 0.0
        answers = accepted[member.pk] / answered[member.pk] if answered[member.pk] else 0.5
        signals = {
            "fit": fit,
            "knows": know,
            "room": room,
            "similar": similar_won,
            "language": language,
            "answers": answers,
        }
        score = sum(WEIGHTS[k] * v for k, v in signals.items())
        full = free == 0
        away = (
            profile.unavailable_until
            if profile and profile.unavailable_until and profile.unavailable_until > today
            else None
        )
        if full:
            score *= 0.5
        if away:
            score *= 0.2
        reasons = _reasons(
            matched=matched,
            request_words=request_words,
            know=know,
            know_what=know_what,
            free=free,
            capacity=capacity,
            language=language,
            won=won,
            similar=len(similar),
            answered=answered[member.pk],
            accepted=accepted[member.pk],
            away=away,
        )
        suggestions.append(Suggestion(member, round(score, 4), reasons, signals, away, full))
    suggestions.sort(key=lambda s: (-s.score, s.member.pk))
    return suggestions


def _reasons(
    *,
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
        reasons.append(_("away until %(date)s") % {"date": date_format(away, "DATE_FORMAT")})
    if matched:
        stems = set(matched)
        words = [word for word, folded in request_words if stems & folded]
        reasons.append(_("does what is asked: %(words)s") % {"words": ", ".join(words[:4])})
    if know >= 1.0:
        reasons.append(_("already worked with %(name)s") % {"name": know_what})
    elif know >= 0.7:
        reasons.append(_("knows %(org)s: a project there before") % {"org": know_what})
    elif know > 0:
        reasons.append(_("wrote notes about %(name)s") % {"name": know_what})
    if similar:
        reasons.append(
            ngettext(
                "%(won)d of %(count)d similar project won",
                "%(won)d of %(count)d similar projects won",
                similar,
            )
            % {"won": won, "count": similar}
        )
    reasons.append(
        _("full: %(capacity)d projects already") % {"capacity": capacity}
        if free == 0
        else ngettext("%(free)d of %(capacity)d slot free", "%(free)d of %(capacity)d slots free", free)
        % {"free": free, "capacity": capacity}
    )
    if not language:
        reasons.append(_("does not work in the request's language"))
    if answered >= 3:
        reasons.append(
            _("accepted %(accepted)d of %(answered)d offers") % {"accepted": accepted, "answered": answered}
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


def _words_shared(shared: frozenset[str] | set[str], groups: list[frozenset[str]]) -> int:
    """How many of the request's words (each a set of stems) a past project has."""
    return sum(1 for group in groups if group & shared)
