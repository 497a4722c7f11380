"""The hub's own addresses (the leader's alias, an assistant writing on the leader's behalf): their mail
is the hub's, and they are never contacts of the network."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cercle.intake.files import import_path
from cercle.intake.models import IntakeSettings
from cercle.network.models import Contact, Interaction
from cercle.network.services import contact_get_or_create
from tests.conftest import login
from tests.intake.mails import eml

pytestmark = pytest.mark.django_db


def test_mail_from_an_alias_counts_as_sent_and_the_alias_leaves_the_network(second, leader, tmp_path) -> None:
    alias = contact_get_or_create(email="lea.perso@gmail.com", name="Léa")
    Contact.objects.filter(pk=alias.pk).update(chosen=True, in_network=True)
    client = login(second)
    response = client.post(
        reverse("intake:settings"), {"hub_aliases": "Lea.Perso@gmail.com\n\nassistante@hub.example"}
    )
    assert response.status_code == 302
    assert IntakeSettings.current().alias_list == ["lea.perso@gmail.com", "assistante@hub.example"]
    assert not Contact.objects.get(pk=alias.pk).in_network

    (tmp_path / "sent.eml").write_bytes(
        eml(
            message_id="<alias-1@t>",
            sender="Assistante <assistante@hub.example>",
            to="Marc <marc@client.example>",
        )
    )
    import_path(tmp_path)
    interaction = Interaction.objects.get(source_key="<alias-1@t>")
    assert (interaction.contact.email, interaction.inbound) == ("marc@client.example", False)
    assert not Contact.objects.filter(email="assistante@hub.example").exists()

    client.post(reverse("intake:settings"), {"hub_aliases": ""})
    assert Contact.objects.get(pk=alias.pk).in_network  # chosen before: back in the network


def test_a_line_that_is_not_an_address_is_refused_and_the_text_kept(second) -> None:
    response = login(second).post(
        reverse("intake:settings"), {"hub_aliases": "lea@hub.example\nnot an address"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "La ligne 2 n’est pas une adresse e-mail" in page and "not an address" in page
    assert IntakeSettings.current().hub_aliases == ""
