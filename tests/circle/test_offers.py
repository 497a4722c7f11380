"""Routing to the circle and the hand-off: one member becomes project lead, the others are released."""

from __future__ import annotations

import threading
from email.utils import getaddresses

import pytest
from django.db import connection
from django.db.transaction import atomic as django_transaction_atomic

from cercle.accounts.permissions import NotAllowed
from cercle.circle import services
from cercle.circle.models import Offer, OfferState
from cercle.circulation import services as circulation
from cercle.circulation.errors import CirculationError, IllegalTransition, TransitionConflict
from cercle.circulation.models import Request
from cercle.circulation.states import State
from cercle.outbox.models import OutgoingMessage
from tests.factories import MemberFactory, RequestFactory, UserFactory


@pytest.fixture
def approved(second, leader, incoming):
    circulation.request_keep(actor=second, request=incoming)
    circulation.request_approve(actor=leader, request=incoming)
    return incoming


def test_routing_offers_the_request_to_each_chosen_member(second, approved, member, other_member):
    offers = services.request_route(
        actor=second, request=approved, members=[member, other_member], brief="Brief"
    )
    approved.refresh_from_db()
    assert approved.state == State.OFFERED
    assert {o.member for o in offers} == {member, other_member}
    assert all(o.state == OfferState.PENDING and o.brief == "Brief" for o in offers)


def test_members_are_told_of_a_new_opportunity(second, approved, member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.request_route(actor=second, request=approved, members=[member], brief="Brief")
    mail = OutgoingMessage.objects.get(idempotency_key__startswith="offer:")
    assert mail.to == ["Claire Dubois <claire@hub.example>"]
    assert "/opportunities/" in mail.body


def test_only_circle_members_can_receive_an_offer(second, approved, leader):
    with pytest.raises(IllegalTransition):
        services.request_route(actor=second, request=approved, members=[leader], brief="x")
    with pytest.raises(IllegalTransition):
        services.request_route(actor=second, request=approved, members=[], brief="x")


def test_a_member_cannot_route(member, approved, other_member):
    with pytest.raises(NotAllowed):
        services.request_route(actor=member, request=approved, members=[other_member], brief="x")


def test_more_members_can_be_added_to_an_open_offer(second, approved, member, other_member):
    services.request_route(actor=second, request=approved, members=[member], brief="Brief")
    approved.refresh_from_db()
    services.request_route(actor=second, request=approved, members=[member, other_member], brief="Brief")
    assert Offer.objects.filter(request=approved).count() == 2


def test_accepting_makes_the_member_project_lead_and_withdraws_the_others(
    second, leader, approved, member, other_member, django_capture_on_commit_callbacks
):
    offers = services.request_route(actor=second, request=approved, members=[member, other_member], brief="B")
    mine = next(o for o in offers if o.member == member)
    with django_capture_on_commit_callbacks(execute=True):
        services.offer_accept(actor=member, offer=mine)
    approved.refresh_from_db()
    assert approved.state == State.ACCEPTED
    assert approved.lead == member
    assert approved.lead_delay_s is not None
    assert Offer.objects.get(request=approved, member=other_member).state == OfferState.WITHDRAWN
    assert approved.project.lead == member
    assert approved.project.checklist.count() >= 3
    intro = OutgoingMessage.objects.get(idempotency_key=f"intro:{approved.pk}")
    # Parsed back, so a display name that needs quoting ("Mr. Aaron Phillips") compares as what it is.
    assert getaddresses(intro.to) == [(approved.requester.name, approved.requester.email)]
    assert "Léa Marchand <lea@hub.example>" in intro.cc  # the leader stays informed
    assert "Claire Dubois <claire@hub.example>" in intro.cc
    assert intro.reply_to == ["Claire Dubois <claire@hub.example>"]
    assert "Claire Dubois" in intro.subject


def test_a_member_cannot_accept_an_offer_made_to_someone_else(second, approved, member, other_member):
    [offer] = services.request_route(actor=second, request=approved, members=[member], brief="B")
    with pytest.raises(NotAllowed):
        services.offer_accept(actor=other_member, offer=offer)
    with pytest.raises(NotAllowed):
        services.offer_get_for_member(user=other_member, offer_id=offer.pk)


def test_the_second_acceptance_is_told_it_is_too_late(second, approved, member, other_member):
    offers = services.request_route(actor=second, request=approved, members=[member, other_member], brief="B")
    services.offer_accept(actor=member, offer=offers[0] if offers[0].member == member else offers[1])
    theirs = Offer.objects.get(request=approved, member=other_member)
    with pytest.raises(TransitionConflict):
        services.offer_accept(actor=other_member, offer=theirs)


def test_declining_needs_a_reason_and_the_last_decline_sends_it_back_to_routing(
    second, approved, member, other_member
):
    offers = {
        o.member: o
        for o in services.request_route(
            actor=second, request=approved, members=[member, other_member], brief="B"
        )
    }
    with pytest.raises(IllegalTransition):
        services.offer_decline(actor=member, offer=offers[member], reason="  ")
    services.offer_decline(actor=member, offer=offers[member], reason="Pas dispo")
    assert Request.objects.get(pk=approved.pk).state == State.OFFERED
    services.offer_decline(actor=other_member, offer=offers[other_member], reason="Hors compétences")
    assert Request.objects.get(pk=approved.pk).state == State.APPROVED


@pytest.mark.django_db(transaction=True)
def test_two_members_accepting_at_the_same_moment_one_becomes_lead():
    second = UserFactory(username="sec", role="second")
    leader = UserFactory(username="lead", role="leader")
    a, b = MemberFactory(username="ma"), MemberFactory(username="mb")
    request = RequestFactory()
    circulation.request_keep(actor=second, request=request)
    circulation.request_approve(actor=leader, request=request)
    services.request_route(actor=second, request=request, members=[a, b], brief="B")
    barrier = threading.Barrier(2)
    results: list[str] = []

    def accept(user):
        try:
            offer = Offer.objects.select_related("request").get(request=request, member=user)
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
    assert Offer.objects.filter(request=request, state=OfferState.ACCEPTED).count() == 1
    assert request.lead_id == Offer.objects.get(request=request, state=OfferState.ACCEPTED).member_id


def test_the_offer_mail_is_written_in_the_transaction_that_offers(second, approved, member):
    # No after-commit step: once the offer exists, so does its mail (a crash cannot keep one without the other).
    with django_transaction_atomic():
        offers = services.request_route(actor=second, request=approved, members=[member], brief="Brief")
        assert OutgoingMessage.objects.filter(idempotency_key=f"offer:{offers[0].pk}").exists()


def test_an_offer_rolled_back_leaves_no_mail_behind(second, approved, member):
    class Crash(Exception):
        pass

    with pytest.raises(Crash), django_transaction_atomic():
        services.request_route(actor=second, request=approved, members=[member], brief="Brief")
        raise Crash
    assert not Offer.objects.exists()
    assert not OutgoingMessage.objects.filter(idempotency_key__startswith="offer:").exists()


def test_offering_more_on_a_page_that_went_stale_adds_nobody(second, approved, member, other_member):
    services.request_route(actor=second, request=approved, members=[member], brief="Brief")
    seen = Request.objects.get(pk=approved.pk)  # the routing page, loaded while the offer was open
    services.offer_accept(actor=member, offer=Offer.objects.get(member=member))
    with pytest.raises(CirculationError):
        services.request_route(
            actor=second, request=seen, members=[other_member], brief="Brief", expected_state=State.OFFERED
        )
    assert not Offer.objects.filter(member=other_member).exists()
    assert not any(other_member.email in " ".join(m.to) for m in OutgoingMessage.objects.all())


@pytest.mark.django_db(transaction=True)
def test_offering_more_while_a_member_accepts_never_leaves_a_live_offer_behind():
    second = UserFactory(username="sec", role="second")
    leader = UserFactory(username="lead", role="leader")
    accepting, late = MemberFactory(username="ma"), MemberFactory(username="mb")
    for _ in range(5):  # the race is a matter of timing: try it a few times, on both databases in CI
        request = RequestFactory()
        circulation.request_keep(actor=second, request=request)
        circulation.request_approve(actor=leader, request=request)
        services.request_route(actor=second, request=request, members=[accepting], brief="B")
        seen = Request.objects.get(pk=request.pk)
        offer = Offer.objects.select_related("request").get(request=request, member=accepting)
        barrier = threading.Barrier(2)

        def accept(offer=offer, barrier=barrier):
            try:
                barrier.wait(timeout=5)
                services.offer_accept(actor=accepting, offer=offer)
            finally:
                connection.close()

        def offer_more(seen=seen, barrier=barrier):
            try:
                barrier.wait(timeout=5)
                services.request_route(
                    actor=second, request=seen, members=[late], brief="B", expected_state=State.OFFERED
                )
            except CirculationError:
                pass
            finally:
                connection.close()

        threads = [threading.Thread(target=accept), threading.Thread(target=offer_more)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=20)
        request.refresh_from_db()
        assert request.state == State.ACCEPTED and request.lead_id == accepting.pk
        assert not Offer.objects.filter(request=request, state=OfferState.PENDING).exists()
