"""The machine's reasons read as the reader's language writes: French quotation marks in French."""

from __future__ import annotations

from django.utils import translation

from cercle.triage.reasons import render_one


def test_telling_words_are_quoted_the_readers_way() -> None:
    with translation.override("fr"):
        french = render_one("words", {"words": ["minute", "qualified"]})
    with translation.override("en"):
        english = render_one("words", {"words": ["minute", "qualified"]})
    assert french.startswith("mots révélateurs")
    assert french.endswith("«\u00a0minute\u00a0», «\u00a0qualified\u00a0»")
    assert english == "telling words: “minute”, “qualified”"
