"""The demo hub's network: a few hundred people and two years of exchanges, so that every network screen
shows something true on `make run`."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from cercle.accounts.models import User
from cercle.demo.build import build
from cercle.network.layers import drifting, layer_contacts, layer_cutoffs, layer_sizes
from cercle.network.models import Contact, Interaction
from cercle.network.search import who_can
from cercle.network.strength import counts_in_network, strength_recompute
from cercle.people.selectors import contacts_visible_to
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def hub(django_db_setup: None, django_db_blocker) -> Iterator[dict[str, User]]:
    """The demo hub, built once for this module and rolled back after it (a build takes seconds)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build()
        transaction.set_rollback(True)


def test_the_network_has_a_few_hundred_people_in_french_and_english(hub) -> None:
    network = Contact.objects.filter(in_network=True)
    assert network.count() >= 250
    assert set(network.values_list("language", flat=True)) == {"fr", "en"}
    assert network.filter(language="fr").count() > 3 * network.filter(language="en").count()
    profiled = network.exclude(offers="")
    assert profiled.count() >= 80
    assert profiled.exclude(what_they_do="").exclude(tags="").count() == profiled.count()
    assert network.exclude(phone="").count() >= 50
    assert network.exclude(how_we_met="").count() >= 50
    assert network.exclude(position="").count() >= 150
    assert {"mail", "linkedin", "vcard", "csv", "manual"} <= set(network.values_list("source", flat=True))
    # Free mail and company domains, LinkedIn connections without any address.
    assert network.filter(email__endswith="@gmail.com").exists()
    assert network.filter(email="", linkedin_url__startswith="https://www.linkedin.com/in/").exists()
    # Notes written by the leader and by the second.
    authors = set(Contact.objects.values_list("notes__author__username", flat=True))
    assert {"lea", "samuel"} <= authors


def test_noise_stays_out_of_the_network_by_the_real_rules(hub) -> None:
    # People who write and are never answered, and spammers, are known but not in the network.
    one_way = Contact.objects.filter(count_in__gt=0, count_out=0, chosen=False, spam=False).exclude(
        interactions__kind="connection"  # a LinkedIn connection is someone of the network
    )
    assert one_way.count() >= 10 and not one_way.filter(in_network=True).exists()
    spam = Contact.objects.filter(spam=True)
    assert spam.count() >= 2 and not spam.filter(in_network=True).exists()
    for contact in Contact.objects.all():
        connected = contact.interactions.filter(kind="connection").exists()
        assert contact.in_network == counts_in_network(contact, connected=connected), contact


def test_strength_is_computed_from_the_exchanges_not_written_by_hand(hub) -> None:
    before = dict(Contact.objects.values_list("pk", "rank_key"))
    strength_recompute()
    after = dict(Contact.objects.values_list("pk", "rank_key"))
    assert after.keys() == before.keys()
    assert all(after[pk] == pytest.approx(before[pk]) for pk in before)
    assert not Interaction.objects.filter(folded=False).exists()


def test_the_exchanges_span_two_years_both_ways_with_meetings_and_group_mail(hub) -> None:
    now = timezone.now()
    rows = Interaction.objects.all()
    assert rows.count() >= 3000
    assert rows.filter(at__lt=now - timedelta(days=600)).exists()
    assert rows.filter(at__gt=now - timedelta(days=7)).exists()
    assert not rows.filter(at__gt=now).exists()
    assert {"mail", "meeting", "call", "linkedin", "connection"} <= set(rows.values_list("kind", flat=True))
    assert rows.filter(inbound=True).exists() and rows.filter(inbound=False).exists()
    # Group mail: one message to several people, one interaction each, weighed by its audience.
    shared = rows.values("source_key").annotate(n=Count("contact")).filter(n__gt=2)
    assert shared.exists()
    assert rows.filter(audience__gt=2).count() >= 50
    assert rows.filter(audience=1).count() > 5 * rows.filter(audience__gt=1).count()
    # Subjects in both languages.
    subjects = set(rows.values_list("subject", flat=True))
    assert any("Déjeuner" in s for s in subjects) and any("Lunch" in s for s in subjects)


def test_every_circle_is_filled(hub) -> None:
    cutoffs = layer_cutoffs()
    assert len(cutoffs) == 4
    sizes = layer_sizes()
    expected = [sizes[0]] + [b - a for a, b in itertools.pairwise(sizes)]
    assert [layer_contacts(layer, cutoffs).count() for layer in (1, 2, 3, 4)] == expected
    # The closest people write every week, both ways, and meet.
    for contact in layer_contacts(1, cutoffs):
        recent = contact.interactions.filter(at__gt=timezone.now() - timedelta(days=60))
        assert recent.filter(inbound=True).count() >= 4 and recent.filter(inbound=False).count() >= 4
        assert contact.interactions.filter(kind="meeting").exists()


def test_people_who_were_close_and_went_silent_are_drifting_away(hub) -> None:
    found = drifting()
    assert len(found) >= 5
    assert all(d.silent_days >= 90 and d.peak > d.now for d in found)
    page = login(hub["leader"]).get(reverse("people:drifting"))
    assert page.status_code == 200
    assert found[0].contact.name in page.content.decode()


@pytest.mark.parametrize("question", ["bilan carbone", "levée de fonds", "traduction", "design de services"])
def test_who_can_do_x_answers_with_several_people(hub, question: str) -> None:
    hits = who_can(question)
    assert len(hits) >= 3
    assert all(hit.evidence for hit in hits[:3])
    page = login(hub["leader"]).get(reverse("people:network"), {"q": question})
    assert hits[0].contact.name in page.content.decode()


def test_a_member_sees_the_people_of_their_projects_and_their_exchanges(hub) -> None:
    members = [u for u in hub.values() if u.role == "member"]
    visible = {m.username: list(contacts_visible_to(m)) for m in members}
    with_people = [name for name, people in visible.items() if people]
    assert with_people
    for name in with_people:
        # Léa answered them and they wrote back: more than the request itself.
        for contact in visible[name]:
            assert contact.count_out >= 1 and contact.count_in >= 2, contact
            assert contact.what_they_do
    page = login(hub[with_people[0]]).get(reverse("people:network"))
    assert visible[with_people[0]][0].name in page.content.decode()


def test_adding_the_network_again_adds_nobody(hub) -> None:
    from cercle.demo.network import network_build

    counts = (Contact.objects.count(), Interaction.objects.count())
    added = network_build(
        rng=random.Random(7), now=timezone.now(), leader=hub["leader"], second=hub["second"]
    )
    assert added == 0
    assert (Contact.objects.count(), Interaction.objects.count()) == counts


def test_the_network_is_the_same_on_every_build() -> None:
    from cercle.demo.network import _Builder

    now = timezone.now()
    first = [(p.name, p.email, p.offers) for p in _Builder(rng=random.Random(7), now=now).people()]
    again = [(p.name, p.email, p.offers) for p in _Builder(rng=random.Random(7), now=now).people()]
    assert first == again
    assert len({email for _n, email, _o in first if email}) == len([e for _n, e, _o in first if e])


def test_the_demo_shows_introductions_and_matchmaking(hub) -> None:
    from cercle.people.models import (
        Favour,
        FavourDirection,
        Introduction,
        IntroductionKind,
        Match,
        MatchState,
    )

    intros = list(Introduction.objects.all())
    kinds_done = {(i.kind, i.state) for i in intros}
    # The hub was introduced once and waits on another; it introduced two people once and asked again.
    assert (IntroductionKind.ASK, "introduced") in kinds_done and (
        IntroductionKind.MATCH,
        "introduced",
    ) in kinds_done
    assert any(i.waiting for i in intros)
    assert Favour.objects.filter(direction=FavourDirection.RECEIVED, thanked_at__isnull=True).exists()
    assert Favour.objects.filter(direction=FavourDirection.GIVEN).count() == 2  # the match: both people
    assert Match.objects.filter(state=MatchState.OPEN).count() >= 5
    approved = Match.objects.filter(state=MatchState.APPROVED)
    assert approved.count() == 2 and len({m.seeker_id for m in approved}) == 2


def test_the_demo_projects_say_what_kind_of_lead_they_are(hub) -> None:
    from cercle.circulation.leads import lead_kind_guess
    from cercle.circulation.models import LeadKind, Request

    projects = Request.objects.filter(state__in=("accepted", "kicked_off", "closed"))
    assert projects.filter(lead_kind=LeadKind.CLIENT).exists()
    # Every project has a kind: said by the second, or guessed from its words.
    assert all(r.lead_kind or lead_kind_guess(r.subject, r.summary)[0] for r in projects)
