"""Unicode direction overrides and other invisible controls never reach a name or a subject people read."""

from __future__ import annotations

from cercle.circulation.models import Direction, Request
from cercle.core.text import visible
from cercle.intake.services import FormSubmission, message_ingest, request_submit_form
from cercle.mail.parse import parse_message
from cercle.network.services import contact_get_or_create_linkedin

RLO = "\u202e"


def test_visible_drops_overrides_isolates_zero_widths_and_controls_but_keeps_joiners():
    assert visible(f"Facture{RLO}fdp.exe") == "Facturefdp.exe"
    assert visible("a\u2066b\u2069c\u200bd\ufeffe\u200ff\x07g") == "abcdefg"
    assert visible("👩\u200d💻 Nadia") == "👩\u200d💻 Nadia"  # the emoji's joiner stays


def test_a_mail_with_an_override_in_its_sender_name_and_subject(db):
    raw = (
        f"From: =?utf-8?b?{'TWFyYyDigK5uaWFtZWQ='}?= <marc@client.example>\r\n"
        f"Subject: Facture {RLO}fdp.exe\r\nMessage-ID: <rlo@client.example>\r\nTo: lea@hub.example\r\n\r\n"
        "Bonjour, voici la facture.\r\n"
    ).encode()
    parsed = parse_message(raw)
    assert RLO not in parsed.from_name and parsed.from_name == "Marc niamed"
    assert parsed.subject == "Facture fdp.exe"
    result = message_ingest(parsed=parsed, raw=raw, direction=Direction.INBOUND)
    request = Request.objects.get(pk=result.request_id)
    assert RLO not in request.subject and RLO not in request.requester.name


def test_the_form_and_linkedin_names_are_cleaned_too(db):
    request = request_submit_form(
        submission=FormSubmission(
            name=f"Jeanne{RLO} Martin",
            email="jeanne@asso.example",
            organisation=f"Asso\u200b des {RLO}Amis",
            need="Nous cherchons un mentor pour notre projet de tiers-lieu.",
            language="fr",
            deadline=None,
        )
    )
    assert (request.requester.name, request.requester.organisation) == ("Jeanne Martin", "Asso des Amis")
    contact, _status = contact_get_or_create_linkedin(
        linkedin_url="https://www.linkedin.com/in/paul", name=f"Paul{RLO} Durand"
    )
    assert contact.name == "Paul Durand"
