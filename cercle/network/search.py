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
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import Stemmer
from django.db import connection
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
        "quelqu'un",
        "faire",
        "fait",
        "reseau",
        "mon",
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
    return [w for w in _WORD.findall(unaccent(text)) if len(w) >= _MIN_LENGTH and w not in STOP_WORDS]


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


def contact_document(contact: Contact, *, extra: Iterable[str] = ()) -> str:
    parts = [
        contact.name,
        contact.organisation,
        contact.position,
        contact.what_they_do,
        contact.offers,
        contact.offers,  # what they offer counts twice: it is what "who can do X" asks
        contact.tags.replace(",", " "),
        contact.needs,
        contact.how_we_met,
    ]
    parts += list(ContactNote.objects.filter(contact=contact).values_list("text", flat=True)[:50])
    parts += list(
        Interaction.objects.filter(contact=contact)
        .exclude(subject="")
        .order_by("-at")
        .values_list("subject", flat=True)[:_SUBJECTS_PER_CONTACT]
    )
    parts += list(extra)
    return fold(" ".join(p for p in parts if p))


def search_index(contacts: Iterable[Contact], *, extra: dict[int, list[str]] | None = None) -> None:
    """Refresh the search text of these contacts (after an edit, a note, an import)."""
    extra = extra or {}
    for contact in contacts:
        if contact.merged_into_id is not None:
            ContactSearch.objects.filter(contact=contact).delete()
            continue
        ContactSearch.objects.update_or_create(
            contact=contact, defaults={"document": contact_document(contact, extra=extra.get(contact.pk, ()))}
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
    """(contact id, text relevance, higher is better) of the best matches, in the database."""
    restrict, params = "", []
    if within is not None:
        if not within:
            return []
        restrict = f" AND {{pk}} IN ({', '.join(['%s'] * len(within))})"
        params = list(within)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Only placeholders are joined in (`restrict`).
            cursor.execute(
                "SELECT contact_id, ts_rank(to_tsvector('simple', document), q) AS fit"  # noqa: S608
                " FROM network_contactsearch, to_tsquery('simple', %s) q"
                " WHERE to_tsvector('simple', document) @@ q"
                + restrict.format(pk="contact_id")
                + " ORDER BY fit DESC LIMIT %s",
                [_ts_query(groups, every=every), *params, _CANDIDATES],
            )
        else:
            cursor.execute(
                "SELECT rowid, -bm25(network_contact_fts) AS fit FROM network_contact_fts"  # noqa: S608
                " WHERE network_contact_fts MATCH %s"
                + restrict.format(pk="rowid")
                + " ORDER BY bm25(network_contact_fts) LIMIT %s",
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
                Evidence(str(_("Exchange of %(date)s") % {"date": date_format(at, "DATE_FORMAT")}), excerpt)
            )
            break
    return found
