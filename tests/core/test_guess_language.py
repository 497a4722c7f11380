"""`guess_language`: French or English from the function words of a text, whatever its case."""

from __future__ import annotations

import pytest

from cercle.core.text import guess_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bonjour, pourriez-vous nous aider pour le projet de la mairie ?", "fr"),
        ("BONJOUR, POURRIEZ-VOUS NOUS AIDER POUR LE PROJET DE LA MAIRIE ?", "fr"),
        ("Hello, could you help us with the project for the city?", "en"),
        ("HELLO, COULD YOU HELP US WITH THE PROJECT FOR THE CITY?", "en"),
        ("Merci pour votre réponse, et à bientôt. Thanks!", "fr"),
    ],
)
def test_the_language_is_read_from_function_words_in_any_case(text, expected):
    assert guess_language(text) == expected


def test_a_text_without_function_words_takes_the_default():
    assert guess_language("Devis 2026 — 12 400 €", default="en") == "en"
    assert guess_language("Devis 2026 — 12 400 €") == "fr"


def test_only_the_beginning_of_a_long_text_is_read():
    english_then_french = (
        "the project with you and our company " * 200 + "le projet avec vous et nous " * 2000
    )
    assert guess_language(english_then_french) == "en"
