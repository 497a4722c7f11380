"""Contacts from LinkedIn: one person, one contact, whatever the URL spelling; blanks filled, nothing overwritten."""

from __future__ import annotations

import pytest

from cercle.network.models import Contact
from cercle.network.services import contact_get_or_create_linkedin, normalize_linkedin_url
from tests.factories import ContactFactory


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("linkedin.com/in/marc-durand/", "https://www.linkedin.com/in/marc-durand"),
        ("http://fr.linkedin.com/in/marc-durand?trk=people#top", "https://www.linkedin.com/in/marc-durand"),
        (" https://WWW.LinkedIn.com/in/marc-durand// ", "https://www.linkedin.com/in/marc-durand"),
        ("https://www.linkedin.com/in/ACoAAB1x2Y3/", "https://www.linkedin.com/in/ACoAAB1x2Y3"),
        ("https://example.com/in/ravi", ""),
        ("https://notlinkedin.com/in/ravi", ""),
        ("https://www.linkedin.com/", ""),
        ("", ""),
    ],
)
def test_linkedin_urls_are_normalised(url, expected):
    assert normalize_linkedin_url(url) == expected


def test_the_same_profile_spelled_differently_is_one_contact(db):
    first, created = contact_get_or_create_linkedin(
        linkedin_url="https://www.linkedin.com/in/Marc-Durand", name="Marc"
    )
    again, status = contact_get_or_create_linkedin(
        linkedin_url="http://linkedin.com/in/marc-durand/", name="Marc Durand", position="Gérant"
    )
    assert (created, status) == ("created", "updated")
    assert again == first
    again.refresh_from_db()
    assert (again.name, again.position) == ("Marc", "Gérant")


def test_an_address_already_held_by_another_contact_stays_there(db):
    mail_contact = ContactFactory(email="marc@durand.example", name="Marc (mail)")
    linkedin_contact, _ = contact_get_or_create_linkedin(
        linkedin_url="https://www.linkedin.com/in/marc-durand", name="Marc Durand"
    )
    # A later export reveals the address: found by URL first, and the address is not moved.
    same, status = contact_get_or_create_linkedin(
        linkedin_url="https://www.linkedin.com/in/marc-durand",
        name="Marc Durand",
        email="Marc@Durand.example",
    )
    assert same == linkedin_contact
    assert status == "unchanged"
    assert Contact.objects.get(email="marc@durand.example") == mail_contact


def test_a_contact_without_url_or_address_is_found_again_by_name(db):
    first, _ = contact_get_or_create_linkedin(linkedin_url="", name="  Nadia   Roux ")
    again, status = contact_get_or_create_linkedin(linkedin_url="", name="nadia roux", organisation="Roux SA")
    assert again == first
    assert status == "updated"
    assert first.name == "Nadia Roux"
    with pytest.raises(ValueError):
        contact_get_or_create_linkedin(linkedin_url="https://example.com/x", name="")
