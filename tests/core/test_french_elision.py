"""French elides "de" and "que" before a vowel: the hub's sentences that put a person's name after them say
"d’Inès" and "qu’Inès", never "de Inès"; English, and names that do not begin with a vowel, are untouched."""

from __future__ import annotations

import pytest
from django.utils import translation

from cercle.core.notes import Note
from cercle.core.text import elide_before_names
from cercle.outbox.services import template_render


@pytest.mark.parametrize(
    ("text", "names", "said"),
    [
        ("Présentation de Inès Moreau en attente", ["Inès Moreau"], "Présentation d’Inès Moreau en attente"),
        ("Ce que Oliver propose", ["Oliver"], "Ce qu’Oliver propose"),
        ("De Émilie, avec plaisir", ["Émilie"], "D’Émilie, avec plaisir"),
        ("Profil de Marc", ["Marc"], "Profil de Marc"),  # a consonant
        ("Profil de Yasmine", ["Yasmine"], "Profil de Yasmine"),  # Y sounds as a consonant
        ("Profil de Hugo", ["Hugo"], "Profil de Hugo"),  # H: left as it is
        ("Mode Inès", ["Inès"], "Mode Inès"),  # "de" inside a word is not the word "de"
        ("Profil de Inès", ["Anne"], "Profil de Inès"),  # only before the names given
    ],
)
def test_elision_before_a_name(text, names, said):
    assert elide_before_names(text, *names) == said


def test_a_history_note_elides_in_french_and_stays_english_in_english():
    note = Note("Introduction of %(lead)s queued for %(email)s", lead="Inès Moreau", email="anne@roy.example")
    with translation.override("fr"):
        assert note.render().startswith("Présentation d’Inès Moreau ")
    with translation.override("en"):
        assert note.render().startswith("Introduction of Inès Moreau ")


def test_a_french_mail_elides_before_the_names_it_is_given(db):
    mail = template_render(
        key="acknowledgement",
        language="fr",
        context={"requester_name": "Marc", "subject": "Un projet", "leader_name": "Inès Moreau"},
    )
    assert "le premier cercle d’Inès Moreau" in mail.body
    assert "de Inès" not in mail.body


@pytest.mark.parametrize(
    ("language", "heading"), [("fr", "Profil d’Inès Moreau & Fils"), ("en", "Profile of Inès Moreau & Fils")]
)
def test_a_member_s_profile_page_is_titled_with_the_elision(second, language, heading):
    import html

    from django.urls import reverse

    from tests.conftest import login
    from tests.factories import MemberFactory

    ines = MemberFactory(username="ines", first_name="Inès", last_name="Moreau & Fils")
    page = login(second, language).get(reverse("circle:member_profile", args=[ines.pk]))
    assert page.status_code == 200
    assert "&amp;amp;" not in page.content.decode()  # escaped once, not twice
    text = html.unescape(page.content.decode())
    assert f"<h1>{heading}</h1>" in text and f"<title>{heading}" in text


def test_the_triage_reason_for_a_linkedin_message_elides_in_french():
    from cercle.triage.reasons import render_one

    with translation.override("fr"):
        assert render_one("linkedin_message", {"detail": "Inès Moreau"}).startswith(
            "un message LinkedIn d’Inès"
        )
    with translation.override("en"):
        assert render_one("linkedin_message", {"detail": "Inès Moreau"}).startswith(
            "a LinkedIn message from Inès"
        )
