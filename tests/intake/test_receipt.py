"""The requester hears at once: a form request gets a receipt in their language saying when they will hear
back, in the transaction that creates the request; the thanks page says the same."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse

from cercle.circulation.models import EventKind
from cercle.intake.services import FormSubmission, request_submit_form
from cercle.outbox.models import MailTemplate, OutgoingMessage


def submit(language: str = "fr", email: str = "jeanne@coop.example"):
    return request_submit_form(
        submission=FormSubmission(
            name="Jeanne Martin",
            email=email,
            organisation="Coop",
            need="Nous cherchons un accompagnement pour notre levée de fonds coopérative.",
            deadline=None,
            language=language,
            subject="Levée de fonds",
        )
    )


def test_a_form_request_gets_a_receipt_in_the_requesters_language(db, settings):
    settings.CERCLE = {**settings.CERCLE, "ANSWER_TARGET_HOURS": 48, "HUB_NAME": "Cercle Léa"}
    french = submit("fr")
    receipt = OutgoingMessage.objects.get(idempotency_key=f"receipt:{french.pk}")
    assert receipt.subject == "Nous avons bien reçu votre demande : Levée de fonds"
    assert "vous aurez une réponse d'ici 48 heures" in receipt.body
    assert receipt.to == ["Jeanne Martin <jeanne@coop.example>"]
    assert receipt.headers["In-Reply-To"] == french.messages.get().message_id
    assert french.events.filter(kind=EventKind.MAIL, note__contains="jeanne@coop.example").exists()
    english = submit("en", email="john@coop.example")
    body = OutgoingMessage.objects.get(idempotency_key=f"receipt:{english.pk}").body
    assert "you will hear from us within 48 hours" in body


def test_the_receipt_is_written_with_the_request_or_not_at_all(db):
    class Crash(Exception):
        pass

    with pytest.raises(Crash), transaction.atomic():
        request = submit()
        assert OutgoingMessage.objects.filter(idempotency_key=f"receipt:{request.pk}").exists()
        raise Crash
    assert not OutgoingMessage.objects.exists()


def test_the_receipt_text_is_editable(db):
    MailTemplate.objects.update_or_create(
        key="receipt",
        language="fr",
        defaults={"subject": "Reçu : {{ subject }}", "body": "Merci {{ requester_name }}."},
    )
    request = submit()
    receipt = OutgoingMessage.objects.get(idempotency_key=f"receipt:{request.pk}")
    assert (receipt.subject, receipt.body) == ("Reçu : Levée de fonds", "Merci Jeanne Martin.\n")


def test_the_thanks_page_says_when_they_will_hear_back(client, db, settings):
    settings.CERCLE = {**settings.CERCLE, "ANSWER_TARGET_HOURS": 72}
    page = client.get(reverse("intake:thanks"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "You will hear from us within 72 hours." in page


def test_answers_to_the_receipt_go_where_the_settings_say(db, leader, second):
    # No reply-to address set for the hub: to the leader, whose mailbox Cercle reads.
    first = submit("fr")
    receipt = OutgoingMessage.objects.get(idempotency_key=f"receipt:{first.pk}")
    assert receipt.reply_to == [f"{leader.display_name} <{leader.email}>"]
    # The hub's own reply-to address, once set.
    from cercle.outbox.services import hub_identity_update

    hub_identity_update(
        actor=second, from_name="", from_email="", reply_to="contact@hub.example", signature=""
    )
    later = submit("fr", email="paul@coop.example")
    assert OutgoingMessage.objects.get(idempotency_key=f"receipt:{later.pk}").reply_to == [
        "contact@hub.example"
    ]
