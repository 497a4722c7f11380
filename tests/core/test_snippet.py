"""core/text.py `snippet`: reading only the beginning of a long text gives what reading all of it gave."""

from __future__ import annotations

import random

from cercle.core.text import snippet


def _whole(text: str, length: int) -> str:
    """The definition: every run of white space made one space, then cut."""
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + "…"


def test_a_long_text_gives_the_same_snippet_as_reading_it_whole():
    rng = random.Random(20261206)
    pieces = ["mot", "a", "réunion", "x" * 90, "y" * 700, " ", "  ", "\n", "\t\t", "\u00a0", "\n\n   \n"]
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 400)))
        length = rng.choice([1, 2, 10, 120, 160, 600])
        assert snippet(text, length) == _whole(text, length), (text[:80], length)


def test_a_snippet_is_cut_with_an_ellipsis_and_a_short_text_kept():
    assert snippet("Bonjour,\n\n  nous   avons besoin d'aide.") == "Bonjour, nous avons besoin d'aide."
    long = "mot " * 400
    assert snippet(long, 600) == ("mot " * 150)[:599].rstrip() + "…"
    # White space only at the start of a long text: the words that come after it count.
    assert snippet(" " * 5000 + "fin du texte", 600) == "fin du texte"
