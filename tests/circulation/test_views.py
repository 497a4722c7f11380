"""The screens: one gesture per decision, clear errors, constant query counts."""

from __future__ import annotations

import re

from django.urls import reverse
from django.utils.html import escape

from cercle.circle import services as circle
from cercle.circulation import services
from cercle.circulation.models import Request
from tests.conftest import login
from tests.factories import RequestFactory


def test_triage_queue_lists_what_waits_oldest_first(second):
    from datetime import timedelta

    from django.utils import timezone

    old = RequestFactory(received_at=timezone.now() - timedelta(days=2))
    new = RequestFactory()
    page = login(second, language="en").get(reverse("triage:queue")).content.decode()
    assert page.index(escape(old.subject)) < page.index(escape(new.subject))
    # The two-day-old one is past the 24 h limit, the new one is not.
    assert page.count('<span class="badge late">late</span>') == 1


def test_keep_with_htmx_returns_the_refreshed_queue(second, incoming):
    other = RequestFactory()
    response = login(second).post(
        reverse("triage:keep", args=[incoming.pk]),
        {"expected_state": "received"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="q-{incoming.pk}"' not in body
    assert f'id="q-{other.pk}"' in body
    assert Request.objects.get(pk=incoming.pk).state == "kept"


def test_dismiss_with_a_reason_in_one_post(second, incoming):
    login(second).post(reverse("triage:dismiss", args=[incoming.pk]), {"reason": "spam"})
    incoming.refresh_from_db()
    assert (incoming.state, incoming.dismiss_reason) == ("dismissed", "spam")


def test_a_double_click_reports_a_conflict_and_changes_nothing_more(second, incoming):
    client = login(second, language="en")
    url = reverse("triage:keep", args=[incoming.pk])
    client.post(url, {"expected_state": "received"})
    response = client.post(url, {"expected_state": "received"}, follow=True)
    assert (
        escape("Someone acted on this request before you: it is now “Kept”. Nothing was changed.")
        in response.content.decode()
    )
    assert incoming.events.filter(kind="transition").count() == 1


def test_leader_approves_from_the_card_with_htmx(second, leader, incoming):
    services.request_keep(actor=second, request=incoming)
    response = login(leader, language="fr").post(
        reverse("circulation:approve", args=[incoming.pk]),
        {"expected_state": "kept", "note": "Allons-y"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    incoming.refresh_from_db()
    assert incoming.state == "approved"
    assert incoming.decision_note == "Allons-y"
    # The queue's count follows the decision: nothing is left to validate.
    html = response.content.decode()
    assert 'id="validation-count"' in html and 'hx-swap-oob="true"' in html
    assert re.search(r"\b0 demande retenue par le second\b", html), html


def test_approving_twice_answers_409_with_the_reason(second, leader, incoming):
    services.request_keep(actor=second, request=incoming)
    client = login(leader)
    url = reverse("circulation:approve", args=[incoming.pk])
    client.post(url, {"expected_state": "kept"}, HTTP_HX_REQUEST="true")
    response = client.post(url, {"expected_state": "kept"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    assert 'role="alert"' in response.content.decode()


def test_routing_form_shows_members_with_skills_and_load(second, leader, member, other_member, incoming):
    services.request_keep(actor=second, request=incoming)
    services.request_approve(actor=leader, request=incoming)
    page = login(second).get(reverse("circle:route", args=[incoming.pk])).content.decode()
    assert "Claire Dubois" in page and "Karim Benali" in page
    assert "facilitation" in page  # a skill from the profile


def test_routing_without_members_keeps_the_brief_and_explains(second, leader, incoming):
    services.request_keep(actor=second, request=incoming)
    services.request_approve(actor=leader, request=incoming)
    response = login(second).post(
        reverse("circle:route", args=[incoming.pk]),
        {"brief": "Mon brief soigné", "expected_state": "approved"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Mon brief soigné" in body
    incoming.refresh_from_db()
    assert incoming.state == "approved"


def test_member_accepts_from_the_opportunities_page(second, leader, member, incoming):
    services.request_keep(actor=second, request=incoming)
    services.request_approve(actor=leader, request=incoming)
    [offer] = circle.request_route(actor=second, request=incoming, members=[member], brief="B")
    response = login(member).post(reverse("circle:accept", args=[offer.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:detail", args=[incoming.pk])


def _query_count(django_assert_max_num_queries, client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_list_pages_do_not_issue_more_queries_with_more_rows(
    second, leader, member, django_assert_max_num_queries
):
    def fill(n):
        for _ in range(n):
            r = RequestFactory()
            k = RequestFactory()
            services.request_keep(actor=second, request=k)
            a = RequestFactory()
            services.request_keep(actor=second, request=a)
            services.request_approve(actor=leader, request=a)
            circle.request_route(actor=second, request=a, members=[member], brief="b")
            del r

    pages = [
        (second, reverse("triage:queue")),
        (leader, reverse("circulation:validation")),
        (second, reverse("circle:routing")),
        (member, reverse("circle:opportunities")),
        (leader, reverse("circulation:dashboard")),
        (second, reverse("outbox:list")),
    ]
    fill(2)
    small = [_query_count(django_assert_max_num_queries, login(u), url) for u, url in pages]
    fill(10)
    large = [_query_count(django_assert_max_num_queries, login(u), url) for u, url in pages]
    assert small == large


def test_a_preview_opened_outside_the_queue_is_the_full_request_page(second, incoming):
    client = login(second)
    response = client.get(reverse("triage:preview", args=[incoming.pk]))
    assert response.status_code == 302 and response.url == reverse("circulation:detail", args=[incoming.pk])
    partial = client.get(reverse("triage:preview", args=[incoming.pk]), HTTP_HX_REQUEST="true")
    assert partial.status_code == 200 and b"<html" not in partial.content


def test_the_queues_are_never_served_from_the_browser_s_cache(second, leader):
    for user, name in ((second, "triage:queue"), (leader, "circulation:validation")):
        response = login(user).get(reverse(name))
        assert "no-store" in response["Cache-Control"]


def test_routing_a_request_that_cannot_be_routed_says_so_instead_of_showing_the_form(second, incoming):
    response = login(second, language="en").get(reverse("circle:route", args=[incoming.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("circulation:detail", args=[incoming.pk])
    assert "it cannot be offered to the circle now" in response.content.decode()


def test_the_requester_s_name_leads_to_their_page_for_whoever_may_open_it(
    second, leader, member, other_member, incoming
):
    person = reverse("people:detail", args=[incoming.requester_id])
    page = reverse("circulation:detail", args=[incoming.pk])
    services.request_keep(actor=second, request=incoming)
    services.request_approve(actor=leader, request=incoming)
    [offer, _other] = circle.request_route(
        actor=second, request=incoming, members=[member, other_member], brief="B"
    )
    for who in (second, leader):
        assert f'href="{person}"' in login(who).get(page).content.decode()
    # Only offered: the request opens, the person's page would not, so no link to it.
    offered = login(member)
    assert offered.get(page).status_code == 200
    assert f'href="{person}"' not in offered.get(page).content.decode()
    assert offered.get(person).status_code == 404
    circle.offer_accept(actor=member, offer=offer)
    assert f'href="{person}"' in offered.get(page).content.decode()
    assert offered.get(person).status_code == 200
