""" "Who can do X?" on a large network: past a few matches, a common word is searched among the strongest
people first, from their own index; who they are follows every change of strength (the fold, the full
recompute) and of the noise rules, and a weak perfect match still shows when matches are few."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from cercle.network import search
from cercle.network.models import Contact, ContactSearch, Interaction
from cercle.network.search import search_index, search_strongest_refresh, who_can
from cercle.network.services import contact_mark_spam, interaction_record_many
from cercle.network.tasks import fold_pending
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

OFFER = "Comptabilité des associations, trésorerie et budgets."


def _person(name: str, offers: str = OFFER) -> Contact:
    contact = ContactFactory(name=name, organisation="Atelier", offers=offers, chosen=True, in_network=True)
    search_index([contact])
    return contact


def _exchanges(contact: Contact, count: int, *, tag: str = "") -> None:
    """`count` recent mails each way in turn, folded as the worker does after they are recorded."""
    now = timezone.now()
    interaction_record_many(
        interactions=[
            Interaction(
                contact=contact,
                kind="mail",
                inbound=i % 2 == 0,
                at=now - timedelta(days=i + 1),
                source_key=f"<e{contact.pk}-{tag}{i}@test>",
            )
            for i in range(count)
        ]
    )
    fold_pending.call_local()


def _strongest() -> set[Contact]:
    return set(
        Contact.objects.filter(pk__in=ContactSearch.objects.filter(strongest=True).values("contact_id"))
    )


def _found(query: str, limit: int) -> list[Contact]:
    return [hit.contact for hit in who_can(query, limit=limit)]


@pytest.fixture
def small_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    """The two strongest people are searched first as soon as more than two texts match."""
    monkeypatch.setattr(search, "_POOL", 2)
    monkeypatch.setattr(search, "_EXACT_UP_TO", 2)


def test_when_matches_are_few_a_weak_perfect_match_shows_beside_the_strong_one(monkeypatch) -> None:
    strong = _person("Sofia Forte", offers="Comptabilité, comptabilité : la comptabilité.")
    weak = _person("Wanda Faible", offers="Comptabilité, comptabilité : la comptabilité.")
    loose = _person(
        "Luc Vague", offers=OFFER + " Aussi la paie, le conseil de gestion, les dons, la fiscalité."
    )
    _exchanges(strong, 8)
    _exchanges(loose, 2)
    monkeypatch.setattr(search, "_POOL", 1)
    search_strongest_refresh()
    assert _strongest() == {strong}
    # Three matches, fewer than `_EXACT_UP_TO`: every one is ranked, the unknown perfect match too.
    found = who_can("comptabilité", limit=3)
    hits = {h.contact: h for h in found}
    assert found[0].contact == strong
    assert set(hits) == {strong, weak, loose}
    assert hits[weak].fit == hits[strong].fit == 1.0 and hits[weak].score == 0


def test_past_the_exact_count_a_weak_perfect_match_gives_way_to_the_strongest(monkeypatch) -> None:
    strong = [_person(f"Fort {i}") for i in range(3)]
    weak = _person("Wanda Faible", offers="Comptabilité, comptabilité : la comptabilité.")
    for exchanges, person in zip((9, 6, 3), strong, strict=True):
        _exchanges(person, exchanges)
    monkeypatch.setattr(search, "_POOL", 3)
    monkeypatch.setattr(search, "_EXACT_UP_TO", 2)
    search_strongest_refresh()
    # Four matches, more than `_EXACT_UP_TO` (the three strongest alone show it): the trade-off.
    assert _found("comptabilité", 3) == strong
    # A list longer than the strongest can fill: every match is ranked.
    assert weak in _found("comptabilité", 4)


def test_a_fold_that_makes_someone_stronger_moves_them_among_the_strongest(small_pool) -> None:
    first, second, third = _person("Ana Un"), _person("Bert Deux"), _person("Chloé Trois")
    _exchanges(first, 6)
    _exchanges(second, 3)
    assert _strongest() == {first, second}
    # Three matches: the two strongest are searched, and they fill the list asked.
    assert _found("comptabilité", 2) == [first, second]
    assert search_strongest_refresh() == 0  # nothing moved: nothing is written

    _exchanges(third, 12)

    assert _strongest() == {third, first}
    assert _found("comptabilité", 2) == [third, first]


def test_the_full_recompute_puts_the_strongest_right(small_pool) -> None:
    first, second, third = _person("Ana Un"), _person("Bert Deux"), _person("Chloé Trois")
    _exchanges(first, 6)
    _exchanges(second, 3)
    _exchanges(third, 1)
    assert _found("comptabilité", 2) == [first, second]
    # Exchanges erased behind the fold's back (the fold only adds): the recompute finds it out.
    Interaction.objects.filter(contact=first).delete()

    call_command("recompute_strength", stdout=None, stderr=None)

    assert _strongest() == {second, third}
    assert _found("comptabilité", 2) == [second, third]


def test_someone_who_leaves_the_network_is_not_found_and_leaves_the_strongest_at_the_next_fold(
    small_pool,
) -> None:
    first, second, third = _person("Ana Un"), _person("Bert Deux"), _person("Chloé Trois")
    _exchanges(first, 6)
    _exchanges(second, 3)

    contact_mark_spam(contact_id=first.pk)

    # Still marked until the next fold (at most a minute: the periodic one), never found meanwhile.
    assert first in _strongest()
    assert _found("comptabilité", 2) == [second, third]
    fold_pending.call_local()
    assert _strongest() == {second, third}
    assert _found("comptabilité", 2) == [second, third]


def test_the_strongest_index_follows_their_texts(small_pool) -> None:
    first, second = _person("Ana Un"), _person("Bert Deux")
    others = [_person(f"Autre {i}") for i in range(2)]
    joiners = [_person(f"Menuisier {i}", offers="Menuiserie, escaliers.") for i in range(2)]
    _exchanges(first, 6)
    _exchanges(second, 3)
    assert _found("comptabilité", 1) == [first]

    first.offers = "Menuiserie et ébénisterie."
    first.save(update_fields=["offers"])
    search_index([first])

    # Three texts hold each word: both questions go through the strongest people's own index.
    assert _found("menuiserie", 1) == [first]
    assert _found("comptabilité", 1) == [second]
    assert set(_found("menuiserie", 5)) == {first, *joiners}
    assert set(_found("comptabilité", 5)) == {second, *others}
