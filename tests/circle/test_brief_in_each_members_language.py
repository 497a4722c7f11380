"""One brief, offered to a French and an English member: each reads its labels and dates in their own
language, the requester's words as they wrote them (their goal, their budget and its qualifiers), and
the second's own edits as the second wrote them."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse

from cercle.circle.models import Offer
from cercle.circulation import services as circulation
from cercle.circulation.models import Request
from cercle.outbox.models import OutgoingMessage
from tests.conftest import login
from tests.triage.conftest import ingest, mail

ATELIER = """Bonjour Madame Marchand,

Je dirige l'Atelier Roux, une menuiserie de 25 personnes à Lyon. L'objectif est de réduire de 30 % nos délais
de livraison d'ici fin 2027. Pourriez-vous nous accompagner sur ce chantier ? Nous aimerions démarrer avant
le 15 mars 2027. Budget envisagé : 18 000 € HT sur six mois.

Bien cordialement,
Marion Roux
Gérante, Atelier Roux
"""
GOAL = "réduire de 30 % nos délais de livraison d'ici fin 2027."
SECONDS_LINE = "Samuel : Marion est une ancienne cliente de Léa, à traiter avec soin."


@pytest.fixture
def approved(second, leader, django_capture_on_commit_callbacks) -> Request:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        request = ingest(
            mail(sender="Marion Roux <marion@atelier-roux.fr>", subject="Délais de livraison", body=ATELIER)
        )
    request.refresh_from_db()
    circulation.request_keep(actor=second, request=request)
    circulation.request_approve(actor=leader, request=request)
    return request


@pytest.fixture
def english_member(other_member):  # type: ignore[no-untyped-def]
    other_member.language = "en"
    other_member.save(update_fields=["language"])
    return other_member


def _proposed(client, request: Request) -> str:  # type: ignore[no-untyped-def]
    page = client.get(reverse("circle:route", args=[request.pk])).content.decode()
    textarea = re.search(r'<textarea name="brief"[^>]*>(.*?)</textarea>', page, re.S)
    assert textarea, "the routing form has a brief"
    return unescape(textarea.group(1)).strip()


def _route(second, request: Request, members, edit=lambda text: text) -> str:  # type: ignore[no-untyped-def]
    """The French second sends the proposed brief (edited by `edit`) to `members`."""
    client = login(second, "fr")
    sent = edit(_proposed(client, request))
    response = client.post(
        reverse("circle:route", args=[request.pk]),
        {"members": [m.pk for m in members], "brief": sent, "expected_state": "approved"},
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    return sent


def _mail_to(user) -> str:  # type: ignore[no-untyped-def]
    (outgoing,) = [m for m in OutgoingMessage.objects.all() if any(user.email in to for to in m.to)]
    return outgoing.body


def _opportunity(user, language: str) -> str:  # type: ignore[no-untyped-def]
    page = login(user, language).get(reverse("circle:opportunities")).content.decode()
    card = re.search(r'<article id="offer-\d+">(.*?)</article>', page, re.S)
    assert card, "the member has the opportunity"
    return unescape(re.sub(r"<br>\s*", "\n", card.group(1)))


def test_the_proposed_brief_keeps_the_goal_and_the_budget_with_its_qualifiers(second, approved):
    proposed = _proposed(login(second, "fr"), approved)
    assert f"Objectif\u00a0: {GOAL}" in proposed
    assert "Budget\u00a0: 18 000 € HT sur six mois" in proposed
    assert "Budget envisagé" not in proposed  # no "Budget : Budget envisagé : 18 000 €"
    assert "Pourriez-vous nous accompagner sur ce chantier ?" in proposed
    assert "L'objectif est de" not in proposed  # the goal is said once, under its label


def test_each_member_reads_the_labels_and_the_date_in_their_language(
    second, approved, member, english_member, django_capture_on_commit_callbacks
):
    assert member.language == "fr"
    with django_capture_on_commit_callbacks(execute=True):
        _route(second, approved, [member, english_member])
    english, french = _mail_to(english_member), _mail_to(member)
    assert f"Goal: {GOAL}" in english
    assert "Budget: 18 000 € HT sur six mois" in english
    assert "When: 15 March 2027 · " in english
    assert "Language: French" in english
    assert "Who: Marion Roux, Gérante · Atelier Roux" in english
    for french_label in ("Objectif", "Quand", "Langue", "Qui\u00a0:", "Budget\u00a0:"):
        assert french_label not in english
    assert f"Objectif\u00a0: {GOAL}" in french
    assert "Quand\u00a0: 15 mars 2027 · " in french
    assert "Langue\u00a0: Français" in french
    assert "Budget\u00a0: 18 000 € HT sur six mois" in french
    # The requester's words are theirs in both: what they need is not translated.
    for body in (english, french):
        assert "Pourriez-vous nous accompagner sur ce chantier ?" in body
    # Their pages say the same as their mails.
    english_card = _opportunity(english_member, "en")
    assert f"Goal: {GOAL}" in english_card and "When: 15 March 2027" in english_card
    assert "Objectif" not in english_card
    assert f"Objectif\u00a0: {GOAL}" in _opportunity(member, "fr")


def test_the_seconds_own_lines_and_rewritten_facts_are_kept_as_written(
    second, approved, member, english_member, django_capture_on_commit_callbacks
):
    def edit(text: str) -> str:
        rewritten = text.replace(
            "Budget\u00a0: 18 000 € HT sur six mois", "Budget : 18 000 € HT sur six mois, négociable"
        )
        assert rewritten != text
        return f"{rewritten}\n{SECONDS_LINE}"

    with django_capture_on_commit_callbacks(execute=True):
        sent = _route(second, approved, [member, english_member], edit)
    # As sent, for the record; and as each member reads it.
    assert {o.brief for o in Offer.objects.filter(request=approved)} == {sent}
    english = _mail_to(english_member)
    assert "Budget: 18 000 € HT sur six mois, négociable" in english  # their words, our label
    assert SECONDS_LINE in english  # a line of their own: never translated
    assert "Goal: " in english and "Language: French" in english
    french = _mail_to(member)
    assert "Budget\u00a0: 18 000 € HT sur six mois, négociable" in french
    assert SECONDS_LINE in french
