"""What a circle member may open: what is offered to them now, what they lead, the projects they are in."""

from __future__ import annotations

from django.urls import reverse

from cercle.circle import services
from cercle.circulation import services as circulation
from tests.conftest import login


def test_once_a_colleague_leads_the_others_lose_the_request_and_the_lead_keeps_it(
    second, leader, incoming, member, other_member
):
    circulation.request_keep(actor=second, request=incoming)
    circulation.request_approve(actor=leader, request=incoming)
    offers = {o.member: o for o in services.request_route(
        actor=second, request=incoming, members=[member, other_member], brief="Brief"
    )}  # fmt: skip
    page = reverse("circulation:detail", args=[incoming.pk])
    project = reverse("projects:detail", args=[incoming.pk])
    assert login(member).get(page).status_code == 200  # offered: she reads it to decide
    assert login(other_member).get(page).status_code == 200

    services.offer_accept(actor=other_member, offer=offers[other_member])

    assert login(other_member).get(project).status_code == 200
    # Her offer was withdrawn: the request and her colleague's project are no longer hers to read.
    assert login(member).get(page).status_code == 404
    assert login(member).get(project).status_code == 404
    # In the team, she sees the project again.
    from cercle.projects import services as projects
    from cercle.projects.models import Project

    projects.project_add_member(
        actor=other_member, project=Project.objects.get(request=incoming), member=member
    )
    assert login(member).get(project).status_code == 200


def test_a_declined_offer_no_longer_opens_the_request(second, leader, incoming, member):
    circulation.request_keep(actor=second, request=incoming)
    circulation.request_approve(actor=leader, request=incoming)
    (offer,) = services.request_route(actor=second, request=incoming, members=[member], brief="Brief")
    services.offer_decline(actor=member, offer=offer, reason="Pas le temps ce trimestre")
    assert login(member).get(reverse("circulation:detail", args=[incoming.pk])).status_code == 404
