""" "Who can do X?": French and English, accents and plurals, ranked by fit × strength, with evidence."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.formats import date_format

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


def test_a_thread_s_subject_counts_once_in_the_text_searched() -> None:
    """A long thread says one thing: its subject enters the person's text once, without "Re:" or
    "Fwd:", and the other threads of their latest exchanges still count."""
    from cercle.network.search import contact_document

    person = ContactFactory(name="Léa Fil", in_network=True)
    now = timezone.now()
    subjects = ["Re: RE: Géothermie du lycée", "Fwd: géothermie du LYCÉE", "Géothermie du lycée"] * 10
    subjects += ["Toiture végétalisée"]
    Interaction.objects.bulk_create(
        Interaction(
            contact=person,
            kind="mail",
            inbound=i % 2 == 0,
            at=now - timedelta(hours=i),
            subject=subject,
            source_key=f"<thread-{i}@t>",
        )
        for i, subject in enumerate(subjects)
    )
    words = contact_document(person).split()
    assert all(words.count(stem) == 1 for stem in fold("géothermie lycée").split())
    assert set(fold("toiture").split()) <= set(words)
    assert "re" not in words and "fwd" not in words


def _strong(contact: Contact, exchanges: int, *, since_days: int = 0) -> None:
    now = timezone.now()
    interaction_record_many(
        interactions=[
            Interaction(
                contact=contact,
                kind="mail",
                inbound=i % 2 == 0,
                at=now - timedelta(days=since_days + i * 5),
                source_key=f"<s{contact.pk}-{i}@test>",
            )
            for i in range(exchanges)
        ]
    )


def test_a_common_skill_is_ranked_among_the_strongest_people_first(monkeypatch) -> None:
    from cercle.network import search

    offer = (
        "Comptabilité des associations ; aussi la paie, les bilans annuels, le conseil de gestion, la"
        " fiscalité des dons, les budgets prévisionnels et la trésorerie des petites structures."
    )
    people = [_person(f"Paul Compta {i}", offers=offer) for i in range(3)]
    for (exchanges, since), person in zip(((2, 150), (1, 200), (1, 300)), people, strict=True):
        _strong(person, exchanges, since_days=since)
    strength_fold()
    unknown = _person("Una Inconnue", offers="Comptabilité, comptabilité : la comptabilité.")
    # Ranked among everyone, the unknown perfect match comes first.
    assert who_can("comptabilité", limit=2)[0].contact == unknown
    monkeypatch.setattr(search, "_POOL", 2)
    search.search_strongest_refresh()  # the 2 strongest are marked (the app's `_POOL` is a constant)
    # Few matches (up to `_EXACT_UP_TO`): every one is ranked, the pool plays no part.
    assert who_can("comptabilité", limit=2)[0].contact == unknown
    monkeypatch.setattr(search, "_EXACT_UP_TO", 3)
    # More: the pool (the 2 strongest) holds enough matches for the list asked: only they are ranked.
    assert [h.contact for h in who_can("comptabilité", limit=2)] == people[:2]
    # It holds fewer than the list shows: every match of the network is ranked.
    assert who_can("comptabilité", limit=20)[0].contact == unknown
    assert {h.contact for h in who_can("comptabilité", limit=20)} == {*people, unknown}
    # A member's search (`within`) never goes through the pool.
    assert [h.contact for h in who_can("comptabilité", limit=1, within=[unknown.pk])] == [unknown]


def test_the_evidence_of_every_hit_takes_the_same_few_queries(django_assert_max_num_queries) -> None:
    now = timezone.now()
    people = []
    for i in range(12):
        person = _person(f"Zoé Vrac {i}")
        ContactNote.objects.create(contact=person, text="Rien à voir.")
        Interaction.objects.bulk_create(
            [
                Interaction(
                    contact=person,
                    kind=InteractionKind.MAIL,
                    inbound=True,
                    at=now - timedelta(days=d),
                    subject="Épicerie vrac : le bail" if d in (3, 40) else f"Sujet {d}",
                    source_key=f"<v{i}-{d}@t>",
                )
                for d in range(60)
            ]
        )
        people.append(person)
    search_index(people)
    # Candidates (a count, then the matches), the hits' rows, their notes, their threads.
    with django_assert_max_num_queries(5):
        hits = who_can("épicerie vrac")
    assert {h.contact for h in hits} == set(people)
    latest = date_format(timezone.localtime(now - timedelta(days=3)), "DATE_FORMAT")
    older = date_format(timezone.localtime(now - timedelta(days=40)), "DATE_FORMAT")
    for hit in hits:
        assert [e.text for e in hit.evidence] == ["Épicerie vrac : le bail"]
        # The latest exchange that shows it (the one of 3 days ago, not of 40).
        assert latest in hit.evidence[0].label and older not in hit.evidence[0].label


def test_the_exchange_shown_is_the_latest_that_holds_the_words_however_far_back() -> None:
    now = timezone.now()
    busy, tied = _person("Bruno Bavard"), _person("Tina Même-Heure")
    # 90 exchanges of other things, then (further back) two about "vitraux": the later one is shown.
    Interaction.objects.bulk_create(
        [
            Interaction(
                contact=busy,
                kind=InteractionKind.MAIL,
                inbound=True,
                at=now - timedelta(hours=h),
                subject={70: "Vitraux de la chapelle", 85: "Vitraux : devis"}.get(h, f"Point {h}"),
                source_key=f"<busy{h}@t>",
            )
            for h in range(95)
        ]
    )
    # 40 exchanges at the same instant: the one about "vitraux" is found whatever round reads it.
    at = now - timedelta(days=2)
    Interaction.objects.bulk_create(
        [
            Interaction(
                contact=tied,
                kind=InteractionKind.MAIL,
                inbound=True,
                at=at,
                subject="Vitraux : le chantier" if i == 30 else f"Sujet {i}",
                source_key=f"<tied{i}@t>",
            )
            for i in range(40)
        ]
    )
    search_index([busy, tied])
    hits = {h.contact: h for h in who_can("vitraux")}
    assert [e.text for e in hits[busy].evidence] == ["Vitraux de la chapelle"]
    assert (
        date_format(timezone.localtime(now - timedelta(hours=70)), "DATE_FORMAT")
        in hits[busy].evidence[0].label
    )
    assert [e.text for e in hits[tied].evidence] == ["Vitraux : le chantier"]


def test_a_new_exchange_in_a_known_thread_dates_the_evidence_anew() -> None:
    """The person's text does not change (the thread was known), their threads do: the evidence shows
    the latest exchange, after the fold has run."""
    from cercle.network.models import ContactSearch
    from cercle.network.tasks import fold_pending

    now = timezone.now()
    person = _person("Vera Verrière")

    def exchange(key: str, subject: str, days: int) -> None:
        interaction_record_many(
            interactions=[
                Interaction(
                    contact=person,
                    kind=InteractionKind.MAIL,
                    inbound=True,
                    at=now - timedelta(days=days),
                    subject=subject,
                    source_key=f"<{key}@t>",
                )
            ]
        )
        fold_pending.call_local()

    exchange("first", "Vitraux de la chapelle", 30)
    document = ContactSearch.objects.get(contact=person).document
    exchange("again", "RE: vitraux de la chapelle", 1)
    assert ContactSearch.objects.get(contact=person).document == document
    [hit] = who_can("vitraux")
    assert [e.text for e in hit.evidence] == ["RE: vitraux de la chapelle"]
    assert date_format(timezone.localtime(now - timedelta(days=1)), "DATE_FORMAT") in hit.evidence[0].label


def test_a_shorter_list_is_the_head_of_a_longer_one() -> None:
    # Fits and strengths that cross: the ranking stops early when no one further can make the list.
    people = []
    for i in range(12):
        person = _person(f"Cora Compta {i}", offers="Comptabilité. " + "Gestion des stocks. " * (i % 4))
        _strong(person, (i * 7) % 5, since_days=i * 11)
        people.append(person)
    strength_fold()
    whole = [h.contact for h in who_can("comptabilité", limit=12)]
    assert set(whole) == set(people)
    for limit in (1, 3, 5, 8):
        assert [h.contact for h in who_can("comptabilité", limit=limit)] == whole[:limit]
