"""Warm introduction paths: the best people to go through, ranked by their weakest link, at most three
hops, never through a merged or erased person; on the profile and "Reach someone", for the leader and
the second only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cercle.circulation.models import Direction
from cercle.intake.services import message_ingest
from cercle.mail.parse import parse_message
from cercle.network.models import Contact, ContactTie, Interaction
from cercle.network.paths import introduction_paths
from cercle.network.services import interaction_record_many
from cercle.network.strength import contact_score, strength_fold
from cercle.network.ties import tie_score
from tests.conftest import login
from tests.factories import ContactFactory
from tests.intake.mails import eml

pytestmark = pytest.mark.django_db


def _known(contact: Contact, n: int) -> Contact:
    """The hub exchanged `n` mails with them lately (both ways)."""
    now = timezone.now()
    interaction_record_many(
        interactions=[
            Interaction(
                contact=contact,
                kind="mail",
                inbound=i % 2 == 0,
                at=now - timedelta(days=2 * i + 1),
                source_key=f"<{contact.pk}-{i}@t>",
            )
            for i in range(n)
        ]
    )
    strength_fold()
    contact.refresh_from_db()
    return contact


def _tie(x: Contact, y: Contact, *, wrote: int = 0, copied: int = 0, days: int = 10, manual: bool = False):
    a, b = sorted((x.pk, y.pk))
    return ContactTie.objects.create(
        a_id=a,
        b_id=b,
        count=wrote + copied,
        a_wrote=wrote,
        last_at=timezone.now() - timedelta(days=days) if wrote + copied else None,
        manual=manual,
    )


def _names(paths) -> list[list[str]]:
    return [[c.name for c in p.intermediaries] for p in paths]


def test_paths_rank_by_their_weakest_link(db):
    target = ContactFactory(name="Victor Cible")
    # Very close to the hub, but barely knows the target: one mail in copy, two years ago.
    strong_weak = _known(ContactFactory(name="Anne Proche"), 10)
    weak_tie = _tie(strong_weak, target, copied=1, days=700)
    # Less close to the hub, but works with the target every week.
    middling = _known(ContactFactory(name="Bruno Moyen"), 3)
    _tie(middling, target, wrote=12, days=3)
    paths = introduction_paths(target_id=target.pk)
    assert _names(paths) == [["Bruno Moyen"], ["Anne Proche"]]
    assert paths[0].weakest == min(contact_score(middling), 96) and paths[0].weakest > paths[1].weakest
    assert paths[1].weakest == tie_score(weak_tie) < contact_score(strong_weak)
    # The evidence of each link: the hub's exchanges, then who wrote to whom.
    hub_link, tie_link = paths[0].links
    assert hub_link.frm is None and hub_link.to == middling and hub_link.strength == contact_score(middling)
    assert tie_link.tie is not None and tie_link.tie.a_wrote == 12


def test_three_hops_at_most_and_nobody_the_hub_does_not_know(db):
    target = ContactFactory(name="Victor Cible")
    a = _known(ContactFactory(name="Alice Amie"), 6)
    b, c = ContactFactory(name="Bob Relais"), ContactFactory(name="Chloé Loin")
    _tie(a, b, wrote=5)
    _tie(b, target, wrote=5)
    assert _names(introduction_paths(target_id=target.pk)) == [["Alice Amie", "Bob Relais"]]
    # hub → Alice → Chloé → Bob → target is four hops: not a path.
    other = ContactFactory(name="Victor Deux")
    _tie(a, c, wrote=5)
    _tie(c, b, wrote=5)
    ContactTie.objects.filter(b_id=max(b.pk, target.pk), a_id=min(b.pk, target.pk)).delete()
    _tie(b, other, wrote=5)
    assert introduction_paths(target_id=target.pk) == []
    assert _names(introduction_paths(target_id=other.pk)) == [["Alice Amie", "Bob Relais"]]


def test_a_path_never_goes_through_a_merged_or_erased_person(db, second):
    target = ContactFactory(name="Victor Cible")
    merged = _known(ContactFactory(name="Marc Fusionné"), 6)
    erased = _known(ContactFactory(name="Eve Effacée"), 6)
    relay = ContactFactory(name="Rémi Relais")
    _tie(merged, target, wrote=4)
    _tie(erased, relay, wrote=4)
    _tie(relay, target, wrote=4)
    assert sorted(_names(introduction_paths(target_id=target.pk))) == [
        ["Eve Effacée", "Rémi Relais"],
        ["Marc Fusionné"],
    ]
    Contact.objects.filter(pk=merged.pk).update(merged_into=ContactFactory(name="Marc Gardé"))
    erased.delete()
    assert introduction_paths(target_id=target.pk) == []


def test_no_path_to_oneself_and_a_person_cannot_be_said_to_know_themself(db, second):
    me = _known(ContactFactory(name="Léa Hub", hub_own=True), 4)
    friend = _known(ContactFactory(name="Ami Commun"), 4)
    _tie(me, friend, wrote=3)
    assert introduction_paths(target_id=me.pk) == []
    person = ContactFactory(name="Paul Seul", email="paul@x.example")
    page = login(second).post(
        reverse("people:knows", args=[person.pk]), {"other": "paul@x.example"}, follow=True
    )
    assert "Une personne ne peut pas être présentée à elle-même." in page.content.decode()
    assert (
        not ContactTie.objects.filter(a=person).exists() and not ContactTie.objects.filter(b=person).exists()
    )


def test_a_mail_in_copy_makes_a_warm_path_on_the_profile_in_french(db, leader, second):
    raw = eml(
        message_id="<out@hub.example>",
        sender="Léa Marchand <lea@hub.example>",
        to="Marc Lenoir <marc@client.example>",
    )
    message_ingest(parsed=parse_message(raw), raw=raw, direction=Direction.OUTBOUND)
    ContactFactory(email="zoe@partner.example", name="Zoé Martin", organisation="Partenaire SA")
    raw = eml(message_id="<in@client.example>", headers="Cc: Zoé Martin <zoe@partner.example>\r\n")
    message_ingest(parsed=parse_message(raw), raw=raw)
    strength_fold()
    zoe = Contact.objects.get(email="zoe@partner.example")
    client = login(second)
    profile = client.get(reverse("people:detail", args=[zoe.pk])).content.decode()
    assert "Qui peut nous présenter" in profile and reverse("people:paths", args=[zoe.pk]) in profile
    page = client.get(reverse("people:paths", args=[zoe.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "Marc Lenoir" in page and "maillon le plus faible" in page
    assert "1 mail écrit de l’un à l’autre" in page
    reach = client.get(
        reverse("people:reach"), {"name": "zoé", "organisation": "partenaire"}
    ).content.decode()
    assert "Zoé Martin" in reach and "Marc Lenoir" in reach
    english = login(second, "en").get(reverse("people:paths", args=[zoe.pk])).content.decode()
    assert "Who can introduce us to Zoé Martin" in english and "weakest link" in english


def test_someone_unknown_is_reached_through_the_people_of_their_organisation(db, second):
    colleague = _known(ContactFactory(name="Inès Collègue", organisation="Acme"), 4)
    page = login(second).get(reverse("people:reach"), {"name": "Jean Inconnu", "organisation": "acme"})
    text = page.content.decode()
    assert "Personne de ce nom dans le réseau." in text and colleague.name in text


def test_members_get_no_paths_the_team_records_ties(db, second, member):
    target, other = (
        ContactFactory(name="Victor Cible"),
        ContactFactory(name="Olga Autre", email="olga@x.example"),
    )
    assert login(member).get(reverse("people:paths", args=[target.pk])).status_code == 403
    assert login(member).get(reverse("people:reach"), {"name": "Victor"}).status_code == 403
    assert (
        login(member).post(reverse("people:knows", args=[target.pk]), {"other": "olga@x.example"}).status_code
        == 403
    )
    assert "Joindre quelqu’un" not in login(member).get(reverse("people:network")).content.decode()
    assert not ContactTie.objects.exists()
    login(second).post(reverse("people:knows", args=[target.pk]), {"other": "olga@x.example"})
    tie = ContactTie.objects.get()
    assert {tie.a_id, tie.b_id} == {target.pk, other.pk} and tie.manual
    assert "Joindre quelqu’un" in login(second).get(reverse("people:network")).content.decode()


def test_the_introduce_page_proposes_the_connectors_the_paths_rank_first(db, leader):
    target = ContactFactory(name="Cible", email="cible@t.example", in_network=True)
    weak = _known(ContactFactory(name="Faible", email="faible@t.example", in_network=True), 2)
    strong = _known(ContactFactory(name="Forte", email="forte@t.example", in_network=True), 12)
    _tie(weak, target, wrote=6)
    _tie(strong, target, wrote=6)
    client = login(leader, "fr")

    paths_panel = client.get(reverse("people:paths", args=[target.pk])).content.decode()
    ask_strong = reverse("people:introduce", args=[target.pk]) + f"?connector={strong.pk}"
    assert ask_strong in paths_panel

    page = client.get(reverse("people:introduce", args=[target.pk]))
    assert page.context["form"].initial["connector"] == strong.pk  # the best path's first person
    assert [p.intermediaries[0] for p in page.context["paths"]] == [strong, weak]
    chosen = client.get(reverse("people:introduce", args=[target.pk]), {"connector": weak.pk})
    assert chosen.context["form"].initial["connector"] == weak.pk
    assert f'<option value="{weak.pk}" selected>' in chosen.content.decode()
