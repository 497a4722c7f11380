"""The request's full page offers the next decision to whoever takes it, and only to them."""

from __future__ import annotations

from django.urls import reverse

from cercle.circulation import services
from cercle.circulation.models import Request
from cercle.circulation.states import State
from tests.conftest import login


def test_the_second_keeps_or_dismisses_from_the_full_page(second, incoming):
    page = (
        login(second, language="en").get(reverse("circulation:detail", args=[incoming.pk])).content.decode()
    )
    assert reverse("triage:keep", args=[incoming.pk]) in page
    assert reverse("triage:dismiss", args=[incoming.pk]) in page
    response = login(second).post(
        reverse("triage:dismiss", args=[incoming.pk]), {"expected_state": "received", "reason": "spam"}
    )
    assert response.status_code == 302
    incoming.refresh_from_db()
    assert incoming.state == State.DISMISSED


def test_the_next_step_is_offered_at_each_stage_to_its_owner(second, leader, member, incoming):
    url = reverse("circulation:detail", args=[incoming.pk])
    services.request_keep(actor=second, request=incoming)
    assert reverse("circulation:validation") in login(leader).get(url).content.decode()
    assert reverse("triage:keep", args=[incoming.pk]) not in login(second).get(url).content.decode()
    services.request_approve(actor=leader, request=Request.objects.get(pk=incoming.pk))
    assert reverse("circle:route", args=[incoming.pk]) in login(second).get(url).content.decode()


def test_a_member_is_never_offered_the_second_s_decisions(second, leader, member, incoming):
    from cercle.circle import services as circle

    services.request_keep(actor=second, request=incoming)
    services.request_approve(actor=leader, request=Request.objects.get(pk=incoming.pk))
    circle.request_route(
        actor=second, request=Request.objects.get(pk=incoming.pk), members=[member], brief="b"
    )
    page = login(member).get(reverse("circulation:detail", args=[incoming.pk])).content.decode()
    assert "triage:keep" not in page and reverse("triage:keep", args=[incoming.pk]) not in page
    assert reverse("circle:route", args=[incoming.pk]) not in page
