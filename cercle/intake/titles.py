"""A request's title when the requester gave none: what the text is about, not its greeting.

"Bonjour,\\n\\nNous sommes une coopérative et cherchons un accompagnement…" is titled "Nous sommes une
coopérative et cherchons un accompagnement…", not "Bonjour,". Pure functions (a data migration uses them).
"""

from __future__ import annotations

import re

# A line that only greets ("Bonjour,", "Bonjour Léa !", "Hello team,", "Madame, Monsieur,", "Dear Sir or
# Madam,"): a greeting word, then at most a few words, then nothing but punctuation.
_GREETING = re.compile(
    r"^\s*(bonjour|bonsoir|salut|coucou|cher|chère|chers|chères|madame|monsieur|mesdames|messieurs|"
    r"hello|hi|hey|dear|good (morning|afternoon|evening)|greetings|to whom it may concern)\b"
    r"[^.!?\n]{0,40}[,!.:]?\s*$",
    re.I,
)
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
_WRAPPED = 70


def title_from_text(text: str, *, max_chars: int = 120) -> str:
    """The first meaningful sentence of `text`, cut at a word when longer than `max_chars` ("…")."""
    lines = [line.strip() for line in text.replace("\r", "\n").split("\n")]
    meaningful = [line for line in lines if line and not _GREETING.match(line)]
    if not meaningful:
        return ""
    # The first line after the greeting; a line long enough to have been wrapped by a mail program
    # (70 characters and more) goes on with the next one, a short line (a heading) stands alone.
    opening = meaningful[0]
    for line in meaningful[1:6]:
        if len(opening.splitlines()[-1]) < _WRAPPED or _SENTENCE_END.search(opening + " "):
            break
        opening += "\n" + line
    paragraph = " ".join(opening.split())
    # A greeting that opens the line ("Bonjour ! Nous aimerions…") is not what the text is about either.
    sentences = _SENTENCE_END.split(paragraph)
    while len(sentences) > 1 and _GREETING.match(sentences[0]):
        sentences.pop(0)
    sentence = sentences[0].rstrip(" .")
    if len(sentence) <= max_chars:
        return sentence
    cut = sentence[: max_chars + 1].rsplit(" ", 1)[0].rstrip(" ,;:—-")
    return f"{cut or sentence[:max_chars]}…"


def is_greeting(title: str) -> bool:
    """A title that is only a greeting: what the form used to produce ("Bonjour,")."""
    return bool(_GREETING.match(title))
