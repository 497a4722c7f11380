"""Small text helpers without domain knowledge."""

from __future__ import annotations

import re

_WORD = re.compile(r"[a-zà-ÿœæ']+")  # in lower-case text (a case-blind pattern was a fifth slower)
_FR = frozenset(
    [
        "le",
        "la",
        "les",
        "un",
        "une",
        "des",
        "du",
        "de",
        "et",
        "est",
        "pour",
        "pas",
        "que",
        "qui",
        "dans",
        "avec",
        "sur",
        "nous",
        "vous",
        "je",
        "votre",
        "notre",
        "bonjour",
        "merci",
        "cordialement",
        "sommes",
        "êtes",
        "projet",
        "entreprise",
        "demande",
        "besoin",
    ]
)
_EN = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "is",
        "for",
        "not",
        "that",
        "who",
        "in",
        "with",
        "on",
        "we",
        "you",
        "i",
        "your",
        "our",
        "hello",
        "thanks",
        "regards",
        "are",
        "project",
        "company",
        "request",
        "need",
        "would",
        "could",
    ]
)


def guess_language(text: str, default: str = "fr") -> str:
    """Return 'fr' or 'en' from function-word counts; good enough to pick a template language."""
    words = _WORD.findall(text[:5000].lower())
    fr = sum(map(_FR.__contains__, words))
    en = sum(map(_EN.__contains__, words))
    if fr == en:
        return default
    return "fr" if fr > en else "en"


def snippet(text: str, length: int = 160) -> str:
    """The text on one line (runs of white space made one space), cut to `length` characters with an
    ellipsis. Only the beginning of a long text is read: its words but the last (perhaps cut) are the
    text's first words, and when they make more than `length` characters the rest changes nothing
    (an import makes one summary a request: the whole head was split and joined each time)."""
    if len(text) > 2 * length:
        words = text[: length + length // 4 + 64].split()[:-1]
        flat = " ".join(words)
        if len(flat) > length:
            return flat[: length - 1].rstrip() + "…"
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + "…"


# Characters that change how text is shown without being seen: bidirectional overrides, embeddings,
# isolates and marks (a name written "Invoice\u202egpj.exe" reads as "Invoiceexe.jpg"), zero-width
# spaces, word joiners, the byte-order mark and the soft hyphen; and control characters. ZWJ and ZWNJ
# stay: emoji sequences and several scripts need them.
_INVISIBLE = re.compile(
    "[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b"
    "\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)


def visible(text: str) -> str:
    """The text without invisible controls (see `_INVISIBLE`): for names and subjects people read."""
    return _INVISIBLE.sub("", text) if text else text


# French elides "de" and "que" before a vowel: "le profil d’Inès", "ce qu’Inès propose", not "de Inès",
# "que Inès". A name that begins with a vowel letter (accented or not) elides; Y does not (Yasmine), nor H,
# mute or not (Hugo keeps "de").
_FRENCH_VOWELS = "AEIOUÀÂÄÉÈÊËÎÏÔÖÙÛÜŒÆaeiouàâäéèêëîïôöùûüœæ"
_ELIDED = (("de ", "d’"), ("De ", "D’"), ("que ", "qu’"), ("Que ", "Qu’"))


def elide_before_names(text: str, *names: str) -> str:
    """`text` with "de {name}" made "d’{name}" (and "que {name}" "qu’{name}") for each of `names` that
    begins with a vowel. Only the word right before a name given here changes, and only as a whole word:
    a sentence in another language has no "de " before a name."""
    for name in {n for n in names if n and n[0] in _FRENCH_VOWELS}:
        for word, elided in _ELIDED:
            replacement = (elided + name).replace("\\", "\\\\")  # a template: backslashes doubled
            text = re.sub(rf"(?<![^\W\d_]){re.escape(word + name)}", replacement, text)
    return text


def elide_in_french(text: str, *names: str) -> str:
    """`elide_before_names` when the active language is French; any other language's text as it is."""
    from django.utils.translation import get_language

    return elide_before_names(text, *names) if (get_language() or "").startswith("fr") else text
