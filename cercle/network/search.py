"""“Who in my network can do X?”: full-text search over what people do, offer and wrote, in French and
English, accents ignored and words stemmed, ranked by fit × strength, with the evidence.

Both databases search the same text: `fold_words` lowers, strips accents and stems each word with the
French and the English Snowball stemmers (PyStemmer), so "bilans carbone" and "carbon footprint"
share "bilan"/"carbon". The folded text of each contact lives in `ContactSearch.document`; SQLite
indexes it in an FTS5 table kept in step by triggers (migration network 0005), PostgreSQL with a GIN
index on its `tsvector` ('simple' configuration: the words are already stemmed). The texts of the
`_POOL` strongest people of the network are also indexed apart (`ContactSearch.strongest`, a second
FTS5 table or a partial GIN index, migration network 0012): a common word is searched among them first.
"""

from __future__ import annotations

import heapq
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

import Stemmer
from django.db import connection, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from cercle.mail.subjects import normalise_subject
from cercle.network.models import Contact, ContactNote, ContactSearch, Interaction
from cercle.network.strength import score_from_rank

_WORD = re.compile(r"\w+", re.UNICODE)
# Words that say nothing about a skill, in both languages (the question's own words included).
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "could",
        "do",
        "does",
        "for",
        "from",
        "has",
        "have",
        "he",
        "her",
        "his",
        "how",
        "i",
        "in",
        "is",
        "it",
        "its",
        "me",
        "my",
        "no",
        "not",
        "of",
        "on",
        "or",
        "our",
        "she",
        "so",
        "some",
        "that",
        "the",
        "their",
        "them",
        "they",
        "this",
        "to",
        "up",
        "us",
        "was",
        "we",
        "what",
        "who",
        "whom",
        "will",
        "with",
        "would",
        "you",
        "your",
        "someone",
        "somebody",
        "anyone",
        "network",
        "au",
        "aux",
        "avec",
        "ce",
        "ces",
        "cet",
        "cette",
        "dans",
        "de",
        "des",
        "du",
        "elle",
        "en",
        "est",
        "et",
        "il",
        "ils",
        "je",
        "la",
        "le",
        "les",
        "leur",
        "lui",
        "ma",
        "mais",
        "me",
        "mes",
        "moi",
        "mon",
        "ne",
        "nos",
        "notre",
        "nous",
        "on",
        "ou",
        "par",
        "pas",
        "peut",
        "peuvent",
        "pour",
        "qu",
        "que",
        "qui",
        "sa",
        "sait",
        "savent",
        "se",
        "ses",
        "son",
        "sur",
        "ta",
        "te",
        "tes",
        "toi",
        "ton",
        "tu",
        "un",
        "une",
        "vos",
        "votre",
        "vous",
        "quelqu",
        "quelqun",
        "faire",
        "fait",
        "reseau",
    ]
)
# What a request says whatever it asks for: greetings, politeness, "we are looking for help with…".
# Routing and the search ignore them (they would make everyone fit every request).
REQUEST_NOISE = frozenset(
    [
        "bonjour",
        "bonsoir",
        "madame",
        "monsieur",
        "cher",
        "chere",
        "merci",
        "remercie",
        "cordialement",
        "bien",
        "salutations",
        "sincerement",
        "hello",
        "hi",
        "dear",
        "thanks",
        "thank",
        "regards",
        "best",
        "kind",
        "sincerely",
        "please",
        "cherche",
        "cherchons",
        "chercher",
        "recherche",
        "recherchons",
        "souhaite",
        "souhaitons",
        "souhaiterions",
        "voudrions",
        "voudrais",
        "aimerions",
        "besoin",
        "aide",
        "aider",
        "pourriez",
        "pouvez",
        "pourrions",
        "looking",
        "need",
        "needs",
        "help",
        "would",
        "like",
        "want",
        "wish",
        "could",
        "entre",
        "deux",
        "trois",
        "sur",
        "sous",
        "mois",
        "annee",
        "ans",
        "semaine",
        "jour",
        "demande",
        "projet",
        "question",
        "between",
        "two",
        "three",
        "months",
        "year",
        "years",
        "week",
        "day",
        "request",
        "project",
        "question",
    ]
)
_MIN_LENGTH = 2
_CANDIDATES = 200
# Asked of the whole network, the search ranks the matches among this many of its strongest people
# first (see `_found`), from their own index (`search_strongest_refresh`).
_POOL = 1_000
# Up to this many matching texts, every match is ranked. Counting them reads each match's row on
# PostgreSQL (a GIN index cannot answer alone): the count stops there.
_EXACT_UP_TO = 200


@lru_cache(maxsize=2)
def _stemmer(language: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer(language)


class _Marks(dict[int, int | None]):
    """`str.translate`'s table that drops combining marks: each character looked up once."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.combining(chr(code)) else code
        self[code] = kept
        return kept


_DROP_MARKS = _Marks()


def unaccent(text: str) -> str:
    lowered = text.lower()
    if lowered.isascii():  # nothing to decompose
        return lowered
    return unicodedata.normalize("NFKD", lowered).translate(_DROP_MARKS)


def _meaningful(word: str) -> bool:
    return (
        len(word) >= _MIN_LENGTH
        and word not in STOP_WORDS
        and word not in REQUEST_NOISE
        and not word.isdigit()
    )


def _words(text: str) -> list[str]:
    return [w for w in _WORD.findall(unaccent(text)) if _meaningful(w)]


def word_stems(word: str) -> tuple[str, ...]:
    """The French and English stems of one folded word (one when they agree)."""
    french = _stemmer("french").stemWord(word)
    english = _stemmer("english").stemWord(word)
    return (french,) if french == english else (french, english)


def fold_words(text: str) -> list[str]:
    """Every stem of every meaningful word of `text`, in order (the indexed form)."""
    stems: list[str] = []
    for word in _words(text):
        stems.extend(word_stems(word))
    return stems


def fold(text: str) -> str:
    return " ".join(fold_words(text))


# --- The document of one contact -------------------------------------------------------------------

# The threads of a person's latest exchanges make part of their text, and the evidence of a hit.
_SUBJECTS_PER_CONTACT = 100


def _parts(contact: Contact, notes: list[str], subjects: list[str]) -> list[str]:
    return [
        contact.name,
        contact.organisation,
        contact.position,
        contact.what_they_do,
        contact.offers,
        contact.offers,  # what they offer counts twice: it is what "who can do X" asks
        contact.tags.replace(",", " "),
        contact.needs,
        contact.how_we_met,
        *notes,
        *subjects,
    ]


def contact_document(contact: Contact) -> str:
    """The folded text of one contact: what `search_index` stores."""
    return _documents([contact])[contact.pk][0]


def _documents(contacts: list[Contact]) -> dict[int, tuple[str, str]]:
    """The folded texts of these contacts and their threads (what `ContactSearch` keeps), from two
    reads whatever their number."""
    ids = [c.pk for c in contacts]
    notes: dict[int, list[str]] = defaultdict(list)
    for contact_id, text in (
        ContactNote.objects.filter(contact_id__in=ids)
        .order_by("-created_at")
        .values_list("contact_id", "text")
    ):
        if len(notes[contact_id]) < _NOTES_PER_CONTACT:
            notes[contact_id].append(text)
    exchanges: dict[int, list[tuple[str, datetime]]] = defaultdict(list)
    rows = Interaction.objects.filter(contact_id__in=ids).exclude(subject="").order_by("-at", "-id")
    for contact_id, subject, at in rows.values_list("contact_id", "subject", "at").iterator(chunk_size=5000):
        if len(exchanges[contact_id]) < _SUBJECTS_PER_CONTACT:
            exchanges[contact_id].append((subject, at))
    found = {}
    for c in contacts:
        threads = threads_of(exchanges[c.pk])
        words = _parts(c, notes[c.pk], [normalise_subject(subject) for _at, subject in threads])
        found[c.pk] = (fold(" ".join(p for p in words if p)), threads_text(threads))
    return found


def threads_of(exchanges: Iterable[tuple[str, datetime]]) -> list[tuple[datetime, str]]:
    """The threads of these exchanges (subject, when; latest first), each once: its latest exchange's
    date and subject as written. A thread is a subject without its reply and forward prefixes, case or
    accents ("Re: Re: Bilan" is "Bilan" again, `normalise_subject`). A long thread says one thing: the
    text of a person who writes a lot stays short, which their ranking reads at each search."""
    threads: dict[str, tuple[datetime, str]] = {}
    for subject, at in exchanges:
        shown = " ".join(subject.split())
        threads.setdefault(unaccent(normalise_subject(shown)), (at, shown))
    return list(threads.values())


def threads_text(threads: list[tuple[datetime, str]]) -> str:
    """`ContactSearch.threads`: one line per thread, latest first, `<ISO date and time, UTC>\t<subject>`."""
    return "\n".join(
        f"{at.astimezone(UTC).isoformat(timespec='seconds')}\t{subject}" for at, subject in threads
    )


_BATCH = 500
_NOTES_PER_CONTACT = 50


def search_index(contacts: Iterable[Contact]) -> None:
    """Refresh the search text of these contacts (after an edit, a note, an import, new exchanges), in
    batches: a few queries per 500 contacts. A merged contact leaves the index."""
    contacts = list(contacts)
    merged = [c.pk for c in contacts if c.merged_into_id is not None]
    if merged:
        ContactSearch.objects.filter(contact_id__in=merged).delete()
    contacts = [c for c in contacts if c.merged_into_id is None]
    for start in range(0, len(contacts), _BATCH):
        texts = _documents(contacts[start : start + _BATCH])
        existing = {row.contact_id: row for row in ContactSearch.objects.filter(contact_id__in=list(texts))}
        # Only what changed is written: a new text is indexed again, new threads alone are not.
        changed: dict[tuple[str, ...], list[ContactSearch]] = defaultdict(list)
        for pk, (document, threads) in texts.items():
            row = existing.get(pk)
            if row is None:
                continue
            fields = tuple(
                name
                for name, value in (("document", document), ("threads", threads))
                if getattr(row, name) != value
            )
            if fields:
                row.document, row.threads = document, threads
                changed[fields].append(row)
        for fields, rows in changed.items():
            ContactSearch.objects.bulk_update(rows, list(fields), batch_size=_BATCH)
        ContactSearch.objects.bulk_create(
            [
                ContactSearch(contact_id=pk, document=document, threads=threads)
                for pk, (document, threads) in texts.items()
                if pk not in existing
            ]
        )
    search_strongest_refresh()


def search_strongest_refresh() -> int:
    """Mark the search texts of the `_POOL` strongest people of the network (`ContactSearch.strongest`,
    which their own small index follows), unmark those who are no longer among them; returns how many
    changed. Two reads of `_POOL` ids, then only the changes are written.

    The one way the mark is written, wherever strengths or texts are: at the end of `search_index` (so
    after the fold, a merge, an import, an edit), after the full recompute (`recompute_strength`), and
    at each run of the periodic fold (a person who leaves or joins the network through the noise rules
    is put right within the minute; until then the search still checks `in_network` itself). The order
    of strength does not drift with time (`rank_key`): only these writes change it.

    Two refreshes at once may leave the older picture: the next one puts it right."""
    strongest = set(
        Contact.objects.filter(in_network=True)
        .order_by("-rank_key", "pk")
        .values_list("pk", flat=True)[:_POOL]
    )
    marked = set(ContactSearch.objects.filter(strongest=True).values_list("contact_id", flat=True))
    changes = ((sorted(marked - strongest), False), (sorted(strongest - marked), True))
    changed = 0
    if any(ids for ids, _value in changes):
        with transaction.atomic():
            for ids, value in changes:
                for start in range(0, len(ids), _BATCH):
                    changed += ContactSearch.objects.filter(
                        contact_id__in=ids[start : start + _BATCH]
                    ).update(strongest=value)
    return changed


# --- Asking ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    label: str  # which part matched ("Offers", "Note", "Exchange")
    text: str  # the words that show it, as written


@dataclass(frozen=True)
class Hit:
    contact: Contact
    fit: float  # 0–1, the text's relevance relative to the best match
    score: int  # relationship strength 0–100
    rank: float  # fit × strength, what the list is ordered by
    evidence: list[Evidence]


def query_groups(query: str) -> list[tuple[str, ...]]:
    groups = []
    for word in _words(query):
        stems = tuple(s for s in word_stems(word) if s.isalnum())
        if stems and stems not in groups:
            groups.append(stems)
    return groups[:12]


def _fts_match(groups: list[tuple[str, ...]], *, every: bool) -> str:
    terms = ["(" + " OR ".join(f'"{s}"' for s in stems) + ")" for stems in groups]
    return (" AND " if every else " OR ").join(terms)


def _ts_query(groups: list[tuple[str, ...]], *, every: bool) -> str:
    terms = ["(" + " | ".join(stems) + ")" for stems in groups]
    return (" & " if every else " | ").join(terms)


def _fts_sql(*, restrict: str) -> str:
    """The FTS5 query: the best text matches (bm25) and their rank keys."""
    # Only placeholders and constant conditions are joined in (`restrict`).
    return (
        "SELECT m.id, m.fit, c.rank_key FROM ("  # noqa: S608
        "SELECT network_contact_fts.rowid AS id, -bm25(network_contact_fts) AS fit"
        " FROM network_contact_fts JOIN network_contact c ON c.id = network_contact_fts.rowid"
        " WHERE network_contact_fts MATCH %s"
        + restrict
        + " ORDER BY bm25(network_contact_fts), network_contact_fts.rowid LIMIT %s"
        ") m JOIN network_contact c ON c.id = m.id ORDER BY m.fit DESC, m.id"
    )


# SQLite, among the strongest people: their matches from their own small FTS5 table, whose document
# lists hold at most `_POOL` texts whatever the network's size (bm25 weighs a word's rarity among
# them), ranked by text alone first (the rank keys are read for the best only).
_FTS_POOL_SQL = (
    "SELECT m.id, m.fit, c.rank_key FROM (SELECT rowid AS id, -bm25(network_contact_fts_strongest) AS fit"
    " FROM network_contact_fts_strongest WHERE network_contact_fts_strongest MATCH %s"
    " ORDER BY bm25(network_contact_fts_strongest), rowid LIMIT %s) m"
    " JOIN network_contact c ON c.id = m.id WHERE c.in_network ORDER BY m.fit DESC, m.id"
)


def _ts_sql(*, restrict: str) -> str:
    """The PostgreSQL query: the best text matches (ts_rank on the stored tsvector) and their rank keys."""
    # Only placeholders and constant conditions are joined in (`restrict`).
    return (
        "SELECT s.contact_id, ts_rank(s.document_tsv, q) AS fit, c.rank_key"  # noqa: S608
        " FROM network_contactsearch s JOIN network_contact c ON c.id = s.contact_id,"
        " to_tsquery('simple', %s) q WHERE s.document_tsv @@ q"
        + restrict
        + " ORDER BY fit DESC, s.contact_id LIMIT %s"
    )


# PostgreSQL, among the strongest people: their matches from their partial GIN index, ranked by text
# alone first (the rank keys are read for the best only), and how many people are marked.
_TS_POOL_SQL = (
    "SELECT m.contact_id, m.fit, c.rank_key, (SELECT count(*) FROM network_contactsearch WHERE strongest)"
    " FROM (SELECT s.contact_id, ts_rank(s.document_tsv, q) AS fit FROM network_contactsearch s,"
    " to_tsquery('simple', %s) q WHERE s.strongest AND s.document_tsv @@ q"
    " ORDER BY fit DESC, s.contact_id LIMIT %s) m"
    " JOIN network_contact c ON c.id = m.contact_id WHERE c.in_network ORDER BY m.fit DESC, m.contact_id"
)


def _more_matches_than(groups: list[tuple[str, ...]], *, every: bool, many: int) -> bool:
    """Whether more than `many` search texts match (in or out of the network): a count that stops
    at `many` + 1, read from the full-text index."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM (SELECT 1 FROM network_contactsearch"
                " WHERE document_tsv @@ to_tsquery('simple', %s) LIMIT %s) t",
                [_ts_query(groups, every=every), many + 1],
            )
        else:
            cursor.execute(
                "SELECT count(*) FROM (SELECT 1 FROM network_contact_fts"
                " WHERE network_contact_fts MATCH %s LIMIT %s)",
                [_fts_match(groups, every=every), many + 1],
            )
        return int(cursor.fetchone()[0]) > many


def _candidates(
    groups: list[tuple[str, ...]], *, every: bool, within: list[int] | None
) -> list[tuple[int, float, float]]:
    """(contact id, text relevance (higher is better), rank key) of the best matches, in the database:
    people of the network, or (`within`) exactly these contacts."""
    params: list[int] = []
    if within is not None:
        if not within:
            return []
        restrict = f" AND c.id IN ({', '.join(['%s'] * len(within))}) AND c.merged_into_id IS NULL"
        params = list(within)
    else:
        restrict = " AND c.in_network"
    postgres = connection.vendor == "postgresql"
    text = _ts_query(groups, every=every) if postgres else _fts_match(groups, every=every)
    sql = (_ts_sql if postgres else _fts_sql)(restrict=restrict)
    with connection.cursor() as cursor:
        cursor.execute(sql, [text, *params, _CANDIDATES])
        return [(int(pk), float(fit), float(key)) for pk, fit, key in cursor.fetchall()]


def _pooled(
    groups: list[tuple[str, ...]], *, every: bool, many: int
) -> tuple[list[tuple[int, float, float]], int]:
    """`_candidates` among the `_POOL` strongest people of the network (as last marked; `in_network` is
    checked all the same), at most `many`, from their own index; and on PostgreSQL how many people are
    marked (-1 on SQLite, which does not ask)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_TS_POOL_SQL, [_ts_query(groups, every=every), many])
            rows = cursor.fetchall()
            return [(int(pk), float(fit), float(key)) for pk, fit, key, _marked in rows], (
                int(rows[0][3]) if rows else -1
            )
        cursor.execute(_FTS_POOL_SQL, [_fts_match(groups, every=every), many])
        return [(int(pk), float(fit), float(key)) for pk, fit, key in cursor.fetchall()], -1


def _found(
    groups: list[tuple[str, ...]], *, every: bool, within: list[int] | None, limit: int
) -> list[tuple[int, float, float]]:
    """The candidates to rank. Up to `_EXACT_UP_TO` matching texts, every match is ranked (a bounded
    cost). Beyond, asked of the whole network, the search ranks the matches among the `_POOL`
    strongest people only, found in their own index: on a large network a common skill matches
    thousands, and even walking the whole index's list of them costs in proportion to their number,
    while the list shows the best fits × strengths. When that pool holds fewer matches than the list
    shows, every match of the network is ranked after all.

    SQLite counts first (FTS5 reads the first matches and stops), and its bm25 weighs words by the
    statistics of the index it reads: up to `_EXACT_UP_TO`, the whole network's. PostgreSQL asks the
    pool first: there a count reads the matches' rows, and a text's rank is its own (`ts_rank`), the
    same among the strongest as among everyone. When fewer people than `_POOL` are marked, they are
    the whole network: their matches are the answer. When they alone hold more than `_EXACT_UP_TO`,
    so does the network: no count."""
    if within is not None:
        return _candidates(groups, every=every, within=within)
    if connection.vendor == "postgresql":
        found, marked = _pooled(groups, every=every, many=max(_CANDIDATES, _EXACT_UP_TO + 1))
        best = found[:_CANDIDATES]
        if 0 <= marked < _POOL:
            return best
        if len(best) >= limit and (
            len(found) > _EXACT_UP_TO or _more_matches_than(groups, every=every, many=_EXACT_UP_TO)
        ):
            return best
    elif _more_matches_than(groups, every=every, many=_EXACT_UP_TO):
        found, _marked = _pooled(groups, every=every, many=_CANDIDATES)
        if len(found) >= limit:
            return found
    return _candidates(groups, every=every, within=None)


def _weight(score: int) -> float:
    """What strength (0–100) makes of a text's relevance: an unknown perfect match still shows, a close
    friend with a loose match comes up too."""
    return 0.35 + 0.65 * score / 100


def who_can(query: str, *, limit: int = 20, within: list[int] | None = None) -> list[Hit]:
    """The people whose profile, notes or exchanges answer `query`, best first (fit × strength).

    Every word must match (in one of its stems); when nobody matches them all, any word does.
    `within` restricts the search to these contact ids (a member sees only their own contacts).
    A bounded number of queries whatever the network's size and the number of hits: the ranking reads
    the candidates' rank keys with their text relevance, then only the hits shown are loaded, with
    their evidence in two more reads (`evidence_many`).
    """
    groups = query_groups(query)
    if not groups:
        return []
    found = _found(groups, every=True, within=within, limit=limit)
    if not found and len(groups) > 1:
        found = _found(groups, every=False, within=within, limit=limit)
    if not found:
        return []
    best = max(fit for _, fit, _ in found) or 1.0
    now = timezone.now()
    ranked = []
    kept: list[float] = []  # the `limit` best ranks so far, the lowest first (a heap)
    for pk, fit, key in sorted(found, key=lambda f: -f[1]):
        relative = max(fit, 0.0) / best if best > 0 else 1.0
        # Best fits first: once even the strongest tie could not rank among the list, no one after can.
        if len(kept) >= limit and relative * _weight(100) < kept[0]:
            break
        score = score_from_rank(key, at=now)
        rank = relative * _weight(score)
        ranked.append((rank, relative, score, pk))
        if len(kept) < limit:
            heapq.heappush(kept, rank)
        else:
            heapq.heappushpop(kept, rank)
    ranked.sort(key=lambda h: (-h[0], h[3]))
    ranked = ranked[:limit]
    contacts = Contact.objects.in_bulk([pk for *_, pk in ranked])
    shown = [(r, f, s, contacts[pk]) for r, f, s, pk in ranked if pk in contacts]
    stems = {s for group in groups for s in group}
    evidence = evidence_many([c for *_, c in shown], stems)
    return [Hit(contact=c, fit=round(f, 2), score=s, rank=r, evidence=evidence[c.pk]) for r, f, s, c in shown]


_FIELDS = (
    ("offers", _("Offers")),
    ("what_they_do", _("What they do")),
    ("tags", _("Tags")),
    ("position", _("Position")),
    ("organisation", _("Organisation")),
    ("needs", _("Needs")),
    ("how_we_met", _("How we met")),
)
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")


class _Asked:
    """Whether a sentence holds one of the stems asked (`fold_words` of it meets them): each distinct
    word is stemmed once per search, the same words come back from text to text."""

    def __init__(self, stems: set[str]) -> None:
        self.stems = stems
        self.seen: dict[str, bool] = {}

    def held_by(self, sentence: str) -> bool:
        for word in _WORD.findall(unaccent(sentence)):
            asked = self.seen.get(word)
            if asked is None:
                asked = self.seen[word] = _meaningful(word) and not self.stems.isdisjoint(word_stems(word))
            if asked:
                return True
        return False


def _excerpt_of(text: str, asked: _Asked, width: int = 160) -> str | None:
    for sentence in _SENTENCE.findall(text):
        if asked.held_by(sentence):
            sentence = " ".join(sentence.split())
            return sentence if len(sentence) <= width else sentence[: width - 1].rsplit(" ", 1)[0] + "…"
    return None


def evidence_for(contact: Contact, stems: set[str], *, most: int = 2) -> list[Evidence]:
    """The sentences of this contact's profile, notes or exchanges that contain the words asked."""
    return evidence_many([contact], stems, most=most)[contact.pk]


_NOTES_READ = 50


def _latest_rows(model: type, columns: str, order: str, ids: list[int], each: int) -> list[tuple]:
    """The latest `each` rows of every one of these contacts, in one query (one bounded branch per
    contact, each read from the contact's index): (contact id, *columns)."""
    table = connection.ops.quote_name(model._meta.db_table)  # type: ignore[attr-defined]
    branch = (
        f"SELECT * FROM (SELECT contact_id, {columns} FROM {table} WHERE contact_id = %s"  # noqa: S608
        f" ORDER BY {order} LIMIT {int(each)}) AS latest_{{n}}"
    )
    sql = " UNION ALL ".join(branch.format(n=n) for n in range(len(ids)))
    with connection.cursor() as cursor:
        cursor.execute(sql, ids)
        return cursor.fetchall()


def evidence_many(contacts: list[Contact], stems: set[str], *, most: int = 2) -> dict[int, list[Evidence]]:
    """`evidence_for` of each of these contacts, by contact id, from two queries at most whatever their
    number: their profile, then their latest notes, then the threads of their latest exchanges."""
    found: dict[int, list[Evidence]] = {c.pk: [] for c in contacts}
    # Each text read once: the same subjects come back in a person's threads (and across people).
    excerpts: dict[str, str | None] = {}
    asked = _Asked(stems)

    def shown(text: str) -> str | None:
        if text not in excerpts:
            excerpts[text] = _excerpt_of(text, asked)
        return excerpts[text]

    for contact in contacts:
        for name, label in _FIELDS:
            excerpt = shown(getattr(contact, name))
            if excerpt:
                found[contact.pk].append(Evidence(str(label), excerpt))
                if len(found[contact.pk]) >= most:
                    break
    wanting = [c.pk for c in contacts if len(found[c.pk]) < most]
    if wanting:
        for contact_id, text in _latest_rows(
            ContactNote, "text", "created_at DESC, id DESC", wanting, _NOTES_READ
        ):
            if len(found[contact_id]) < most:
                excerpt = shown(text)
                if excerpt:
                    found[contact_id].append(Evidence(str(_("Note")), excerpt))
        wanting = [pk for pk in wanting if len(found[pk]) < most]
    if wanting:
        # One exchange at most: the latest thread whose subject holds the words, among the threads of
        # their latest exchanges, kept with their search text (`ContactSearch.threads`): one read of
        # one row each, however much they write or however far back they spoke of it.
        rows = ContactSearch.objects.filter(contact_id__in=wanting).values_list("contact_id", "threads")
        for contact_id, threads in rows:
            for line in threads.splitlines():
                at, _tab, subject = line.partition("\t")
                excerpt = shown(subject)
                if excerpt:
                    when = date_format(timezone.localtime(datetime.fromisoformat(at)), "DATE_FORMAT")
                    found[contact_id].append(
                        Evidence(str(_("Exchange of %(date)s") % {"date": when}), excerpt)
                    )
                    break
    return found
