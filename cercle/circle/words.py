"""The words routing reads, stored between calls: each member's folded words (their profile's, and those
of every project they led or worked on), with where each word comes from.

Folding every past project's text on every ranking was the slow part of routing (a circle of 200
members with 10,000 past projects read and folded them all for each request). Each member now has one
`MemberWords` row (their projects in a fixed order; which of them they led, which are closed, which
won, as bit masks over that order) and one `MemberWord` row per word: the stem, or the requester
(`@req:<contact id>`) or organisation (`@org:<key>`) of a project, with a bit mask of its sources (bit 0
the profile, bit i+1 the i-th project). Ranking reads only the rows of the request's words
(`member_words_read`) and rebuilds the masks' meaning: the same signals as folding everything again.

When they are built again (`member_words_refresh`):
- explicitly, by the services that change them in this app: a profile saved
  (`profiles.member_profile_update`), a member becoming project lead (`services.offer_accept`);
- lazily, when ranking finds them stale (`member_words_read`): a member without a row (created in
  bulk, or before the table existed); a profile whose texts differ from those the row was built from
  (the offer statement is edited outside this app); an audit event (`circulation.Event`) newer than the
  row on a request the member leads or works on. Every change to a project goes through the
  request's audit trail (a project closed or reopened, a team joined), and the apps below this one may
  not call it;
- all at once with `manage.py routing_words` (after a bulk import, or to be sure).

What the audit trail does not show, and so waits for one of the above: a contact's organisation edited
or two contacts merged (who "knows" the requester's organisation), a request deleted.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max, Q
from django.db.models.functions import Substr
from django.utils import timezone

from cercle.accounts.models import User
from cercle.circle.models import MemberProfile, MemberWord, MemberWords
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


def profile_digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


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
    digests = {}
    for member in members:
        text = profile_text(member, profiles.get(member.pk))
        digests[member.pk] = profile_digest(text)
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
                    profile_digest=digests[member_id],
                    event_high=event_high,
                    built_at=now,
                )
                for member_id, b in built.items()
            ],
            update_conflicts=True,
            unique_fields=["member"],
            update_fields=["projects", "led", "closed", "won", "profile_digest", "event_high", "built_at"],
        )


@dataclass
class Stored:
    """One member's stored words, as ranking reads them: the masks of the words asked for."""

    projects: str
    led: int
    closed: int
    won: int
    words: dict[str, int] = field(default_factory=dict)

    def project_bit(self, request_id: int) -> int:
        """The bit of one of the member's projects (0 when it is not one of theirs)."""
        ids = self.projects.split()
        key = str(request_id)
        return 1 << (ids.index(key) + 1) if key in ids else 0


def member_words_read(
    *,
    members: list[User],
    profiles: dict[int, MemberProfile],
    words: Iterable[str],
    with_projects: bool = False,
) -> dict[int, Stored]:
    """The stored words of these members among `words` (stems and `@` keys, as `word_key` cuts them),
    rebuilt first for the members whose rows are missing or stale. The list of their projects only
    `with_projects` (to leave one of them out: it is long)."""
    ids = [m.pk for m in members]
    headers = _headers(ids)
    stale = _stale(members=members, profiles=profiles, headers=headers)
    if stale:
        member_words_refresh(member_ids=stale)
        headers = _headers(ids)
    projects = (
        dict(MemberWords.objects.filter(member_id__in=ids).values_list("member_id", "projects"))
        if with_projects
        else {}
    )
    stored = {
        member_id: Stored(projects.get(member_id, ""), int(led, 16), int(closed, 16), int(won, 16))
        for member_id, (led, closed, won, _digest, _high) in headers.items()
    }
    for member_id, word, sources in MemberWord.objects.filter(
        word__in=set(words), member_id__in=ids
    ).values_list("member_id", "word", "sources"):
        stored[member_id].words[word] = int(sources, 16)
    return stored


def _headers(ids: list[int]) -> dict[int, tuple[str, str, str, str, int]]:
    return {
        row[0]: row[1:]
        for row in MemberWords.objects.filter(member_id__in=ids).values_list(
            "member_id", "led", "closed", "won", "profile_digest", "event_high"
        )
    }


def _stale(
    *,
    members: list[User],
    profiles: dict[int, MemberProfile],
    headers: dict[int, tuple[str, str, str, str, int]],
) -> set[int]:
    """The members whose stored words are missing or older than what they are built from; the others'
    rows are marked as checked up to the newest event."""
    highs = {member_id: header[4] for member_id, header in headers.items()}
    stale = {
        m.pk
        for m in members
        if m.pk not in headers or headers[m.pk][3] != profile_digest(profile_text(m, profiles.get(m.pk)))
    }
    if not highs:
        return stale
    floor = min(highs.values())
    events = list(Event.objects.filter(pk__gt=floor).values_list("pk", "request_id"))
    if not events:
        return stale
    newest: dict[int, int] = {}
    for pk, request_id in events:
        newest[request_id] = max(newest.get(request_id, 0), pk)
    for request_id, lead_id, team_id in Request.objects.filter(pk__in=list(newest)).values_list(
        "pk", "lead_id", "project__team"
    ):
        for member_id in (lead_id, team_id):
            if member_id in highs and highs[member_id] < newest[request_id]:
                stale.add(member_id)
    high = max(newest.values())
    MemberWords.objects.filter(
        member_id__in=[pk for pk in highs if pk not in stale], event_high__lt=high
    ).update(event_high=high)
    return stale
