"""Who counts as a contact: people the hub wrote to or chose, never robots, lists or spam senders."""

from __future__ import annotations

import pytest
from django.utils import timezone

from cercle.circulation.services import request_dismiss, request_keep, request_restore
from cercle.network.models import Contact, Interaction
from cercle.network.services import contact_by_email, contact_get_or_create, interaction_record_many
from cercle.network.strength import strength_fold
from tests.factories import RequestFactory

pytestmark = pytest.mark.django_db


def _mail(contact: Contact, *, inbound: bool, key: str) -> None:
    interaction_record_many(
        interactions=[
            Interaction(contact=contact, kind="mail", inbound=inbound, at=timezone.now(), source_key=key)
        ]
    )
    strength_fold()


def test_someone_who_only_wrote_is_not_in_the_network_until_the_hub_answers() -> None:
    contact = contact_get_or_create(email="Someone@Example.com", name="Some One")
    _mail(contact, inbound=True, key="<in@test>")
    assert not Contact.objects.get(pk=contact.pk).in_network
    _mail(contact, inbound=False, key="<out@test>")
    assert Contact.objects.get(pk=contact.pk).in_network


def test_a_kept_request_brings_its_sender_in_and_a_spam_dismissal_keeps_them_out(second) -> None:
    kept = RequestFactory()
    request_keep(actor=second, request=kept)
    assert Contact.objects.get(pk=kept.requester_id).in_network

    spam = RequestFactory()
    _mail(spam.requester, inbound=False, key="<auto-reply-to-spam@test>")  # even if we once wrote back
    assert Contact.objects.get(pk=spam.requester_id).in_network
    request_dismiss(actor=second, request=spam, reason="spam")
    assert not Contact.objects.get(pk=spam.requester_id).in_network
    _mail(spam.requester, inbound=False, key="<later@test>")
    assert not Contact.objects.get(pk=spam.requester_id).in_network
    request_restore(actor=second, request=Contact.objects.get(pk=spam.requester_id).requests.get())
    assert Contact.objects.get(pk=spam.requester_id).in_network


def test_a_new_contact_gets_its_identities_and_an_organisation_from_a_company_domain() -> None:
    company = contact_get_or_create(email="marie@berthier.fr", name="Marie Berthier")
    freemail = contact_get_or_create(email="jo@gmail.com", name="Jo")
    assert company.organisation == "berthier.fr"
    assert freemail.organisation == ""
    assert set(company.identities.values_list("kind", "value")) == {
        ("email", "marie@berthier.fr"),
        ("name", "Marie Berthier"),
    }
    assert contact_by_email("MARIE@berthier.fr") == company
