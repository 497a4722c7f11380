"""Matchmaking: one person's need meets another's offer, and requests the hub declined meet someone of
the network who could take them. Suggested to the leader and the second with the reason; approving one
starts an introduction the hub makes between the two (people/introductions); a dismissed suggestion
never comes back.

**How a pair is found.** The words of a need (a contact's "needs", or a declined request's subject,
summary and brief) are folded as the search folds them (network/search.py: accents, French and
English stems, stop words). What a person can do is the words of their offers, what they do and their
tags. Each word of the need weighs its rarity among the people who offer something (idf: a word half
the network offers, "conseil", says little; "comptable" says a lot). A pair is suggested when the words
they share cover at least `MIN_COVER` of the need's weight and at least two of its words (one when
the need has only one): a match must answer the need, not brush it. At most `PER_NEED` people per
need, the best covers first, then the people the hub knows best (an introduction from the hub is
worth what the hub's relationship with them is worth). Nothing here was fitted to data: the
thresholds are the plain reading of "most of the need, more than one word".

**Refresh.** `matches_refresh` recomputes the suggestions (the worker runs it every night; the page's
button queues it). New pairs are added; an open suggestion whose need or offer no longer says it is
removed; dismissed and approved ones stay as they are, so that the same pair never returns.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cercle.accounts.models import User
from cercle.accounts.permissions import NETWORK_ALL_ROLES, require_role
from cercle.circulation.models import Request
from cercle.circulation.states import State
from cercle.network.models import Contact
from cercle.network.search import fold_words, query_groups
from cercle.network.strength import score_from_rank
from cercle.outbox.services import RenderedMail, template_render
from cercle.people.introductions.services import IntroductionError, introduction_start
from cercle.people.models import Introduction, IntroductionKind, Match, MatchKind, MatchState

MIN_COVER = 0.5  # share of the need's weight the offer must answer
PER_NEED = 3  # people suggested for one need at most
DECLINED_WITHIN = timedelta(days=365)  # declined requests still worth placing
_SENTENCE = re.compile(r"[^.!?\n;]+[.!?;]?")
# The words that say "I am looking for" rather than what: they weigh nothing in a need.
SEEKING_WORDS = (
    "trouver cherche cherchons chercher recherche recherchons rechercher besoin besoins aide aider "
    "souhaite souhaitons souhaiter voudrais voudrions quelqu personne urgent rapidement "
    "find finding looking look seek seeking need needs needed help want wanted someone somebody urgently"
)
_SEEKING = frozenset(fold_words(SEEKING_WORDS))


class MatchError(Exception):
    """A suggestion that cannot be acted on, with a message for the person who tried."""


@dataclass(frozen=True)
class _Provider:
    pk: int
    stems: frozenset[str]
    offer_text: str
    strength: int


@dataclass(frozen=True)
class _Need:
    kind: str
    seeker_id: int
    request_id: int | None
    text: str


@dataclass(frozen=True)
class Found:
    need: _Need
    provider: _Provider
    cover: float
    words: list[str]


@dataclass(frozen=True)
class RefreshReport:
    needs: int = 0
    created: int = 0
    removed: int = 0


def _people() -> QuerySet[Contact]:
    return Contact.objects.filter(in_network=True, merged_into__isnull=True, spam=False, hub_own=False)


def _providers() -> list[_Provider]:
    found = []
    rows = (
        _people()
        .exclude(offers="", what_they_do="", tags="")
        .exclude(email="")
        .values_list("pk", "offers", "what_they_do", "tags", "rank_key")
        .iterator(chunk_size=2000)
    )
    for pk, offers, what_they_do, tags, rank_key in rows:
        stems = frozenset(fold_words(f"{offers}\n{what_they_do}\n{tags}"))
        if stems:
            text = "\n".join(t for t in (offers, what_they_do, tags) if t)
            found.append(_Provider(pk, stems, text, score_from_rank(rank_key)))
    return found


def _needs(now: datetime) -> list[_Need]:
    needs = [
        _Need(MatchKind.NEED, pk, None, text.strip())
        for pk, text in _people().exclude(needs="").exclude(email="").values_list("pk", "needs")
        if text.strip()
    ]
    declined = (
        Request.objects.filter(state=State.DECLINED, received_at__gte=now - DECLINED_WITHIN)
        .exclude(requester__email="")
        .filter(requester__spam=False, requester__merged_into__isnull=True)
        .select_related("triage_brief")
        .order_by("-received_at")
    )
    for request in declined:
        brief = getattr(request, "triage_brief", None)
        parts = [request.subject, request.summary, brief.need if brief else "", brief.goal if brief else ""]
        text = "\n".join(p.strip() for p in parts if p and p.strip())
        if text:
            needs.append(_Need(MatchKind.DECLINED, request.requester_id, request.pk, text))
    return needs


def _excerpt(text: str, stems: set[str], width: int = 200) -> str:
    """The sentence of `text` that holds most of the words in common, else its beginning."""
    best, best_count = text, 0
    for sentence in _SENTENCE.findall(text):
        count = len(stems.intersection(fold_words(sentence)))
        if count > best_count:
            best, best_count = sentence, count
    best = " ".join(best.split()).strip(" ;")
    return best if len(best) <= width else best[: width - 1].rsplit(" ", 1)[0] + "…"


def _first_word(text: str, stems: tuple[str, ...]) -> str:
    """The need's own word for a matched group of stems, as written."""
    for word in re.findall(r"\w+", text):
        if set(fold_words(word)) & set(stems):
            return word
    return stems[0]


def pairs_find(needs: Iterable[_Need], providers: list[_Provider]) -> list[Found]:
    """Every suggested pair, best first within each need (see the module's docstring)."""
    df: dict[str, int] = defaultdict(int)
    by_stem: dict[str, list[_Provider]] = defaultdict(list)
    for provider in providers:
        for stem in provider.stems:
            df[stem] += 1
            by_stem[stem].append(provider)
    total = len(providers)
    found: list[Found] = []
    for need in needs:
        groups = [g for g in query_groups(need.text) if not _SEEKING.intersection(g)]
        if not groups:
            continue
        weights = [max(math.log((total + 1) / (df.get(s, 0) + 1)) + 1.0 for s in group) for group in groups]
        whole = sum(weights)
        matched: dict[int, list[int]] = defaultdict(list)  # provider → indexes of the groups it answers
        catalogue: dict[int, _Provider] = {}
        for index, group in enumerate(groups):
            hit: set[int] = set()
            for stem in group:
                for provider in by_stem.get(stem, ()):
                    if provider.pk not in hit and provider.pk != need.seeker_id:
                        hit.add(provider.pk)
                        matched[provider.pk].append(index)
                        catalogue[provider.pk] = provider
        least = 1 if len(groups) == 1 else 2
        scored = []
        for pk, indexes in matched.items():
            if len(indexes) < least:
                continue
            cover = sum(weights[i] for i in indexes) / whole
            if cover >= MIN_COVER:
                scored.append((cover, catalogue[pk], indexes))
        scored.sort(key=lambda s: (-s[0], -s[1].strength, s[1].pk))
        for cover, provider, indexes in scored[:PER_NEED]:
            words = [_first_word(need.text, groups[i]) for i in indexes]
            found.append(Found(need=need, provider=provider, cover=round(cover, 3), words=words))
    return found


def _key(kind: str, seeker_id: int, provider_id: int, request_id: int | None) -> str:
    return f"{kind}:{seeker_id}:{provider_id}:{request_id or 0}"


def _decided_pairs() -> set[tuple[str, int, int, int | None]]:
    """The pairs already dismissed or approved, named by the records they are kept as today: a
    suggestion dismissed for a record merged since does not come back under the kept one."""
    rows = list(
        Match.objects.exclude(state=MatchState.OPEN).values_list(
            "kind", "seeker_id", "provider_id", "request_id"
        )
    )
    ids = {pk for _, s, p, _ in rows for pk in (s, p)}
    kept = dict(
        Contact.objects.filter(pk__in=ids, merged_into__isnull=False).values_list("pk", "merged_into_id")
    )
    return {(kind, kept.get(s, s), kept.get(p, p), r) for kind, s, p, r in rows}


def matches_refresh(*, now: datetime | None = None) -> RefreshReport:
    """Recompute the suggestions: add new pairs, drop open ones no longer true, keep decided ones."""
    now = now or timezone.now()
    needs = _needs(now)
    found = pairs_find(needs, _providers())
    introduced = {
        frozenset(pair)
        for pair in Introduction.objects.filter(kind=IntroductionKind.MATCH).values_list(
            "connector_id", "target_id"
        )
    }
    decided = _decided_pairs()
    keys = {}
    for f in found:
        if frozenset((f.need.seeker_id, f.provider.pk)) in introduced:
            continue  # already introduced to each other
        if (f.need.kind, f.need.seeker_id, f.provider.pk, f.need.request_id) in decided:
            continue  # dismissed or acted on under a record merged since
        keys[_key(f.need.kind, f.need.seeker_id, f.provider.pk, f.need.request_id)] = f
    created = removed = 0
    with transaction.atomic():
        existing = dict(Match.objects.values_list("key", "state"))
        for key, f in keys.items():
            stems = set(fold_words(" ".join(f.words)))
            values = {
                "need": _excerpt(f.need.text, stems, width=400),
                "offer": _excerpt(f.provider.offer_text, stems),
                "words": f.words,
                "score": f.cover,
            }
            if key not in existing:
                Match.objects.create(
                    key=key,
                    kind=f.need.kind,
                    seeker_id=f.need.seeker_id,
                    provider_id=f.provider.pk,
                    request_id=f.need.request_id,
                    created_at=now,
                    **values,
                )
                created += 1
            elif existing[key] == MatchState.OPEN:
                Match.objects.filter(key=key, state=MatchState.OPEN).update(**values)
        stale = [k for k, state in existing.items() if state == MatchState.OPEN and k not in keys]
        for start in range(0, len(stale), 500):
            removed += Match.objects.filter(
                key__in=stale[start : start + 500], state=MatchState.OPEN
            ).delete()[0]
    return RefreshReport(needs=len(needs), created=created, removed=removed)


# --- Acting on a suggestion -----------------------------------------------------------------------


def matches_open() -> QuerySet[Match]:
    return Match.objects.filter(state=MatchState.OPEN).select_related("seeker", "provider", "request")


def match_draft(match: Match) -> RenderedMail:
    """The question to the person with the need, in their language, for the leader or the second to edit."""
    seeker, provider = match.seeker, match.provider
    return template_render(
        key="match_request",
        language=seeker.language,
        context={
            "connector_name": seeker.display_name,
            "target_name": provider.display_name,
            "target_org": provider.organisation,
            "purpose": match.need,
            "offer": match.offer,
        },
    )


def _decide(match: Match, actor: User, state: str, now: datetime) -> None:
    done = Match.objects.filter(pk=match.pk, state=MatchState.OPEN).update(
        state=state, decided_at=now, decided_by=actor
    )
    if done != 1:
        raise MatchError(_("This suggestion was already dealt with."))


def match_dismiss(*, actor: User, match: Match, now: datetime | None = None) -> None:
    require_role(actor, NETWORK_ALL_ROLES)
    _decide(match, actor, MatchState.DISMISSED, now or timezone.now())


def match_approve(
    *, actor: User, match: Match, subject: str, body: str, now: datetime | None = None
) -> Introduction:
    """Start the introduction: the (edited) question to the person with the need leaves through the
    outbox; the suggestion is marked approved and linked to it, in one transaction."""
    require_role(actor, NETWORK_ALL_ROLES)
    now = now or timezone.now()
    with transaction.atomic():
        _decide(match, actor, MatchState.APPROVED, now)
        try:
            intro = introduction_start(
                actor=actor,
                target=match.provider,
                connector=match.seeker,
                beneficiary=None,
                purpose=match.need,
                subject=subject,
                body=body,
                kind=IntroductionKind.MATCH,
                now=now,
            )
        except IntroductionError as error:  # leaving the block undoes the decision too
            raise MatchError(str(error)) from error
        Match.objects.filter(pk=match.pk).update(introduction=intro)
    return intro
