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
from cercle.network.strength import contact_score

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


def _candidates(
    groups: list[tuple[str, ...]], *, every: bool, within: list[int] | None
) -> list[tuple[int, float]]:
    """(contact id, text relevance, higher is better) of the best matches, in the database: people of
    the network, or (`within`) exactly these contacts."""
    params: list[int] = []
    if within is not None:
        if not within:
            return []
        restrict = f" AND c.id IN ({', '.join(['%s'] * len(within))})"
        params = list(within)
    else:
        restrict = " AND c.in_network"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Only placeholders and constant conditions are joined in (`restrict`).
            cursor.execute(
                "SELECT s.contact_id, ts_rank(s.document_tsv, q) AS fit"  # noqa: S608
                " FROM network_contactsearch s JOIN network_contact c ON c.id = s.contact_id,"
                " to_tsquery('simple', %s) q"
                " WHERE s.document_tsv @@ q" + restrict + " ORDER BY fit DESC, s.contact_id LIMIT %s",
                [_ts_query(groups, every=every), *params, _CANDIDATES],
            )
        else:
            cursor.execute(
                "SELECT network_contact_fts.rowid, -bm25(network_contact_fts) AS fit"  # noqa: S608
                " FROM network_contact_fts JOIN network_contact c ON c.id = network_contact_fts.rowid"
                " WHERE network_contact_fts MATCH %s"
                + restrict
                + " ORDER BY bm25(network_contact_fts), network_contact_fts.rowid LIMIT %s",
                [_fts_match(groups, every=every), *params, _CANDIDATES],
            )
        return [(int(pk), float(fit)) for pk, fit in cursor.fetchall()]


def who_can(query: str, *, limit: int = 20, within: list[int] | None = None) -> list[Hit]:
    """The people whose profile, notes or exchanges answer `query`, best first (fit × strength).

    Every word must match (in one of its stems); when nobody matches them all, any word does.
    `within` restricts the search to these contact ids (a member sees only their own contacts).
    """
    groups = query_groups(query)
    if not groups:
        return []
    found = _candidates(groups, every=True, within=within)
    if not found and len(groups) > 1:
        found = _candidates(groups, every=False, within=within)
    if not found:
        return []
    best = max(fit for _, fit in found) or 1.0
    contacts = Contact.objects.in_bulk([pk for pk, _ in found])
    hits = []
    for pk, fit in found:
        contact = contacts.get(pk)
        if contact is None or contact.merged_into_id is not None:
            continue
        relative = max(fit, 0.0) / best if best > 0 else 1.0
        score = contact_score(contact)
        # An unknown perfect match still shows; a close friend with a loose match comes up too.
        rank = relative * (0.35 + 0.65 * score / 100)
        hits.append((rank, relative, score, contact))
    hits.sort(key=lambda h: (-h[0], h[3].pk))
    stems = {s for group in groups for s in group}
    return [
        Hit(contact=c, fit=round(f, 2), score=s, rank=r, evidence=evidence_for(c, stems))
        for r, f, s, c in hits[:limit]
    ]


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
    found: list[Evidence] = []
    for name, label in _FIELDS:
        excerpt = _excerpt(getattr(contact, name), stems)
        if excerpt:
            found.append(Evidence(str(label), excerpt))
            if len(found) >= most:
                return found
    for text in ContactNote.objects.filter(contact=contact).values_list("text", flat=True)[:50]:
        excerpt = _excerpt(text, stems)
        if excerpt:
            found.append(Evidence(str(_("Note")), excerpt))
            if len(found) >= most:
                return found
    subjects = (
        Interaction.objects.filter(contact=contact)
        .exclude(subject="")
        .order_by("-at")
        .values_list("subject", "at")
    )
    for subject, at in subjects[:_SUBJECTS_PER_CONTACT]:
        excerpt = _excerpt(subject, stems)
        if excerpt:
            found.append(
                Evidence(
                    str(
                        _("Exchange of %(date)s")
                        % {"date": date_format(timezone.localtime(at), "DATE_FORMAT")}
                    ),
                    excerpt,
                )
            )
            break
    return found
