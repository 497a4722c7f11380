"""“Who in my network can do X?”: full-text search over what people do, offer and wrote, in French and
English, accents ignored and words stemmed, ranked by fit × strength, with the evidence.

Both databases search the same text: `fold_words` lowers, strips accents and stems each word with the
French and the English Snowball stemmers (PyStemmer), so "bilans carbone" and "carbon footprint"
share "bilan"/"carbon". The folded text of each contact lives in `ContactSearch.document`; SQLite
indexes it in an FTS5 table kept in step by triggers (migration network 0005), PostgreSQL with a GIN
index on its `tsvector` ('simple' configuration: the words are already stemmed).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import Stemmer
from django.db import connection
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

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
# first (see `_found`).
_POOL = 1_000
# Up to this many matching texts, every match is ranked. Counting them reads each match's row on
# PostgreSQL (a GIN index cannot answer alone): the count stops there.
_EXACT_UP_TO = 200


@lru_cache(maxsize=2)
def _stemmer(language: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer(language)


def unaccent(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _words(text: str) -> list[str]:
    return [
        w
        for w in _WORD.findall(unaccent(text))
        if len(w) >= _MIN_LENGTH and w not in STOP_WORDS and w not in REQUEST_NOISE and not w.isdigit()
    ]


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

_SUBJECTS_PER_CONTACT = 100
_SUBJECTS_FIRST = 20


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
    return _documents([contact])[contact.pk]


def _documents(contacts: list[Contact]) -> dict[int, str]:
    """The folded texts of these contacts, from two reads whatever their number."""
    ids = [c.pk for c in contacts]
    notes: dict[int, list[str]] = defaultdict(list)
    for contact_id, text in (
        ContactNote.objects.filter(contact_id__in=ids)
        .order_by("-created_at")
        .values_list("contact_id", "text")
    ):
        if len(notes[contact_id]) < _NOTES_PER_CONTACT:
            notes[contact_id].append(text)
    subjects: dict[int, list[str]] = defaultdict(list)
    exchanges = Interaction.objects.filter(contact_id__in=ids).exclude(subject="").order_by("-at")
    for contact_id, subject in exchanges.values_list("contact_id", "subject").iterator(chunk_size=5000):
        if len(subjects[contact_id]) < _SUBJECTS_PER_CONTACT:
            subjects[contact_id].append(subject)
    return {c.pk: fold(" ".join(p for p in _parts(c, notes[c.pk], subjects[c.pk]) if p)) for c in contacts}


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
        documents = _documents(contacts[start : start + _BATCH])
        existing = {
            row.contact_id: row for row in ContactSearch.objects.filter(contact_id__in=list(documents))
        }
        changed = []
        for pk, document in documents.items():
            row = existing.get(pk)
            if row is not None and row.document != document:
                row.document = document
                changed.append(row)
        ContactSearch.objects.bulk_update(changed, ["document"], batch_size=_BATCH)
        ContactSearch.objects.bulk_create(
            [ContactSearch(contact_id=pk, document=d) for pk, d in documents.items() if pk not in existing]
        )


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


def _fts_sql(*, pool: bool, restrict: str) -> str:
    """The FTS5 query: the best text matches (bm25) and their rank keys. `pool`: only among the
    strongest people of the network; the `+` keeps SQLite from asking FTS5 for each pooled rowid in
    turn (a seek per id, slow): it walks the term's document list once and keeps the pooled ones."""
    where = "network_contact_fts MATCH %s"
    if pool:
        where += (
            " AND +network_contact_fts.rowid IN (SELECT id FROM network_contact WHERE in_network"
            " ORDER BY rank_key DESC, id LIMIT %s)"
        )
    # Only placeholders and constant conditions are joined in (`restrict`).
    return (
        "SELECT m.id, m.fit, c.rank_key FROM ("  # noqa: S608
        "SELECT network_contact_fts.rowid AS id, -bm25(network_contact_fts) AS fit"
        " FROM network_contact_fts"
        + ("" if pool else " JOIN network_contact c ON c.id = network_contact_fts.rowid")
        + " WHERE "
        + where
        + ("" if pool else restrict)
        + " ORDER BY bm25(network_contact_fts), network_contact_fts.rowid LIMIT %s"
        ") m JOIN network_contact c ON c.id = m.id ORDER BY m.fit DESC, m.id"
    )


def _ts_sql(*, pool: bool, restrict: str) -> str:
    """The PostgreSQL query: the best text matches (ts_rank on the stored tsvector) and their rank keys.
    `pool`: the strongest people of the network first, each one's search text read by its key (a
    nested loop bounded by the pool, whatever the number of matches: `OFFSET 0` keeps the planner
    from scanning every search text instead)."""
    if pool:
        return (
            "SELECT p.id, ts_rank(s.document_tsv, q) AS fit, p.rank_key FROM"
            " (SELECT id, rank_key FROM network_contact WHERE in_network"
            " ORDER BY rank_key DESC, id LIMIT %s) p"
            " CROSS JOIN LATERAL (SELECT document_tsv FROM network_contactsearch"
            " WHERE contact_id = p.id OFFSET 0) s, to_tsquery('simple', %s) q"
            " WHERE s.document_tsv @@ q ORDER BY fit DESC, p.id LIMIT %s"
        )
    # Only placeholders and constant conditions are joined in (`restrict`).
    return (
        "SELECT s.contact_id, ts_rank(s.document_tsv, q) AS fit, c.rank_key"  # noqa: S608
        " FROM network_contactsearch s JOIN network_contact c ON c.id = s.contact_id,"
        " to_tsquery('simple', %s) q WHERE s.document_tsv @@ q"
        + restrict
        + " ORDER BY fit DESC, s.contact_id LIMIT %s"
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
    groups: list[tuple[str, ...]], *, every: bool, within: list[int] | None, pool: bool = False
) -> list[tuple[int, float, float]]:
    """(contact id, text relevance (higher is better), rank key) of the best matches, in the database:
    people of the network, or (`within`) exactly these contacts, or (`pool`) the `_POOL` strongest
    people of the network."""
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
    if pool:
        sql = (_ts_sql if postgres else _fts_sql)(pool=True, restrict="")
        args: list[str | int] = [_POOL, text, _CANDIDATES] if postgres else [text, _POOL, _CANDIDATES]
    else:
        sql = (_ts_sql if postgres else _fts_sql)(pool=False, restrict=restrict)
        args = [text, *params, _CANDIDATES]
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        return [(int(pk), float(fit), float(key)) for pk, fit, key in cursor.fetchall()]


def _found(
    groups: list[tuple[str, ...]], *, every: bool, within: list[int] | None, limit: int
) -> list[tuple[int, float, float]]:
    """The candidates to rank. Up to `_EXACT_UP_TO` matching texts, every match is ranked (a bounded
    cost). Beyond, asked of the whole network, the search ranks the matches among the `_POOL`
    strongest people only: on a large network a common skill matches thousands, and ranking every
    one of them by text costs in proportion to their number, while the list shows the best fits ×
    strengths. When that pool holds fewer matches than the list shows, every match of the network
    is ranked after all."""
    if within is None and _more_matches_than(groups, every=every, many=_EXACT_UP_TO):
        found = _candidates(groups, every=every, within=None, pool=True)
        if len(found) >= limit:
            return found
    return _candidates(groups, every=every, within=within)


def who_can(query: str, *, limit: int = 20, within: list[int] | None = None) -> list[Hit]:
    """The people whose profile, notes or exchanges answer `query`, best first (fit × strength).

    Every word must match (in one of its stems); when nobody matches them all, any word does.
    `within` restricts the search to these contact ids (a member sees only their own contacts).
    A bounded number of queries whatever the network's size and the number of hits: the ranking reads
    the candidates' rank keys with their text relevance, then only the hits shown are loaded, with
    their evidence in three more reads (`evidence_many`).
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
    for pk, fit, key in found:
        relative = max(fit, 0.0) / best if best > 0 else 1.0
        score = score_from_rank(key, at=now)
        # An unknown perfect match still shows; a close friend with a loose match comes up too.
        rank = relative * (0.35 + 0.65 * score / 100)
        ranked.append((rank, relative, score, pk))
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


def _excerpt(text: str, stems: set[str], width: int = 160) -> str | None:
    for sentence in _SENTENCE.findall(text):
        if stems.intersection(fold_words(sentence)):
            sentence = " ".join(sentence.split())
            return sentence if len(sentence) <= width else sentence[: width - 1].rsplit(" ", 1)[0] + "…"
    return None


def evidence_for(contact: Contact, stems: set[str], *, most: int = 2) -> list[Evidence]:
    """The sentences of this contact's profile, notes or exchanges that contain the words asked."""
    return evidence_many([contact], stems, most=most)[contact.pk]


_NOTES_READ = 50


def _latest_rows(model: type, columns: str, where: str, order: str, ids: list[int], each: int) -> list[tuple]:
    """The latest `each` rows of every one of these contacts, in one query (one bounded branch per
    contact, each read from the contact's index): (contact id, *columns)."""
    table = connection.ops.quote_name(model._meta.db_table)  # type: ignore[attr-defined]
    branch = (
        f"SELECT * FROM (SELECT contact_id, {columns} FROM {table} WHERE contact_id = %s{where}"  # noqa: S608
        f" ORDER BY {order} LIMIT {int(each)}) AS latest_{{n}}"
    )
    sql = " UNION ALL ".join(branch.format(n=n) for n in range(len(ids)))
    with connection.cursor() as cursor:
        cursor.execute(sql, ids)
        return cursor.fetchall()


def evidence_many(contacts: list[Contact], stems: set[str], *, most: int = 2) -> dict[int, list[Evidence]]:
    """`evidence_for` of each of these contacts, by contact id, from at most three queries whatever
    their number: their notes, the subjects of their latest exchanges, the dates of those that match."""
    found: dict[int, list[Evidence]] = {c.pk: [] for c in contacts}
    for contact in contacts:
        for name, label in _FIELDS:
            excerpt = _excerpt(getattr(contact, name), stems)
            if excerpt:
                found[contact.pk].append(Evidence(str(label), excerpt))
                if len(found[contact.pk]) >= most:
                    break
    wanting = [c.pk for c in contacts if len(found[c.pk]) < most]
    if wanting:
        for contact_id, text in _latest_rows(
            ContactNote, "text", "", "created_at DESC, id DESC", wanting, _NOTES_READ
        ):
            if len(found[contact_id]) < most:
                excerpt = _excerpt(text, stems)
                if excerpt:
                    found[contact_id].append(Evidence(str(_("Note")), excerpt))
        wanting = [pk for pk in wanting if len(found[pk]) < most]
    if wanting:
        # One exchange at most: the latest whose subject holds the words.
        # The latest few first: the subject that shows it is mostly among them.
        matched: dict[int, tuple[int, str]] = {}
        for each in (_SUBJECTS_FIRST, _SUBJECTS_PER_CONTACT):
            read: dict[int, int] = defaultdict(int)
            for contact_id, subject, pk in _latest_rows(
                Interaction, "subject, id", " AND subject <> ''", "at DESC", wanting, each
            ):
                read[contact_id] += 1
                if contact_id not in matched:
                    excerpt = _excerpt(subject, stems)
                    if excerpt:
                        matched[contact_id] = (pk, excerpt)
            # Read further only for those who have more than the first few and no match yet.
            wanting = [pk for pk in wanting if pk not in matched and read[pk] >= each]
            if not wanting:
                break
        if matched:
            dates = dict(
                Interaction.objects.filter(pk__in=[pk for pk, _ in matched.values()]).values_list("pk", "at")
            )
            for contact_id, (pk, excerpt) in matched.items():
                when = date_format(timezone.localtime(dates[pk]), "DATE_FORMAT")
                found[contact_id].append(Evidence(str(_("Exchange of %(date)s") % {"date": when}), excerpt))
    return found
