"""Subjects as a thread key, for replies whose Message-IDs we do not know (FR and EN mail clients).

`Re:`, `RE :`, `Réf. :`, `TR:`, `Fwd:`, `AW:`, `Réponse automatique :`, `[liste]`… are stripped,
repeatedly, then case and spacing are folded: "RE : TR: Devis  n°3" and "devis n°3" share a key.
"""

from __future__ import annotations

import re
from functools import lru_cache

# One reply, forward or automatic-answer marker, with its optional counter ("Re[2]:", "Re^3:").
_MARKER = (
    r"(?:re|ré|rép|rep|réf|ref|r|aw|sv|vs|antw|antwort|odp|rif|tr|trans|fw|fwd|wg|enc|rv|"
    r"automatic reply|auto[- ]?reply|out of (?:the )?office(?: auto ?reply)?|réponse automatique|"
    r"absence du bureau|accusé de réception|undeliverable|undelivered|non remis)"
)
_PREFIX = re.compile(
    rf"^\s*(?:\[[^\]]{{0,60}}\]\s*)*{_MARKER}\s*\.?\s*(?:\[\d+\]|\(\d+\)|\^\d+)?\s*:\s*", re.I
)
_LIST_TAG = re.compile(r"^\s*\[[^\]]{0,60}\]\s*")


def is_reply_subject(subject: str) -> bool:
    """The subject says it answers or forwards something (a list tag alone does not)."""
    return bool(_PREFIX.match(subject))


@lru_cache(maxsize=65536)  # pure, and an import asks again for the same subjects (threads, batches)
def normalise_subject(subject: str) -> str:
    previous = None
    while previous != subject:
        previous = subject
        subject = _PREFIX.sub("", subject, count=1)
        subject = _LIST_TAG.sub("", subject, count=1)
    return " ".join(subject.split()).casefold()


_ASCII_RUN = re.compile(r"[\x20-\x7e]+")


def subject_fragment(key: str) -> str:
    """The longest ASCII run of a subject key, for a database's case-insensitive LIKE to keep the
    subjects that can match it (SQLite folds the case of ASCII letters only); "" when too short."""
    fragment = max(_ASCII_RUN.findall(key), key=len, default="").strip()
    return fragment if len(fragment) >= 3 else ""
