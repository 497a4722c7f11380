"""A member who declines may "suggest someone else": they name a colleague of the circle, with a word
if they wish. One at a time, the colleague is next in line (before the others the second had chosen); several
at once, the colleague is asked at once. Audited, the second told, the colleague told who thought of them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cercle.accounts.permissions import NotAllowed
from cercle.circle import services
from cercle.circle.models import Offer, OfferState
from cercle.circulation import services as circulation
from cercle.circulation.errors import IllegalTransition
from cercle.circulation.models import Request
from cercle.circulation.selectors import history_for_user
from cercle.outbox.models import OutgoingMessage
from tests.conftest import login
from tests.factories import MemberFactory


@pytest.fixture
def approved(second, leader, incoming):  # type: ignore[no-untyped-def]
    circulation.request_keep(actor=second, request=incoming)
    circulation.request_approve(actor=leader, request=incoming)
    return incoming


@pytest.fixture
def ines(db):  # type: ignore[no-untyped-def]
    return MemberFactory(username="ines", first_name="Inès", last_name="Moreau", email="ines@hub.example")


def _offer(request: Request, member) -> Offer:  # type: ignore[no-untyped-def]
    return Offer.objects.get(request=request, member=member)


def test_one_at_a_time_the_colleague_named_is_next_in_line(second, approved, member, other_member, ines):
    services.request_route(
        actor=second, request=approved, members=[member, other_member], brief="Brief", mode="sequential"
    )
    theirs = services.offer_suggest(
        actor=member, offer=_offer(approved, member), colleague=ines, note="Elle connaît ce secteur"
    )
    assert _offer(approved, member).state == OfferState.DECLINED
    assert theirs.member == ines and theirs.state == OfferState.PENDING and theirs.suggested_by == member
    assert theirs.deadline_at is not None and theirs.brief == "Brief"
    assert _offer(approved, other_member).state == OfferState.QUEUED  # Karim still waits his turn, after Inès
    mail = OutgoingMessage.objects.get(idempotency_key=f"offer:{theirs.pk}")
    assert "Claire Dubois a pensé à vous" in mail.body and "Elle connaît ce secteur" in mail.body
    [told] = OutgoingMessage.objects.filter(idempotency_key__startswith="offer-moved:")
    assert "suggère Inès Moreau" in told.body and "Elle connaît ce secteur" in told.body
    note = approved.events.get(note__contains="suggested").note_text
    assert note == "Claire Dubois declined and suggested Inès Moreau: Elle connaît ce secteur"
    # Inès declines in turn: Karim, who was next in the order, gets it.
    services.offer_decline(actor=ines, offer=theirs, reason="Pas disponible")
    assert _offer(approved, other_member).state == OfferState.PENDING


def test_a_colleague_waiting_their_turn_moves_up_to_next(second, approved, member, other_member, ines):
    services.request_route(
        actor=second, request=approved, members=[member, other_member, ines], brief="B", mode="sequential"
    )
    services.offer_suggest(actor=member, offer=_offer(approved, member), colleague=ines)
    assert _offer(approved, ines).state == OfferState.PENDING
    assert _offer(approved, other_member).state == OfferState.QUEUED
    assert approved.events.filter(note="Claire Dubois declined and suggested Inès Moreau.").exists()


def test_several_at_once_the_colleague_is_asked_at_once(second, approved, member, other_member, ines):
    services.request_route(
        actor=second, request=approved, members=[member, other_member], brief="B", mode="parallel"
    )
    services.offer_suggest(actor=member, offer=_offer(approved, member), colleague=ines)
    assert _offer(approved, ines).state == OfferState.PENDING
    assert _offer(approved, other_member).state == OfferState.PENDING


def test_a_colleague_who_already_answered_cannot_be_suggested(second, approved, member, other_member, ines):
    services.request_route(
        actor=second, request=approved, members=[member, other_member, ines], brief="B", mode="parallel"
    )
    services.offer_decline(actor=other_member, offer=_offer(approved, other_member), reason="Non")
    with pytest.raises(IllegalTransition):
        services.offer_suggest(actor=member, offer=_offer(approved, member), colleague=other_member)
    assert _offer(approved, member).state == OfferState.PENDING  # nothing changed


def test_only_the_member_asked_may_suggest_and_only_a_colleague(
    second, approved, member, other_member, leader
):
    [offer] = services.request_route(actor=second, request=approved, members=[member], brief="B")
    with pytest.raises(NotAllowed):
        services.offer_suggest(actor=other_member, offer=offer, colleague=other_member)
    with pytest.raises(IllegalTransition):
        services.offer_suggest(actor=member, offer=offer, colleague=member)
    with pytest.raises(IllegalTransition):
        services.offer_suggest(actor=member, offer=offer, colleague=leader)
    assert _offer(approved, member).state == OfferState.PENDING


def test_the_note_is_for_the_second_and_the_colleague_not_other_members(
    second, approved, member, other_member, ines
):
    services.request_route(
        actor=second, request=approved, members=[member, other_member], brief="B", mode="parallel"
    )
    services.offer_suggest(actor=member, offer=_offer(approved, member), colleague=ines, note="Secret")
    assert any("Secret" in e.note_text for e in history_for_user(request=approved, user=second))
    assert not any("Secret" in e.note_text for e in history_for_user(request=approved, user=other_member))


def test_the_opportunities_page_suggests_someone_else(second, approved, member, other_member, ines):
    [offer] = services.request_route(actor=second, request=approved, members=[member], brief="B")
    page = login(member, language="en").get(reverse("circle:opportunities")).content.decode()
    assert "Suggest someone else" in page and reverse("circle:suggest", args=[offer.pk]) in page
    assert f'<option value="{ines.pk}">Inès Moreau</option>' in page
    assert f'<option value="{member.pk}">' not in page  # not themself
    assert "Answer by" in page
    response = login(member).post(
        reverse("circle:suggest", args=[offer.pk]), {"colleague": ines.pk, "note": "Voir avec elle"}
    )
    assert response.status_code == 302
    assert _offer(approved, ines).state == OfferState.PENDING
    assert _offer(approved, member).reason == "Voir avec elle"
    # The page in French, for Inès: who thought of her.
    page = login(ines).get(reverse("circle:opportunities")).content.decode()
    assert "Claire Dubois a pensé à vous pour cette demande." in page


def test_suggesting_is_a_post_for_members_only(second, approved, member, ines):
    [offer] = services.request_route(actor=second, request=approved, members=[member], brief="B")
    url = reverse("circle:suggest", args=[offer.pk])
    assert login(member).get(url).status_code == 405
    assert login(second).post(url, {"colleague": ines.pk}).status_code == 403
    assert _offer(approved, member).state == OfferState.PENDING
