"""The hub's mail identity: the sender and the reply-to address come from the settings page (else from the
environment), never a hard-wired `cercle@localhost`; the second or the leader sets them, in French or in
English; a member cannot."""

from __future__ import annotations

from html import unescape

import pytest
from django.db import transaction
from django.urls import reverse

from cercle.outbox.models import HubIdentity, OutgoingMessage
from cercle.outbox.services import hub_identity_update, outbox_enqueue, template_render
from tests.conftest import login


def _queue(key: str = "k", **kwargs) -> OutgoingMessage:
    with transaction.atomic():
        return outbox_enqueue(
            idempotency_key=key, to=["marc@client.example"], subject="S", body="B", **kwargs
        )


def test_without_a_saved_identity_mail_leaves_from_the_environment_s_sender(db, settings):
    settings.DEFAULT_FROM_EMAIL = "Atelier Marchand <bonjour@atelier-marchand.example>"
    settings.CERCLE = {**settings.CERCLE, "REPLY_TO": "demandes@atelier-marchand.example"}
    mail = _queue()
    assert mail.from_email == "Atelier Marchand <bonjour@atelier-marchand.example>"
    assert mail.reply_to == ["demandes@atelier-marchand.example"]
    assert mail.message_id.endswith("@atelier-marchand.example>")


def test_the_saved_identity_wins_over_the_environment(db, settings, second):
    settings.DEFAULT_FROM_EMAIL = "Cercle <cercle@localhost>"
    hub_identity_update(
        actor=second,
        from_name="Léa Marchand – Cercle",
        from_email="lea@atelier-marchand.example",
        reply_to="demandes@atelier-marchand.example",
        signature="Léa Marchand\r\nFondatrice  \r\n06 12 34 56 78",
    )
    mail = _queue()
    assert mail.from_email == "Léa Marchand – Cercle <lea@atelier-marchand.example>"
    assert mail.reply_to == ["demandes@atelier-marchand.example"]
    assert "localhost" not in mail.message_id
    # A mail that names its own reply-to keeps it; an empty list means none.
    assert _queue("k2", reply_to=["claire@hub.example"]).reply_to == ["claire@hub.example"]
    assert _queue("k3", reply_to=[]).reply_to == []
    identity = HubIdentity.current()
    assert identity.signature == "Léa Marchand\nFondatrice\n06 12 34 56 78"
    assert identity.updated_by == second


def test_every_template_may_sign_with_the_leader_s_signature_and_offer(db, leader, second):
    leader.offer_statement = "J'aide les PME à passer le cap de la transmission."
    leader.save(update_fields=["offer_statement"])
    hub_identity_update(actor=second, from_name="", from_email="", reply_to="", signature="Léa\nFondatrice")
    mail = template_render(
        key="acknowledgement", language="fr", context={"requester_name": "Marc", "subject": "Un projet"}
    )
    assert "Léa Marchand l'a lu" in mail.body  # the leader's name, though the caller did not give it
    assert "J'aide les PME à passer le cap de la transmission." in mail.body
    assert mail.body.rstrip().endswith("\n-- \nLéa\nFondatrice")  # "-- ": the separator mail programs know


def test_a_signature_typed_with_its_own_separator_gets_one_separator(db, second):
    hub_identity_update(
        actor=second, from_name="", from_email="", reply_to="", signature="-- \nLéa\nFondatrice"
    )
    mail = template_render(
        key="acknowledgement", language="en", context={"requester_name": "Marc", "subject": "A project"}
    )
    assert mail.body.count("--") == 1
    assert mail.body.rstrip().endswith("\n-- \nLéa\nFondatrice")


@pytest.mark.parametrize(
    ("language", "title", "saved"),
    [
        ("fr", "Le courrier du hub", "L’identité du hub dans ses mails est enregistrée."),
        ("en", "The hub's mail", "The hub's mail identity is saved."),
    ],
)
@pytest.mark.parametrize("who", ["second", "leader"])
def test_the_second_or_the_leader_sets_it_on_the_settings_page(db, request, who, language, title, saved):
    user = request.getfixturevalue(who)
    client = login(user, language)
    page = unescape(client.get(reverse("intake:settings")).content.decode())
    assert title in page and 'action="/outbox/identity/"' in page
    response = client.post(
        reverse("outbox:identity"),
        {
            "from_name": "Cercle de Léa",
            "from_email": "bonjour@atelier-marchand.example",
            "reply_to": "",
            "signature": "Léa Marchand",
            "next": reverse("intake:settings"),
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("intake:settings")
    assert saved in unescape(response.content.decode())
    assert HubIdentity.current().from_email == "bonjour@atelier-marchand.example"
    assert _queue().from_email == "Cercle de Léa <bonjour@atelier-marchand.example>"


def test_the_page_warns_while_mail_leaves_from_localhost(db, settings, second):
    settings.DEFAULT_FROM_EMAIL = "Cercle <cercle@localhost>"
    page = login(second, "en").get(reverse("intake:settings")).content.decode()
    assert "cercle@localhost is no real address" in page
    hub_identity_update(
        actor=second, from_name="", from_email="bonjour@atelier-marchand.example", reply_to="", signature=""
    )
    page = login(second, "en").get(reverse("intake:settings")).content.decode()
    assert "is no real address" not in page


def test_a_wrong_address_is_refused_and_nothing_changes(db, second):
    response = login(second, "fr").post(
        reverse("outbox:identity"),
        {"from_name": "", "from_email": "pas une adresse", "reply_to": "", "signature": "", "next": "/"},
        follow=True,
    )
    assert "Non enregistré" in unescape(response.content.decode())
    assert not HubIdentity.objects.exists()


def test_a_refused_identity_comes_back_as_typed_with_its_error(db, second):
    client = login(second, "fr")
    typed = {
        "from_name": "Atelier Marchand",
        "from_email": "pas une adresse",
        "reply_to": "lea@atelier-marchand.example",
        "signature": "Léa Marchand\nFondatrice",
        "next": reverse("intake:settings"),
    }
    page = unescape(client.post(reverse("outbox:identity"), typed, follow=True).content.decode())
    assert "\u00a0: Saisissez une adresse e-mail valide." in page  # French punctuation in the message
    assert 'value="Atelier Marchand"' in page and 'value="pas une adresse"' in page
    assert "Léa Marchand\nFondatrice" in page and 'aria-invalid="true"' in page
    # Shown once: the next visit shows what is saved (nothing), not the draft again.
    again = unescape(client.get(reverse("intake:settings")).content.decode())
    assert 'value="Atelier Marchand"' not in again


def test_a_member_cannot_change_it_nor_send_the_form_elsewhere(db, member, second):
    assert login(member).post(reverse("outbox:identity"), {"from_email": "x@evil.example"}).status_code == 403
    assert not HubIdentity.objects.exists()
    # An outside `next` is ignored: back to a page of the hub.
    response = login(second).post(
        reverse("outbox:identity"),
        {"from_name": "", "from_email": "", "reply_to": "", "signature": "", "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("outbox:list")
