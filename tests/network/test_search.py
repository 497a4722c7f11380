""" "Who can do X?": French and English, accents and plurals, ranked by fit × strength, with evidence."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cercle.network.models import Contact, ContactNote, Interaction, InteractionKind
from cercle.network.search import fold, search_index, who_can
from cercle.network.services import interaction_record_many
from cercle.network.strength import strength_fold
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def _person(name: str, **profile: str) -> Contact:
    contact = ContactFactory(
        name=name, organisation=profile.pop("organisation", "Atelier"), in_network=True, **profile
    )
    search_index([contact])
    return contact


def test_accents_plurals_and_both_languages_meet() -> None:
    assert set(fold("Bilans carbone")) & set(fold("bilan carbone"))
    assert set(fold("énergie")) == set(fold("energie"))
    assert set(fold("carbon footprints")) & set(fold("footprint"))


def test_a_french_question_finds_the_person_whose_offer_answers_it() -> None:
    expert = _person("Inès Carbone", offers="Bilans carbone et stratégie bas-carbone pour les PME.")
    _person("Paul Juriste", offers="Droit des contrats, rédaction de CGV.")
    hits = who_can("Qui peut faire un bilan carbone ?")
    assert [h.contact for h in hits] == [expert]
    assert hits[0].evidence[0].text.startswith("Bilans carbone")


def test_a_note_or_an_exchange_is_evidence_too() -> None:
    noted = _person("Luc Noté")
    ContactNote.objects.create(contact=noted, text="A monté la levée de fonds de Terra en 2025.")
    search_index([noted])
    wrote = _person("Mia Mail")
    Interaction.objects.create(
        contact=wrote,
        kind=InteractionKind.MAIL,
        inbound=True,
        at=timezone.now(),
        subject="Levée de fonds : notre dossier",
        source_key="<x@test>",
    )
    search_index([wrote])
    hits = {h.contact: h for h in who_can("levée de fonds")}
    assert set(hits) == {noted, wrote}
    assert hits[noted].evidence[0].label == "Note"
    assert "Levée de fonds" in hits[wrote].evidence[0].text


def test_among_equal_fits_the_closer_relationship_comes_first() -> None:
    stranger = _person("Anne Inconnue", offers="Design de services publics.")
    friend = _person("Bea Amie", offers="Design de services publics.")
    now = timezone.now()
    interaction_record_many(
        interactions=[
            Interaction(
                contact=friend,
                kind="mail",
                inbound=i % 2 == 0,
                at=now - timedelta(days=i * 7),
                source_key=f"<f{i}@test>",
            )
            for i in range(8)
        ]
    )
    strength_fold()
    hits = who_can("design services")
    assert [h.contact.pk for h in hits] == [friend.pk, stranger.pk]
    assert hits[0].score > hits[1].score == 0


def test_every_word_must_match_unless_nobody_matches_them_all() -> None:
    both = _person("Ada Deux", offers="Recrutement de développeurs Python.")
    one = _person("Bob Un", offers="Recrutement de commerciaux.")
    assert [h.contact for h in who_can("recrutement python")] == [both]
    assert {h.contact for h in who_can("recrutement cobol")} == {both, one}


def test_people_outside_the_network_are_not_found_unless_asked_for_by_id() -> None:
    outside = ContactFactory(name="Spam Sender", offers="Traduction express", in_network=False)
    search_index([outside])
    assert who_can("traduction") == []
    assert [h.contact for h in who_can("traduction", within=[outside.pk])] == [outside]


def test_the_search_can_be_restricted_to_some_contacts_and_ignores_noise_words() -> None:
    mine = _person("Cleo Mienne", offers="Traduction anglais.")
    theirs = _person("Dan Autre", offers="Traduction allemand.")
    assert [h.contact for h in who_can("traduction", within=[mine.pk])] == [mine]
    assert {h.contact for h in who_can("traduction")} == {mine, theirs}
    assert who_can("qui peut faire ?") == []
    assert who_can('") OR 1=1 --') == []  # query syntax is never passed through


def test_a_person_known_only_from_mail_is_found_by_the_subjects_of_their_exchanges() -> None:
    from cercle.network.tasks import fold_pending

    person = ContactFactory(name="Omar Mail", in_network=False)
    interaction_record_many(
        interactions=[
            Interaction(
                contact=person,
                kind="mail",
                inbound=False,
                at=timezone.now(),
                subject="Votre devis de méthanisation",
                source_key="<meth@t>",
            ),
        ]
    )
    fold_pending.call_local()  # what the worker runs after the import commits
    assert [h.contact for h in who_can("méthanisation")] == [person]
