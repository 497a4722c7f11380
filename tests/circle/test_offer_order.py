"""Offers that never stall: the second offers a request to one member at a time, in the order chosen,
or to several at once (the first to accept leads), each with a time to answer. A decline sends it to
the next member in the order, and the second is told by mail; nobody left, it goes back to routing."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils.html import escape

from cercle.circle import services
from cercle.circle.models import Offer, OfferMode, OfferState
from cercle.circulation import services as circulation
from cercle.circulation.errors import CirculationError, IllegalTransition, TransitionConflict
from cercle.circulation.models import Event, Request
from cercle.circulation.states import State
from cercle.outbox.models import OutgoingMessage
from tests.conftest import login
from tests.factories import MemberFactory, RequestFactory, UserFactory


@pytest.fixture
def approved(second, leader, incoming):  # type: ignore[no-untyped-def]
    circulation.request_keep(actor=second, request=incoming)
    circulation.request_approve(actor=leader, request=incoming)
    return incoming


@pytest.fixture
def third(db):  # type: ignore[no-untyped-def]
    return MemberFactory(username="ines", first_name="Inès", last_name="Moreau", email="ines@hub.example")


def _offer(request: Request, member) -> Offer:  # type: ignore[no-untyped-def]
    return Offer.objects.get(request=request, member=member)


def _offer_mails_to(member) -> list[OutgoingMessage]:  # type: ignore[no-untyped-def]
    return [
        m
        for m in OutgoingMessage.objects.filter(idempotency_key__startswith="offer:")
        if member.email in m.to[0]
    ]


def _told(second) -> list[OutgoingMessage]:  # type: ignore[no-untyped-def]
    return list(
        OutgoingMessage.objects.filter(idempotency_key__startswith="offer-moved:", to__icontains=second.email)
    )


def test_one_at_a_time_only_the_first_in_the_order_is_asked(second, approved, member, other_member, third):
    services.request_route(
        actor=second,
        request=approved,
        members=[other_member, member, third],
        brief="B",
        mode=OfferMode.SEQUENTIAL,
        answer_hours=36,
    )
    first = _offer(approved, other_member)
    assert first.state == OfferState.PENDING
    assert first.deadline_at == first.sent_at + timedelta(hours=36)  # type: ignore[operator]
    assert [_offer(approved, m).state for m in (member, third)] == [OfferState.QUEUED, OfferState.QUEUED]
    assert [_offer(approved, m).position for m in (other_member, member, third)] == [1, 2, 3]
    # Only the first is written to, and only they see it among their opportunities.
    assert _offer_mails_to(other_member) and not _offer_mails_to(member) and not _offer_mails_to(third)
    page = login(member).get(reverse("circle:opportunities")).content.decode()
    assert f'id="offer-{_offer(approved, member).pk}"' not in page and escape(approved.subject) not in page
    assert (
        f'id="offer-{first.pk}"' in login(other_member).get(reverse("circle:opportunities")).content.decode()
    )
    with pytest.raises(TransitionConflict):  # not their turn yet
        services.offer_accept(actor=member, offer=_offer(approved, member))


def test_a_decline_sends_it_to_the_next_in_the_order_and_tells_the_second(
    second, approved, member, other_member, third
):
    services.request_route(
        actor=second, request=approved, members=[member, other_member, third], brief="B", mode="sequential"
    )
    services.offer_decline(actor=member, offer=_offer(approved, member), reason="En congés")
    nxt = _offer(approved, other_member)
    assert nxt.state == OfferState.PENDING and nxt.deadline_at is not None
    assert _offer(approved, third).state == OfferState.QUEUED
    assert Request.objects.get(pk=approved.pk).state == State.OFFERED
    [mail_to_karim] = _offer_mails_to(other_member)
    assert "Karim" in mail_to_karim.body
    [told] = _told(second)
    assert "Claire Dubois" in told.body and "En congés" in told.body and "Karim Benali" in told.body
    assert "Karim Benali" in told.subject
    notes = [e.note_text for e in Event.objects.filter(request=approved).order_by("at", "id")]
    assert any("Now offered to Karim Benali" in n for n in notes)
    # The event that records the decline shows the mail it queued.
    decline = Event.objects.get(request=approved, note__startswith="Claire Dubois declined")
    assert decline.outgoing_id == told.pk


def test_nobody_left_sends_it_back_to_routing_and_the_second_is_told(second, approved, member, other_member):
    services.request_route(
        actor=second, request=approved, members=[member, other_member], brief="B", mode="sequential"
    )
    services.offer_decline(actor=member, offer=_offer(approved, member), reason="Pas le temps")
    services.offer_decline(actor=other_member, offer=_offer(approved, other_member), reason="Hors sujet")
    approved.refresh_from_db()
    assert approved.state == State.APPROVED
    back = Event.objects.filter(request=approved, to_state=State.APPROVED, from_state=State.OFFERED).get()
    assert back.note_text == "Nobody left to offer it to: back to routing."
    last = max(_told(second), key=lambda m: m.pk)
    assert "back to routing" in last.body or "revient à l'orientation" in last.body
    assert "orienter de nouveau" in last.subject.lower() or "route again" in last.subject.lower()


def test_the_second_is_told_in_their_own_language(second, approved, member, other_member):
    second.language = "en"
    second.save(update_fields=["language"])
    services.request_route(
        actor=second, request=approved, members=[member, other_member], brief="B", mode="sequential"
    )
    services.offer_decline(actor=member, offer=_offer(approved, member), reason="Busy this month.")
    [told] = _told(second)
    assert told.subject.startswith("Now offered to Karim Benali")
    assert "declined" in told.body and "who has until" in told.body
    assert ": Busy this month." in told.body and "month.." not in told.body  # one full stop
    second.language = "fr"
    second.save(update_fields=["language"])
    services.offer_decline(actor=other_member, offer=_offer(approved, other_member), reason="Non")
    french = max(_told(second), key=lambda m: m.pk)
    assert french.subject.startswith("À orienter de nouveau") and "a refusé" in french.body


def test_several_at_once_each_is_asked_and_a_decline_waits_for_the_others(
    second, approved, member, other_member
):
    services.request_route(
        actor=second, request=approved, members=[member, other_member], brief="B", mode="parallel"
    )
    assert {_offer(approved, m).state for m in (member, other_member)} == {OfferState.PENDING}
    assert _offer_mails_to(member) and _offer_mails_to(other_member)
    services.offer_decline(actor=member, offer=_offer(approved, member), reason="Non")
    assert Request.objects.get(pk=approved.pk).state == State.OFFERED
    [told] = _told(second)
    assert "Karim Benali" in told.body  # still waiting for them


def test_accepting_releases_those_still_waiting_their_turn(second, approved, member, other_member, third):
    services.request_route(
        actor=second, request=approved, members=[member, other_member, third], brief="B", mode="sequential"
    )
    services.offer_accept(actor=member, offer=_offer(approved, member))
    assert {_offer(approved, m).state for m in (other_member, third)} == {OfferState.WITHDRAWN}
    assert services.offers_expire(now=approved.received_at + timedelta(days=30)) == 0


def test_the_time_to_answer_has_bounds(second, approved, member):
    for hours in (0, 24 * 15):
        with pytest.raises(IllegalTransition):
            services.request_route(
                actor=second, request=approved, members=[member], brief="B", answer_hours=hours
            )
    assert not Offer.objects.exists()


def test_the_default_time_to_answer_comes_from_the_settings(second, approved, member, settings):
    settings.CERCLE = {**settings.CERCLE, "OFFER_ANSWER_HOURS": 12}
    [offer] = services.request_route(actor=second, request=approved, members=[member], brief="B")
    assert offer.deadline_at - offer.sent_at == timedelta(hours=12)  # type: ignore[operator]


@pytest.mark.django_db(transaction=True)
def test_several_at_once_two_members_accepting_at_the_same_moment_one_leads():
    second = UserFactory(username="sec", role="second")
    leader = UserFactory(username="lead", role="leader")
    a, b, c = MemberFactory(username="ma"), MemberFactory(username="mb"), MemberFactory(username="mc")
    request = RequestFactory()
    circulation.request_keep(actor=second, request=request)
    circulation.request_approve(actor=leader, request=request)
    services.request_route(actor=second, request=request, members=[a, b, c], brief="B", mode="parallel")
    barrier = threading.Barrier(2)
    results: list[str] = []

    def accept(user):  # type: ignore[no-untyped-def]
        try:
            offer = Offer.objects.get(request=request, member=user)
            barrier.wait(timeout=5)
            services.offer_accept(actor=user, offer=offer)
            results.append("lead")
        except CirculationError:
            results.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(u,)) for u in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    assert sorted(results) == ["conflict", "lead"]
    request.refresh_from_db()
    assert request.state == State.ACCEPTED
    accepted = Offer.objects.get(request=request, state=OfferState.ACCEPTED)
    assert request.lead_id == accepted.member_id
    assert not Offer.objects.filter(request=request, state=OfferState.PENDING).exists()
    assert Offer.objects.get(request=request, member=c).state == OfferState.WITHDRAWN


# --- The routing page ---------------------------------------------------------------------------


def test_the_routing_page_offers_one_at_a_time_in_the_numbered_order(
    second, approved, member, other_member, third
):
    page = login(second, language="en").get(reverse("circle:route", args=[approved.pk])).content.decode()
    assert 'name="mode"' in page and 'value="sequential"' in page and 'name="answer_hours"' in page
    assert f'name="order_{member.pk}"' in page
    response = login(second).post(
        reverse("circle:route", args=[approved.pk]),
        {
            "members": [member.pk, other_member.pk, third.pk],
            f"order_{member.pk}": "3",
            f"order_{other_member.pk}": "1",
            f"order_{third.pk}": "2",
            "brief": "B",
            "expected_state": "approved",
            "mode": "sequential",
            "answer_hours": "30",
        },
    )
    assert response.status_code == 302
    order = list(
        Offer.objects.filter(request=approved).order_by("position").values_list("member__username", "state")
    )
    assert order == [("karim", "pending"), ("ines", "queued"), ("claire", "queued")]
    karim = _offer(approved, other_member)
    assert karim.deadline_at - karim.sent_at == timedelta(hours=30)  # type: ignore[operator]
    # The page then says who is asked until when, and who waits their turn.
    page = login(second, language="en").get(reverse("circle:route", args=[approved.pk])).content.decode()
    assert "to answer by" in page and "waits for their turn" in page


def test_the_routing_page_offers_to_several_at_once(second, approved, member, other_member, settings):
    settings.CERCLE = {**settings.CERCLE, "OFFER_ANSWER_HOURS": 24}
    response = login(second).post(
        reverse("circle:route", args=[approved.pk]),
        {
            "members": [member.pk, other_member.pk],
            "brief": "B",
            "expected_state": "approved",
            "mode": "parallel",
        },
    )
    assert response.status_code == 302
    offers = list(Offer.objects.filter(request=approved))
    assert {o.state for o in offers} == {"pending"} and {o.mode for o in offers} == {"parallel"}
    assert all(o.deadline_at == o.sent_at + timedelta(hours=24) for o in offers)  # type: ignore[operator]
    offered = approved.events.get(to_state=State.OFFERED)
    assert offered.note_source["msgid"].startswith("Offered to %(names)s at once")  # type: ignore[index]


def test_the_routing_page_refuses_an_answer_time_out_of_bounds(second, approved, member):
    response = login(second, language="en").post(
        reverse("circle:route", args=[approved.pk]),
        {
            "members": [member.pk],
            "brief": "B",
            "expected_state": "approved",
            "mode": "parallel",
            "answer_hours": "0",
        },
    )
    assert response.status_code == 200 and not Offer.objects.exists()
