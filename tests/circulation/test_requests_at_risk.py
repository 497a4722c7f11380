"""The requester never waits without a named person longer than the hub's promise: the dashboard lists
the validated requests without a project lead whose time since approval, plus the offer deadlines
still to run, would pass it, with the member holding the offer now and the time left."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cercle.circle import services as circle
from cercle.circle.models import Offer
from cercle.circulation import services as circulation
from cercle.circulation.models import Event, Request
from cercle.circulation.selectors import requests_at_risk
from cercle.circulation.states import State
from tests.conftest import login
from tests.factories import MemberFactory, RequestFactory


@pytest.fixture(autouse=True)
def _promise(settings):  # type: ignore[no-untyped-def]
    settings.CERCLE = {**settings.CERCLE, "ANSWER_TARGET_HOURS": 48, "OFFER_ANSWER_HOURS": 24}


def _approved(second, leader, subject: str, hours_ago: float = 0) -> Request:  # type: ignore[no-untyped-def]
    request = RequestFactory(subject=subject)
    circulation.request_keep(actor=second, request=request)
    circulation.request_approve(actor=leader, request=request)
    if hours_ago:
        then = timezone.now() - timedelta(hours=hours_ago)
        Event.objects.filter(request=request, to_state=State.APPROVED).update(at=then)
        Request.objects.filter(pk=request.pk).update(state_changed_at=then)
    return Request.objects.get(pk=request.pk)


def _subjects() -> list[str]:
    return [a.request.subject for a in requests_at_risk()]


def test_one_offer_that_fits_in_the_promise_is_not_at_risk(second, leader, member):
    request = _approved(second, leader, "Tout juste validée")
    circle.request_route(actor=second, request=request, members=[member], brief="B", answer_hours=24)
    assert _subjects() == []


def test_an_order_whose_deadlines_add_up_past_the_promise_is_at_risk(second, leader, member, other_member):
    third = MemberFactory(username="ines", first_name="Inès", last_name="Moreau")
    request = _approved(second, leader, "Trois à la suite")
    circle.request_route(
        actor=second, request=request, members=[member, other_member, third], brief="B", mode="sequential"
    )
    [risk] = requests_at_risk()
    assert risk.request == request
    assert risk.holders == ["Claire Dubois"] and risk.waiting == 2
    assert timedelta(hours=23, minutes=59) < risk.offer_left <= timedelta(hours=24)  # type: ignore[operator]
    assert timedelta(hours=47, minutes=59) < risk.promise_left <= timedelta(hours=48)


def test_time_already_spent_since_approval_counts(second, leader, member):
    late = _approved(second, leader, "Validée il y a 40 heures", hours_ago=40)
    circle.request_route(actor=second, request=late, members=[member], brief="B", answer_hours=24)
    [risk] = requests_at_risk()
    assert risk.request == late and risk.holders == ["Claire Dubois"]
    assert timedelta(hours=7, minutes=59) < risk.promise_left <= timedelta(hours=8)
    assert not risk.promise_broken


def test_a_request_still_to_route_is_at_risk_once_an_offer_could_no_longer_fit(second, leader):
    _approved(second, leader, "Validée hier", hours_ago=30)
    _approved(second, leader, "Validée ce matin", hours_ago=2)
    [risk] = requests_at_risk()
    assert risk.request.subject == "Validée hier" and risk.holders == [] and risk.offer_left is None


def test_a_request_with_a_project_lead_is_not_at_risk(second, leader, member):
    request = _approved(second, leader, "Prise en charge", hours_ago=47)
    [offer] = circle.request_route(actor=second, request=request, members=[member], brief="B")
    _approved(second, leader, "Toujours sans personne", hours_ago=47)
    assert sorted(_subjects()) == ["Prise en charge", "Toujours sans personne"]
    circle.offer_accept(actor=member, offer=offer)
    assert _subjects() == ["Toujours sans personne"]


def test_a_broken_promise_comes_first(second, leader, member, other_member):
    soon = _approved(second, leader, "Bientôt", hours_ago=40)
    circle.request_route(actor=second, request=soon, members=[member], brief="B")
    broken = _approved(second, leader, "Trop tard", hours_ago=60)
    circle.request_route(actor=second, request=broken, members=[other_member], brief="B")
    risks = requests_at_risk()
    assert [r.request.subject for r in risks] == ["Trop tard", "Bientôt"]
    assert risks[0].promise_broken


def test_the_dashboard_shows_who_holds_each_request_at_risk(
    second, leader, member, other_member, django_assert_max_num_queries
):
    for i in range(3):
        request = _approved(second, leader, f"À risque {i}", hours_ago=40)
        circle.request_route(actor=second, request=request, members=[member, other_member], brief="B")
    page = login(second, language="en").get(reverse("circulation:dashboard")).content.decode()
    section = page[page.index('id="at-risk"') :]
    assert "At risk of waiting more than 48 h for a project lead" in section
    row = section[section.index("À risque 0") :]
    row = row[: row.index("</tr>")]
    assert "Claire Dubois, Karim Benali" in row and "left" in row
    french = login(second).get(reverse("circulation:dashboard")).content.decode()
    assert "Risque d'attendre plus de 48\u00a0h un chef de projet" in french.replace("&#x27;", "'")
    # A fixed number of queries, whatever the number of requests at risk.
    with django_assert_max_num_queries(4):
        assert len(requests_at_risk()) == 3


def test_the_dashboard_says_when_nobody_is_at_risk(second):
    page = login(second, language="en").get(reverse("circulation:dashboard")).content.decode()
    assert 'id="at-risk-none"' in page


def test_the_list_reads_the_offers_live_state(second, leader, member, other_member):
    request = _approved(second, leader, "Suite", hours_ago=40)
    circle.request_route(
        actor=second, request=request, members=[member, other_member], brief="B", mode="sequential"
    )
    circle.offer_decline(actor=member, offer=Offer.objects.get(request=request, member=member), reason="Non")
    [risk] = requests_at_risk()
    assert risk.holders == ["Karim Benali"] and risk.waiting == 0
