"""A request offered to members who do not answer is not stuck: the routing page lists it, and the
second offers it to more members from there or from the request page; an offer not answered in time
(or held by a member who left) moves on by itself to the next member, once, whoever runs the worker."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from cercle.circle import services as circle
from cercle.circle.models import Offer, OfferState
from cercle.circle.tasks import expire_offers
from cercle.circulation import services as circulation
from cercle.circulation.errors import TransitionConflict
from cercle.circulation.models import Request
from cercle.circulation.states import State
from cercle.outbox.models import OutgoingMessage
from tests.conftest import login
from tests.factories import MemberFactory, RequestFactory, UserFactory


def _offered(second, leader, member, **fields) -> Request:  # type: ignore[no-untyped-def]
    request = RequestFactory(**fields)
    circulation.request_keep(actor=second, request=request)
    circulation.request_approve(actor=leader, request=request)
    circle.request_route(actor=second, request=request, members=[member], brief="")
    return request


def test_the_routing_page_lists_offered_requests_late_first_with_a_way_to_offer_more(
    second, leader, member, other_member
):
    late = _offered(second, leader, member, subject="Attend depuis longtemps")
    Request.objects.filter(pk=late.pk).update(state_changed_at=timezone.now() - timedelta(days=3))
    fresh = _offered(second, leader, member, subject="Vient d'être proposée")
    page = login(second, language="en").get(reverse("circle:routing")).content.decode()
    offered = page[page.index('id="offered"') :]
    assert offered.index("Attend depuis longtemps") < offered.index("Vient d&#x27;être proposée")
    assert "late" in offered[: offered.index("Vient d&#x27;être")]
    assert reverse("circle:route", args=[late.pk]) in offered
    assert reverse("circle:route", args=[fresh.pk]) in offered
    assert re.search(r"\b1 answer awaited\b", offered)
    # From there, the second offers it to one more member: the request stays offered, both can answer.
    response = login(second).post(
        reverse("circle:route", args=[late.pk]),
        {"members": [other_member.pk], "brief": "Relance", "expected_state": "offered"},
    )
    assert response.status_code == 302
    assert set(late.offers.values_list("member__username", flat=True)) == {"claire", "karim"}


def test_the_request_page_offers_it_to_more_members_but_not_to_a_member(second, leader, member):
    request = _offered(second, leader, member)
    link = reverse("circle:route", args=[request.pk])
    assert link in login(second).get(reverse("circulation:detail", args=[request.pk])).content.decode()
    assert link not in login(member).get(reverse("circulation:detail", args=[request.pk])).content.decode()


def test_the_offered_list_is_for_the_people_who_route(member):
    assert login(member).get(reverse("circle:routing")).status_code == 403


def test_offering_to_more_members_shows_who_declined_and_who_has_not_answered(
    second, leader, member, other_member
):
    request = _offered(second, leader, member)
    circle.request_route(actor=second, request=request, members=[other_member], brief="")
    offer = request.offers.get(member=other_member)
    circle.offer_decline(actor=other_member, offer=offer, reason="Pas le temps")
    page = login(second, language="en").get(reverse("circle:route", args=[request.pk])).content.decode()
    claire = page[page.index("Claire Dubois") :][:200]
    karim = page[page.index("Karim Benali") :][:200]
    assert "Waiting for an answer" in claire and "Declined" not in claire
    assert "Declined" in karim


# --- Offers not answered in time move on (circle/tasks.py, every minute) --------------------------


def _in_order(second, leader, *members, hours: int = 24, mode: str = "sequential") -> Request:  # type: ignore[no-untyped-def]
    request = RequestFactory()
    circulation.request_keep(actor=second, request=request)
    circulation.request_approve(actor=leader, request=request)
    circle.request_route(
        actor=second, request=request, members=list(members), brief="B", mode=mode, answer_hours=hours
    )
    return request


def _state(request: Request, member) -> str:  # type: ignore[no-untyped-def]
    return Offer.objects.get(request=request, member=member).state


def _lapse(request: Request, member) -> None:  # type: ignore[no-untyped-def]
    """The member's answer time ran out a minute ago."""
    Offer.objects.filter(request=request, member=member).update(
        deadline_at=timezone.now() - timedelta(minutes=1)
    )


def test_the_worker_moves_an_unanswered_offer_on_to_the_next_member(second, leader, member, other_member):
    request = _in_order(second, leader, member, other_member)
    assert expire_offers.call_local() == 0  # nothing due yet
    assert _state(request, member) == OfferState.PENDING
    _lapse(request, member)
    assert expire_offers.call_local() == 1
    assert _state(request, member) == OfferState.EXPIRED
    assert _state(request, other_member) == OfferState.PENDING
    assert (
        OutgoingMessage.objects.filter(idempotency_key__startswith="offer:", to__icontains="karim").count()
        == 1
    )
    [told] = OutgoingMessage.objects.filter(idempotency_key__startswith="offer-moved:")
    assert told.to == ["Samuel Petit <samuel@hub.example>"]
    assert "Claire Dubois" in told.body and "pas répondu à temps" in told.body and "Karim Benali" in told.body
    notes = [e.note_text for e in request.events.order_by("at", "id")]
    assert "Claire Dubois did not answer in time." in notes
    # The member whose offer lapsed no longer sees the request, and can no longer take it.
    assert login(member).get(reverse("circulation:detail", args=[request.pk])).status_code == 404
    with pytest.raises(TransitionConflict):
        circle.offer_accept(actor=member, offer=Offer.objects.get(request=request, member=member))


def test_a_retry_of_the_worker_does_nothing_twice(second, leader, member, other_member):
    request = _in_order(second, leader, member, other_member)
    _lapse(request, member)
    assert expire_offers.call_local() == 1
    assert expire_offers.call_local() == 0
    assert circle.offers_expire() == 0
    assert OutgoingMessage.objects.filter(idempotency_key__startswith="offer-moved:").count() == 1
    assert request.events.filter(note__contains="did not answer in time").count() == 1


def test_the_last_unanswered_offer_sends_the_request_back_to_routing(second, leader, member, other_member):
    request = _in_order(second, leader, member, other_member, mode="parallel")
    _lapse(request, member)
    _lapse(request, other_member)
    assert expire_offers.call_local() == 1
    request.refresh_from_db()
    assert request.state == State.APPROVED
    assert {_state(request, m) for m in (member, other_member)} == {OfferState.EXPIRED}
    [told] = OutgoingMessage.objects.filter(idempotency_key__startswith="offer-moved:")
    assert "Claire Dubois, Karim Benali" in told.body and "revient à l'orientation" in told.body
    assert request.events.filter(to_state=State.APPROVED, note__startswith="Nobody left").exists()


def test_a_member_deactivated_while_holding_an_offer_lets_it_move_on(second, leader, member, other_member):
    request = _in_order(second, leader, member, other_member)
    member.is_active = False
    member.save(update_fields=["is_active"])
    assert expire_offers.call_local() == 1  # without waiting for the deadline
    assert _state(request, member) == OfferState.EXPIRED
    assert _state(request, other_member) == OfferState.PENDING
    assert request.events.filter(note__contains="No longer an active circle member: Claire Dubois").exists()


def test_a_member_deactivated_while_waiting_their_turn_is_skipped(
    second, leader, member, other_member, outsider
):
    request = _in_order(second, leader, member, other_member, outsider)
    other_member.is_active = False
    other_member.save(update_fields=["is_active"])
    circle.offer_decline(actor=member, offer=Offer.objects.get(request=request, member=member), reason="Non")
    assert _state(request, other_member) == OfferState.WITHDRAWN
    assert _state(request, outsider) == OfferState.PENDING
    assert request.events.filter(note__startswith="Karim Benali skipped").exists()


def test_a_member_deleted_while_holding_an_offer_lets_it_move_on(second, leader, member, other_member):
    request = _in_order(second, leader, member, other_member)
    member.delete()
    assert expire_offers.call_local() == 1
    assert _state(request, other_member) == OfferState.PENDING
    assert request.events.filter(note__startswith="Nobody was holding this request").exists()
    assert OutgoingMessage.objects.filter(idempotency_key__startswith="offer-moved:gone:").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_close_an_unanswered_offer_once():
    second = UserFactory(username="sec", role="second", email="sec@hub.example")
    leader = UserFactory(username="lead", role="leader")
    first, then = MemberFactory(username="ma"), MemberFactory(username="mb")
    request = _in_order(second, leader, first, then)
    _lapse(request, first)
    barrier = threading.Barrier(2)
    moved: list[int] = []

    def sweep() -> None:
        try:
            barrier.wait(timeout=5)
            moved.append(circle.offers_expire())
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    assert sorted(moved) == [0, 1]
    assert _state(request, then) == OfferState.PENDING
    # Written in the worker's language: counted by the note's source.
    assert request.events.filter(note_source__msgid="%(names)s did not answer in time.").count() == 1
    assert (
        OutgoingMessage.objects.filter(idempotency_key__startswith="offer:", to__icontains="mb@").count() == 1
    )
    assert OutgoingMessage.objects.filter(idempotency_key__startswith="offer-moved:").count() == 1


def test_answer_times_are_elapsed_hours_across_the_change_to_summer_time(
    second, leader, member, other_member, settings, monkeypatch
):
    settings.TIME_ZONE = "Europe/Paris"
    paris = ZoneInfo("Europe/Paris")
    # Saturday 27 March 2027, 10:00 in Paris; the clocks go forward that night (02:00 → 03:00).
    routed = datetime(2027, 3, 27, 10, 0, tzinfo=paris)
    monkeypatch.setattr(timezone, "now", lambda: routed)
    request = _in_order(second, leader, member, other_member, hours=24)
    offer = Offer.objects.get(request=request, member=member)
    assert offer.deadline_at == routed.astimezone(UTC) + timedelta(hours=24)  # 24 elapsed hours…
    assert timezone.localtime(offer.deadline_at, paris).hour == 11  # …so 11:00 on Sunday's clocks
    mail = OutgoingMessage.objects.get(idempotency_key=f"offer:{offer.pk}")
    assert "28 mars 2027 à 11 h 00" in mail.body
    # At 10:30 on Sunday (a wall-clock "24 hours later" has passed) the offer is still Claire's.
    monkeypatch.setattr(timezone, "now", lambda: datetime(2027, 3, 28, 10, 30, tzinfo=paris))
    assert expire_offers.call_local() == 0
    monkeypatch.setattr(timezone, "now", lambda: datetime(2027, 3, 28, 11, 1, tzinfo=paris))
    assert expire_offers.call_local() == 1
    assert _state(request, other_member) == OfferState.PENDING
