"""The network's screens: the list by strength, "who can do X?", the profile, and who sees what."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cercle.network.models import Contact, Interaction
from cercle.network.search import search_index
from cercle.network.services import interaction_record_many
from cercle.network.strength import strength_fold
from tests.conftest import login
from tests.factories import ContactFactory, RequestFactory

pytestmark = pytest.mark.django_db


def _close(contact: Contact, n: int = 6) -> None:
    now = timezone.now()
    interaction_record_many(
        interactions=[
            Interaction(
                contact=contact,
                kind="mail",
                inbound=i % 2 == 0,
                at=now - timedelta(days=3 * i + 1),
                subject=f"Point {i}",
                source_key=f"<{contact.pk}-{i}@t>",
            )
            for i in range(n)
        ]
    )
    strength_fold()


def test_the_network_lists_people_closest_first_with_their_strength(second) -> None:
    far, near = ContactFactory(name="Alice Lointaine"), ContactFactory(name="Bruno Proche")
    _close(far, 2)
    _close(near, 8)
    page = login(second).get(reverse("people:network")).content.decode()
    assert page.index("Bruno Proche") < page.index("Alice Lointaine")
    assert 'aria-current="page"' in page and "Réseau" in page


def test_who_can_do_x_shows_the_evidence_in_french_and_english(second) -> None:
    expert = ContactFactory(name="Inès Carbone", offers="Bilans carbone pour les PME.", in_network=True)
    search_index([expert])
    french = login(second).get(reverse("people:network"), {"q": "bilan carbone"}).content.decode()
    assert "Inès Carbone" in french and "1 personne peut aider" in french
    assert "Offres\u00a0: «\u00a0Bilans carbone pour les PME.\u00a0»" in french
    english = login(second, "en").get(reverse("people:network"), {"q": "carbon"}).content.decode()
    assert "Offers: “Bilans carbone pour les PME.”" in english


def test_the_profile_explains_the_score_and_shows_the_timeline(second) -> None:
    contact = ContactFactory(name="Chloé Profil")
    _close(contact, 6)
    page = login(second, "en").get(reverse("people:detail", args=[contact.pk])).content.decode()
    assert "6 exchanges in the last 6 months, 3 from the hub" in page
    assert "“Point 5”" in page


def test_a_member_sees_only_the_people_of_their_projects(project, member, other_member) -> None:
    stranger = ContactFactory(name="Inconnu Total", offers="Comptabilité")
    search_index([stranger])
    requester = project.request.requester
    client = login(member)
    assert client.get(reverse("people:detail", args=[requester.pk])).status_code == 200
    assert client.get(reverse("people:detail", args=[stranger.pk])).status_code == 404
    assert (
        "Inconnu Total" not in client.get(reverse("people:network"), {"q": "comptabilité"}).content.decode()
    )
    assert requester.name in client.get(reverse("people:network")).content.decode()
    assert login(other_member).get(reverse("people:detail", args=[requester.pk])).status_code == 404
    assert client.get(reverse("people:edit", args=[requester.pk])).status_code == 403
    assert client.get(reverse("people:new")).status_code == 403


def test_a_member_reads_on_a_profile_only_what_was_routed_to_them(project, member, second) -> None:
    requester = project.request.requester
    other = RequestFactory(requester=requester, subject="Une autre affaire, non routée")
    _close(requester, 4)
    url = reverse("people:detail", args=[requester.pk])
    mine = login(member, "en").get(url).content.decode()
    assert reverse("circulation:detail", args=[project.request.pk]) in mine
    assert "Une autre affaire" not in mine and reverse("circulation:detail", args=[other.pk]) not in mine
    assert "“Point 1”" not in mine and "in the mailbox" not in mine
    everything = login(second, "en").get(url).content.decode()
    assert "Une autre affaire" in everything and "“Point 1”" in everything and "in the mailbox" in everything


def test_an_administrator_does_not_read_the_network(admin_user) -> None:
    assert login(admin_user).get(reverse("people:network")).status_code == 403


def test_adding_a_person_by_hand_and_refusing_a_duplicate_address(second) -> None:
    client = login(second)
    response = client.post(
        reverse("people:new"),
        {"name": "Dora Nouvelle", "email": "Dora@Atelier.fr", "language": "fr", "offers": "Facilitation"},
    )
    dora = Contact.objects.get(email="dora@atelier.fr")
    assert response.url == reverse("people:detail", args=[dora.pk])
    assert dora.in_network and dora.organisation == "atelier.fr"
    again = client.post(
        reverse("people:new"), {"name": "Dora bis", "email": "dora@atelier.fr", "language": "fr"}
    )
    assert again.status_code == 200
    assert "déjà dans le réseau" in again.content.decode()
    assert Contact.objects.filter(email="dora@atelier.fr").count() == 1
    empty = client.post(reverse("people:new"), {"language": "fr"})
    assert "au moins un nom" in empty.content.decode()
    # The error names the field as its label does ("adresse e-mail"), and what was typed stays.
    bad = client.post(reverse("people:new"), {"name": "Eve Faute", "email": "eve@", "language": "fr"})
    assert "Saisissez une adresse e-mail valide." in bad.content.decode()
    assert 'value="Eve Faute"' in bad.content.decode()


def test_editing_a_profile_makes_it_searchable_and_a_note_too(second, member) -> None:
    contact = ContactFactory(name="Eva Edit", in_network=True)
    client = login(second)
    client.post(
        reverse("people:edit", args=[contact.pk]),
        {
            "name": "Eva Edit",
            "language": "en",
            "offers": "Traduction allemand",
            "tags": "langues, langues, allemand",
        },
    )
    contact.refresh_from_db()
    assert contact.tags == "langues, allemand"
    assert "Eva Edit" in client.get(reverse("people:network"), {"q": "traductions"}).content.decode()
    client.post(reverse("people:note_add", args=[contact.pk]), {"text": "Parle aussi le japonais."})
    assert "Eva Edit" in client.get(reverse("people:network"), {"q": "japonais"}).content.decode()
    assert login(member).post(reverse("people:note_add", args=[contact.pk]), {"text": "x"}).status_code == 404


def test_a_member_states_their_offer_and_who_can_do_x_finds_them_in_the_circle(member, second) -> None:
    client = login(member)
    client.post(
        reverse("people:my_offer"), {"offer_statement": "J’aide les PME à réaliser leur bilan carbone."}
    )
    member.refresh_from_db()
    assert member.offer_statement.startswith("J’aide les PME")
    page = login(second).get(reverse("people:network"), {"q": "bilans carbone"}).content.decode()
    assert "Dans le cercle" in page and member.display_name in page
    # The count names everyone listed: the member of the circle, and the person of the network.
    assert "1 personne peut aider" in page
    expert = ContactFactory(name="Inès Carbone", offers="Bilans carbone pour les PME.", in_network=True)
    search_index([expert])
    page = login(second).get(reverse("people:network"), {"q": "bilans carbone"}).content.decode()
    assert "2 personnes peuvent aider" in page and "Inès Carbone" in page


def test_the_network_downloads_as_csv_and_vcard_for_the_leader_and_the_second_only(second, member) -> None:
    person = ContactFactory(name="Fred Export", in_network=True)
    _close(person, 2)
    client = login(second)
    response = client.get(reverse("people:export_csv"))
    csv_bytes = b"".join(response.streaming_content)
    assert csv_bytes.startswith(b"\xef\xbb\xbf")  # a spreadsheet reads its accents right, as the others
    assert 'filename="network-' in response["Content-Disposition"]
    csv_text = csv_bytes.decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("name,email,") and "Fred Export" in csv_text
    vcard = b"".join(client.get(reverse("people:export_vcard")).streaming_content).decode()
    assert "BEGIN:VCARD" in vcard and "FN:Fred Export" in vcard
    assert login(member).get(reverse("people:export_csv")).status_code == 403


def test_a_long_network_list_counts_up_to_a_cap_and_pages_by_looking_ahead(second, monkeypatch) -> None:
    from cercle.people import selectors, views

    people = [ContactFactory(name=f"Personne {i:02}", in_network=True) for i in range(5)]
    ContactFactory(name="Hors Réseau", in_network=False)
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    client = login(second)
    url = reverse("people:network")

    page = client.get(url).content.decode()  # under the cap: counted exactly
    assert "5 personnes, les plus proches d’abord" in page and "Page 1 sur 3" in page

    monkeypatch.setattr(selectors, "COUNT_CAP", 3)
    first = client.get(url).content.decode()
    assert "Plus de 3 personnes, les plus proches d’abord" in first
    assert "<li>Page 1</li>" in first and "?page=2" in first  # no total, a next page
    assert sum(p.name in first for p in people) == 2
    last = client.get(url, {"page": 3}).content.decode()
    assert "<li>Page 3</li>" in last and "?page=4" not in last and "?page=2" in last
    assert sum(p.name in last for p in people) == 1 and "Hors Réseau" not in last
    # Past the end (or not a number), the last (or the first) page rather than an empty one.
    assert "<li>Page 3</li>" in client.get(url, {"page": 99}).content.decode()
    assert "<li>Page 1</li>" in client.get(url, {"page": "x"}).content.decode()
