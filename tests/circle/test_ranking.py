"""Routing suggestions: who can (what they do), who knows (the requester, their organisation), who has
room, who speaks the language, who won similar projects — each with its reasons."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cercle.circle.models import MemberProfile
from cercle.circle.ranking import rank_members
from cercle.circulation.states import Outcome, State
from cercle.projects.models import Project
from tests.factories import ContactFactory, MemberFactory, RequestFactory

pytestmark = pytest.mark.django_db


def _member(name: str, **profile: object):
    user = MemberFactory(username=name, first_name=name.capitalize(), last_name="")
    MemberProfile.objects.filter(user=user).update(
        **{"skills": "", "headline_fr": "", "headline_en": "", **profile}
    )
    return user


def _past(lead, *, subject: str, requester=None, state=State.CLOSED, outcome=Outcome.WON):
    request = RequestFactory(
        subject=subject,
        summary=subject,
        state=state,
        outcome=outcome,
        lead=lead,
        **({"requester": requester} if requester else {}),
    )
    Project.objects.create(request=request, lead=lead)
    return request


def test_the_member_who_does_what_is_asked_comes_first_with_the_words() -> None:
    carbon = _member("ines", offers="Bilans carbone et plans de transition pour les PME industrielles.")
    _member("paul", offers="Droit des contrats, rédaction de CGV.")
    request = RequestFactory(
        subject="Bilan carbone de notre usine", summary="Nous voulons réaliser un bilan carbone."
    )
    [first, second] = rank_members(request=request)
    assert first.member == carbon and first.score > second.score
    assert any("bilan" in r and "carbone" in r for r in first.reasons)


def test_who_already_knows_the_requester_or_their_organisation_is_said() -> None:
    berthier = ContactFactory(organisation="Maison Berthier")
    colleague = ContactFactory(organisation="Maison Berthier")
    knows_person, knows_org, stranger = _member("anne"), _member("bruno"), _member("chloe")
    _past(knows_person, subject="Atelier", requester=berthier)
    _past(knows_org, subject="Séminaire", requester=colleague)
    request = RequestFactory(requester=berthier, subject="Nouvelle demande")
    ranked = {s.member: s for s in rank_members(request=request)}
    assert ranked[knows_person].signals["knows"] == 1.0
    assert any("already worked with" in r for r in ranked[knows_person].reasons)
    assert any("Maison Berthier" in r for r in ranked[knows_org].reasons)
    assert ranked[knows_person].score > ranked[knows_org].score > ranked[stranger].score


def test_room_language_and_holidays_move_members_down_with_their_reason() -> None:
    busy = _member("dora", offers="Design de services", capacity=1)
    free = _member("eric", offers="Design de services", capacity=2, languages="fr, en")
    away = _member(
        "fanny", offers="Design de services", unavailable_until=timezone.localdate() + timedelta(days=10)
    )
    _past(busy, subject="Autre chose", state=State.KICKED_OFF, outcome="")
    request = RequestFactory(subject="Design de services publics", language="en")
    ranked = rank_members(request=request)
    assert [s.member for s in ranked] == [free, busy, away]
    by_member = {s.member: s for s in ranked}
    assert by_member[busy].full and any("full" in r for r in by_member[busy].reasons)
    assert by_member[away].away_until and "away until" in by_member[away].reasons[0]
    assert any("does not work in the request's language" in r for r in by_member[busy].reasons)
    assert "2 of 2 slots free" in by_member[free].reasons


def test_similar_projects_won_count_and_are_shown() -> None:
    winner = _member("gael", offers="Levée de fonds")
    loser = _member("hugo", offers="Levée de fonds")
    for _ in range(2):
        _past(winner, subject="Levée de fonds série A pour une startup", outcome=Outcome.WON)
        _past(loser, subject="Levée de fonds série A pour une startup", outcome=Outcome.LOST)
    request = RequestFactory(
        subject="Levée de fonds série A", summary="Startup qui cherche à lever des fonds"
    )
    ranked = {s.member: s for s in rank_members(request=request)}
    assert "2 of 2 similar projects won" in ranked[winner].reasons
    assert ranked[winner].score > ranked[loser].score


def test_the_routing_page_orders_members_by_fit_and_says_why_in_french(second, leader) -> None:
    from django.urls import reverse

    from cercle.circulation import services as circulation
    from tests.conftest import login

    _member("zoe", offers="Droit social")
    carbon = _member("ines", offers="Bilans carbone pour les PME")
    request = RequestFactory(subject="Bilan carbone", summary="Un bilan carbone pour notre PME")
    circulation.request_keep(actor=second, request=request)
    circulation.request_approve(actor=leader, request=request)
    page = login(second).get(reverse("circle:route", args=[request.pk])).content.decode()
    assert page.index(carbon.display_name) < page.index("Zoe")
    assert "fait ce qui est demandé\u00a0: bilan, carbone" in page


def test_one_word_with_two_stems_does_not_make_a_project_similar() -> None:
    from cercle.network.search import word_stems

    assert len(word_stems("visuelle")) == 2  # a French and an English stem: the trap this test is about
    designer = _member("ivan", offers="Graphisme")
    _past(designer, subject="Charte visuelle", outcome=Outcome.WON)
    request = RequestFactory(subject="Identité visuelle", summary="Refonte")
    [suggestion] = rank_members(request=request, members=[designer])
    assert suggestion.signals["similar"] == 0.0
    assert not any("similar" in r for r in suggestion.reasons)


def test_room_and_answers_break_ties_between_members_about_as_relevant_not_over_fit() -> None:
    # One rare word of the request in Inès's profile, none in Paul's; Paul has every slot free.
    fits = _member("ines", offers="Signalétique", capacity=3)
    free = _member("paul", offers="Droit des contrats", capacity=3)
    for _ in range(2):
        _past(fits, subject="Autre chose", state=State.KICKED_OFF, outcome="")
    request = RequestFactory(
        subject="Signalétique du nouveau musée",
        summary="Parcours, salles, accueil, billetterie, boutique, jardin, ateliers, auditorium.",
        requester=ContactFactory(organisation="Musée des Docks"),
    )
    ranked = {s.member: s for s in rank_members(request=request)}
    assert ranked[fits].signals["knows"] == ranked[fits].signals["similar"] == 0.0
    assert 0 < ranked[fits].signals["fit"] < 0.5  # a weak fit...
    assert ranked[free].signals["fit"] == 0.0 and ranked[free].signals["room"] == 1.0
    assert ranked[fits].score > ranked[free].score  # ...is still more than room alone
    assert "3 of 3 slots free" in ranked[free].reasons  # the raw signal is still said


def test_when_nobody_is_relevant_room_decides() -> None:
    busy = _member("ines", offers="Signalétique", capacity=3)
    free = _member("paul", offers="Droit des contrats", capacity=3)
    _past(busy, subject="Autre chose", state=State.KICKED_OFF, outcome="")
    request = RequestFactory(
        subject="Un potager collectif",
        summary="Des légumes.",
        requester=ContactFactory(organisation="Jardins"),
    )
    ranked = rank_members(request=request)
    assert all(s.signals["fit"] == s.signals["knows"] == 0.0 for s in ranked)
    assert [s.member for s in ranked] == [free, busy]
    assert ranked[0].score > ranked[1].score


def test_the_counts_in_the_reasons_agree_in_each_language() -> None:
    from django.utils import translation

    from cercle.circle.ranking import _Phrases, _reasons

    def said(language: str) -> list[str]:
        with translation.override(language):
            return _reasons(
                phrases=_Phrases(),
                matched=[],
                request_words=[],
                know=0,
                know_what="",
                free=1,
                capacity=2,
                language=1,
                won=0,
                similar=0,
                answered=4,
                accepted=1,
                away=None,
            )

    assert {"1 of 2 slots free", "accepted 1 of 4 offers"} <= set(said("en"))
    assert {"1 place libre sur 2", "a accepté 1 proposition sur 4"} <= set(said("fr"))
