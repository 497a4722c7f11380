"""Matchmaking: one person's need meets another's offer, a declined request meets someone who could take
it; approving starts an introduction the hub makes between the two; a dismissed suggestion never
comes back.

Camille (French) needs an accountant for her association; Bruno (English) offers bookkeeping and
accounting for associations; Diane offers graphic design: only Bruno answers Camille's need.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from cercle.accounts.permissions import NotAllowed
from cercle.circulation.states import State
from cercle.network.models import Contact
from cercle.outbox.models import OutgoingMessage
from cercle.people import matchmaking
from cercle.people.introductions.selectors import ledger_of
from cercle.people.models import (
    Favour,
    FavourDirection,
    Introduction,
    IntroductionEvent,
    IntroductionKind,
    IntroductionState,
    Match,
    MatchKind,
    MatchState,
)
from tests.conftest import login
from tests.factories import ContactFactory, RequestFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/network/introductions/answer/\S+/")


@pytest.fixture
def camille(db) -> Contact:
    return ContactFactory(
        name="Camille Durand",
        email="camille@asso.example",
        language="fr",
        in_network=True,
        organisation="Asso Verte",
        needs="Trouver un expert-comptable pour la comptabilité de notre association.",
    )


@pytest.fixture
def bruno(db) -> Contact:
    return ContactFactory(
        name="Bruno Keller",
        email="bruno@books.example",
        language="en",
        in_network=True,
        organisation="Keller Books",
        offers="Bookkeeping; comptabilité et expertise comptable pour les associations.",
    )


@pytest.fixture
def diane(db) -> Contact:
    return ContactFactory(
        name="Diane Morel",
        email="diane@studio.example",
        language="fr",
        in_network=True,
        offers="Graphisme, identité visuelle et mise en page pour les associations.",
    )


def test_a_need_meets_the_offer_that_answers_it_with_the_words_in_common(camille, bruno, diane) -> None:
    report = matchmaking.matches_refresh()

    match = Match.objects.get()  # Diane shares only "associations": not enough to answer the need
    assert (match.kind, match.seeker, match.provider) == (MatchKind.NEED, camille, bruno)
    assert report.created == 1
    assert {"comptable", "comptabilité", "association"} <= {w.lower() for w in match.words}
    assert "expertise comptable" in match.offer
    assert match.state == MatchState.OPEN


def test_nobody_is_matched_with_themself_nor_outside_the_network(camille) -> None:
    camille.offers = "Expertise comptable pour association."
    camille.save()
    ContactFactory(email="x@spam.example", spam=True, in_network=False, offers=camille.offers)
    ContactFactory(email="hub@hub.example", hub_own=True, in_network=True, offers=camille.offers)

    matchmaking.matches_refresh()

    assert not Match.objects.exists()


def test_a_dismissed_suggestion_never_comes_back_and_a_stale_open_one_goes(camille, bruno, leader) -> None:
    matchmaking.matches_refresh()
    match = Match.objects.get()
    matchmaking.match_dismiss(actor=leader, match=match)

    report = matchmaking.matches_refresh()

    assert report.created == 0
    assert Match.objects.get().state == MatchState.DISMISSED
    assert not matchmaking.matches_open().exists()
    with pytest.raises(matchmaking.MatchError):
        matchmaking.match_dismiss(actor=leader, match=match)

    # An open suggestion whose need changed is dropped at the next refresh.
    other = ContactFactory(email="o@x.example", in_network=True, needs="Un expert-comptable associatif.")
    matchmaking.matches_refresh()
    assert Match.objects.filter(seeker=other, state=MatchState.OPEN).count() == 1
    Contact.objects.filter(pk=other.pk).update(needs="Un jardinier.")
    report = matchmaking.matches_refresh()
    assert report.removed == 1
    assert not Match.objects.filter(seeker=other).exists()


def test_a_declined_request_meets_someone_who_could_take_it(bruno, diane) -> None:
    requester = ContactFactory(name="Élise Petit", email="elise@ecole.example", language="fr")
    request = RequestFactory(
        requester=requester,
        subject="Refonte de notre identité visuelle",
        summary="Nous cherchons un graphisme neuf et une mise en page de nos brochures.",
        state=State.DECLINED,
    )

    matchmaking.matches_refresh()

    match = Match.objects.get(kind=MatchKind.DECLINED)
    assert (match.seeker, match.provider, match.request) == (requester, diane, request)


def test_members_cannot_see_or_act_on_suggestions(camille, bruno, member) -> None:
    matchmaking.matches_refresh()
    match = Match.objects.get()
    client = login(member)
    assert client.get(reverse("people:matches")).status_code in (302, 403)
    assert client.post(reverse("people:match_dismiss", args=[match.pk])).status_code in (302, 403)
    assert Match.objects.get().state == MatchState.OPEN
    with pytest.raises(NotAllowed):
        matchmaking.match_approve(actor=member, match=match, subject="s", body="b")


def _links(outgoing: OutgoingMessage) -> tuple[str, str]:
    yes, no = LINK.findall(outgoing.body)
    return urlsplit(yes).path, urlsplit(no).path


def _mail(intro: Introduction, kind: str) -> OutgoingMessage:
    return IntroductionEvent.objects.get(introduction=intro, kind=kind).outgoing


def test_approving_starts_a_double_opt_in_introduction_made_by_the_hub(camille, bruno, leader) -> None:
    matchmaking.matches_refresh()
    match = Match.objects.get()
    client = login(leader, "fr")

    page = client.get(reverse("people:match_approve", args=[match.pk]))
    assert page.status_code == 200
    form = page.context["form"]
    assert "Bruno Keller" in form["subject"].value()  # the draft, in Camille's language
    assert "expertise comptable" in form["body"].value()
    response = client.post(
        reverse("people:match_approve", args=[match.pk]),
        {"subject": form["subject"].value(), "body": form["body"].value() + "\nÀ bientôt."},
    )
    assert response.status_code == 302

    intro = Introduction.objects.get()
    match.refresh_from_db()
    assert (match.state, match.introduction) == (MatchState.APPROVED, intro)
    assert (intro.kind, intro.connector, intro.target, intro.beneficiary) == (
        IntroductionKind.MATCH,
        camille,
        bruno,
        None,
    )
    first = _mail(intro, "asked_connector")
    assert first.to == ["Camille Durand <camille@asso.example>"]
    assert "À bientôt." in first.body

    yes, _ = _links(first)
    assert client.post(yes).status_code == 200  # Camille says yes: Bruno is asked, in English
    second = _mail(intro, "asked_target")
    assert second.to == ["Bruno Keller <bruno@books.example>"]
    assert "Camille Durand (Asso Verte) is looking for" in second.body
    assert "expertise comptable" in second.body  # what he offers, from the suggestion

    yes, _ = _links(second)
    assert client.post(yes).status_code == 200
    bridge = _mail(intro, "introduced")
    assert sorted(bridge.to) == [
        "Bruno Keller <bruno@books.example>",
        "Camille Durand <camille@asso.example>",
    ]
    assert bridge.cc == []
    assert "Vous avez tous les deux dit oui" in bridge.body  # in Camille's language
    intro.refresh_from_db()
    assert intro.state == IntroductionState.INTRODUCED
    # The hub gave to both: the ledger shows it.
    assert set(Favour.objects.filter(direction=FavourDirection.GIVEN).values_list("contact", flat=True)) == {
        camille.pk,
        bruno.pk,
    }
    assert ledger_of(bruno).given == 1
    # Introduced pairs are not suggested again.
    Match.objects.all().delete()
    matchmaking.matches_refresh()
    assert not Match.objects.exists()


def test_when_the_provider_declines_the_seeker_is_told_kindly(camille, bruno, leader) -> None:
    matchmaking.matches_refresh()
    match = Match.objects.get()
    draft = matchmaking.match_draft(match)
    intro = matchmaking.match_approve(actor=leader, match=match, subject=draft.subject, body=draft.body)
    client = login(leader)
    yes, _ = _links(_mail(intro, "asked_connector"))
    client.post(yes)
    _, no = _links(_mail(intro, "asked_target"))
    client.post(no)

    kind_word = _mail(intro, "target_declined")
    assert kind_word.to == ["Camille Durand <camille@asso.example>"]
    assert "Nous gardons votre besoin en tête" in kind_word.body
    notice = OutgoingMessage.objects.get(idempotency_key=f"introduction:{intro.pk}:declined-hub-{leader.pk}")
    assert "Bruno Keller" in notice.body and "Camille Durand" in notice.body
    assert not Favour.objects.exists()


def test_approving_twice_or_a_person_erased_since_is_refused_and_sends_nothing(
    camille, bruno, leader
) -> None:
    matchmaking.matches_refresh()
    match = Match.objects.get()
    draft = matchmaking.match_draft(match)
    Contact.objects.filter(pk=bruno.pk).update(email="")  # lost his address since

    with pytest.raises(matchmaking.MatchError, match="e-mail address"):
        matchmaking.match_approve(actor=leader, match=match, subject=draft.subject, body=draft.body)
    assert Match.objects.get().state == MatchState.OPEN  # nothing decided, nothing sent
    assert not OutgoingMessage.objects.exists()

    Contact.objects.filter(pk=bruno.pk).update(email="bruno@books.example")
    matchmaking.match_approve(actor=leader, match=match, subject=draft.subject, body=draft.body)
    with pytest.raises(matchmaking.MatchError, match="already"):
        matchmaking.match_approve(actor=leader, match=match, subject=draft.subject, body=draft.body)
    assert Introduction.objects.count() == 1


def test_the_page_lists_the_suggestion_in_french_and_english(camille, bruno, second) -> None:
    matchmaking.matches_refresh()
    french = login(second, "fr").get(reverse("people:matches")).content.decode()
    assert "Camille Durand" in french and "Bruno Keller" in french
    assert "Les présenter" in french and "Rapprochements" in french
    english = login(second, "en").get(reverse("people:matches")).content.decode()
    assert "Introduce them" in english


def test_the_persons_export_holds_their_matches_and_ties_and_erase_removes_them(
    camille, bruno, second
) -> None:
    import io
    import json
    import zipfile

    from cercle.network.models import ContactTie
    from cercle.network.ties import ties_record_message

    matchmaking.matches_refresh()
    ties_record_message(message_key="<t1@x>", sender=camille, recipients=[bruno], at=timezone.now())
    response = login(second).post(reverse("people:export_person", args=[bruno.pk]))
    person = json.loads(zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).read("person.json"))
    [match] = person["matchmaking"]
    assert (match["role"], match["other"], match["state"]) == ("offers", "Camille Durand", "open")
    [tie] = person["ties"]
    assert (tie["other"], tie["messages_together"], tie["they_wrote_with_the_other"]) == (
        "Camille Durand",
        1,
        0,
    )

    login(second).post(reverse("people:erase_person", args=[bruno.pk]), {"confirmation": "ERASE"})
    assert not Contact.objects.filter(pk=bruno.pk).exists()
    assert not Match.objects.exists() and not ContactTie.objects.exists()
