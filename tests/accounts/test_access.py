"""Who sees what: every page checks the role; a member sees only what was offered to them."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from cercle.circle import services as circle
from cercle.circulation import services
from tests.conftest import login

STAFF_PAGES = ["triage:queue", "circle:routing", "circulation:dashboard", "outbox:list"]


@pytest.mark.parametrize("name", [*STAFF_PAGES, "circulation:validation", "circle:opportunities"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_public_form_is_the_only_page_open_to_outsiders(client, db):
    assert client.get(reverse("intake:ask")).status_code == 200
    assert client.get(reverse("accounts:login")).status_code == 200


@pytest.mark.parametrize("name", [*STAFF_PAGES, "circulation:validation"])
def test_a_member_cannot_open_the_staff_pages(member, name):
    assert login(member).get(reverse(name)).status_code == 403


def test_the_second_cannot_open_the_validation_queue(second):
    assert login(second).get(reverse("circulation:validation")).status_code == 403


def test_the_leader_opens_every_staff_page(leader):
    client = login(leader)
    for name in [*STAFF_PAGES, "circulation:validation"]:
        assert client.get(reverse(name)).status_code == 200, name


def test_a_member_cannot_post_a_decision(member, incoming):
    response = login(member).post(reverse("triage:keep", args=[incoming.pk]))
    assert response.status_code == 403
    incoming.refresh_from_db()
    assert incoming.state == "received"


def test_decisions_are_posts_only(second, incoming):
    assert login(second).get(reverse("triage:keep", args=[incoming.pk])).status_code == 405


def test_a_member_sees_only_requests_offered_to_them(second, leader, member, other_member, incoming):
    from tests.factories import RequestFactory

    not_offered = RequestFactory()
    services.request_keep(actor=second, request=incoming)
    services.request_approve(actor=leader, request=incoming)
    circle.request_route(actor=second, request=incoming, members=[member], brief="Pour toi")

    mine = login(member)
    assert mine.get(reverse("circulation:detail", args=[incoming.pk])).status_code == 200
    assert mine.get(reverse("circulation:detail", args=[not_offered.pk])).status_code == 404
    page = mine.get(reverse("circle:opportunities")).content.decode()
    assert escape(incoming.subject) in page
    assert escape(not_offered.subject) not in page

    theirs = login(other_member)
    assert theirs.get(reverse("circulation:detail", args=[incoming.pk])).status_code == 404
    assert escape(incoming.subject) not in theirs.get(reverse("circle:opportunities")).content.decode()


def test_a_member_cannot_accept_someone_elses_offer_through_the_url(
    second, leader, member, other_member, incoming
):
    services.request_keep(actor=second, request=incoming)
    services.request_approve(actor=leader, request=incoming)
    [offer] = circle.request_route(actor=second, request=incoming, members=[member], brief="x")
    response = login(other_member).post(reverse("circle:accept", args=[offer.pk]))
    assert response.status_code == 403
    incoming.refresh_from_db()
    assert incoming.lead is None


def test_the_project_page_is_for_the_lead_the_team_and_the_staff(
    second, leader, member, other_member, incoming
):
    services.request_keep(actor=second, request=incoming)
    services.request_approve(actor=leader, request=incoming)
    [offer] = circle.request_route(actor=second, request=incoming, members=[member], brief="x")
    circle.offer_accept(actor=member, offer=offer)
    url = reverse("projects:detail", args=[incoming.pk])
    assert login(member).get(url).status_code == 200
    assert login(leader).get(url).status_code == 200
    assert login(other_member).get(url).status_code == 404
    response = login(other_member).post(reverse("projects:update", args=[incoming.pk]), {"text": "Hello"})
    assert response.status_code == 404
    assert not incoming.project.updates.exists()


def test_csrf_is_enforced_on_decisions(second, incoming):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(second)
    response = client.post(reverse("triage:keep", args=[incoming.pk]))
    assert response.status_code == 403
    incoming.refresh_from_db()
    assert incoming.state == "received"


def test_password_reset_mail_goes_through_the_outbox(client, second, django_capture_on_commit_callbacks):
    from django.core import mail

    from cercle.outbox.models import OutgoingMessage

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": "samuel@hub.example"})
    assert response.status_code == 302
    outgoing = OutgoingMessage.objects.get(to=["samuel@hub.example"])
    assert "/accounts/reset/" in outgoing.body
    assert len(mail.outbox) == 1


def test_password_reset_mail_is_in_the_account_s_language_not_the_asker_s(client, second):
    from cercle.outbox.models import OutgoingMessage

    second.language = "en"
    second.save(update_fields=["language"])
    client.post(
        reverse("accounts:password_reset"), {"email": "samuel@hub.example"}, HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert OutgoingMessage.objects.get(to=["samuel@hub.example"]).subject == "Your Cercle password"
