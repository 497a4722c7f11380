"""Small text helpers without domain knowledge."""

from __future__ import annotations

import re

_WORD = re.compile(r"[a-zà-ÿœæ']+", re.IGNORECASE)
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
    words = [w.lower() for w in _WORD.findall(text[:5000])]
    fr = sum(1 for w in words if w in _FR)
    en = sum(1 for w in words if w in _EN)
    if fr == en:
        return default
    return "fr" if fr > en else "en"


def snippet(text: str, length: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + "…"
