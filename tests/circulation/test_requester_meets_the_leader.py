"""The requester hears from the leader's identity: the acknowledgement says who the hub is (the leader's
first circle, what the leader offers) and ends with the leader's signature; the introduction of the project
lead is signed the same way; answers go where the hub said, in French and in English."""

from __future__ import annotations

import pytest

from cercle.circle import services as circle
from cercle.circulation import services
from cercle.outbox.models import OutgoingMessage
from cercle.outbox.services import hub_identity_update
from tests.factories import ContactFactory, RequestFactory

SIGNATURE = "Léa Marchand\nFondatrice, Atelier Marchand\n06 12 34 56 78"


@pytest.fixture
def identity(leader, second):
    leader.offer_statement = "J'aide les dirigeants de PME à transmettre leur entreprise."
    leader.save(update_fields=["offer_statement"])
    hub_identity_update(
        actor=second,
        from_name="Léa Marchand – Cercle",
        from_email="bonjour@atelier-marchand.example",
        reply_to="demandes@atelier-marchand.example",
        signature=SIGNATURE,
    )


def _approved(second, leader, language: str):
    request = RequestFactory(language=language, requester=ContactFactory(language=language))
    services.request_keep(actor=second, request=request)
    services.request_approve(actor=leader, request=request)
    return request, OutgoingMessage.objects.get(idempotency_key=f"ack:{request.pk}")


@pytest.mark.parametrize(
    ("language", "who_we_are", "offer"),
    [
        (
            "fr",
            "Cercle, c'est le premier cercle de Léa Marchand\u00a0:",
            "Léa Marchand, en quelques mots\u00a0: «\u00a0{}\u00a0»",
        ),
        ("en", "Cercle is the first circle of Léa Marchand", 'Léa Marchand in a few words: "{}"'),
    ],
)
def test_the_acknowledgement_says_who_the_hub_is_and_is_signed_by_the_leader(
    identity, second, leader, language, who_we_are, offer
):
    _request, ack = _approved(second, leader, language)
    assert who_we_are in ack.body
    assert offer.format("J'aide les dirigeants de PME à transmettre leur entreprise.") in ack.body
    assert ack.body.rstrip().endswith(f"\n-- \n{SIGNATURE}")
    assert ack.from_email == "Léa Marchand – Cercle <bonjour@atelier-marchand.example>"
    # Answers go to the address the hub set, not to the leader's own.
    assert ack.reply_to == ["demandes@atelier-marchand.example"]


def test_without_an_identity_the_acknowledgement_still_says_who_the_hub_is_and_answers_to_the_leader(
    second, leader
):
    _request, ack = _approved(second, leader, "fr")
    assert ack.reply_to == ["Léa Marchand <lea@hub.example>"]
    assert "Cercle, c'est le premier cercle de Léa Marchand" in ack.body  # who the hub is, all the same
    assert "--" not in ack.body and "en quelques mots" not in ack.body
    assert ack.body.rstrip().endswith("Cercle, pour Léa Marchand")


@pytest.mark.parametrize(("language", "greeting"), [("fr", "Bien cordialement,"), ("en", "Kind regards,")])
def test_the_introduction_of_the_project_lead_ends_with_the_leader_s_signature(
    identity, second, leader, member, language, greeting
):
    request, _ack = _approved(second, leader, language)
    [offer] = circle.request_route(actor=second, request=request, members=[member], brief="B")
    circle.offer_accept(actor=member, offer=offer)
    intro = OutgoingMessage.objects.get(idempotency_key=f"intro:{request.pk}")
    assert intro.body.rstrip().endswith(f"{greeting}\n{SIGNATURE}")
    assert intro.from_email == "Léa Marchand – Cercle <bonjour@atelier-marchand.example>"
    # The introduction hands the requester over to the project lead: their answers go to them.
    assert intro.reply_to == ["Claire Dubois <claire@hub.example>"]
