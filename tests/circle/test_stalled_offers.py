"""A request offered to members who do not answer is not stuck: the routing page lists it, and the
second offers it to more members from there or from the request page."""

from __future__ import annotations

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from cercle.circle import services as circle
from cercle.circulation import services as circulation
from cercle.circulation.models import Request
from tests.conftest import login
from tests.factories import RequestFactory


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
