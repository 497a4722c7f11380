"""Closing a project asks first when steps are open or the first meeting is to come; a closed project can
be reopened by its lead or the leader, audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cercle.accounts.permissions import NotAllowed
from cercle.circulation import services as circulation
from cercle.circulation.errors import CirculationError
from cercle.circulation.models import Event, Request
from cercle.circulation.states import State
from cercle.projects import services
from tests.conftest import login


def state(project) -> str:
    return Request.objects.get(pk=project.request_id).state


def test_closing_with_open_steps_asks_first(project, member):
    assert project.checklist.filter(done_at__isnull=True).exists()  # the first steps a project opens with
    with pytest.raises(services.CloseNeedsConfirmation) as asked:
        services.project_close(actor=member, project=project, outcome="won")
    assert "still open" in asked.value.message
    assert state(project) == State.ACCEPTED
    services.project_close(actor=member, project=project, outcome="won", confirmed=True)
    assert state(project) == State.CLOSED


def test_a_first_meeting_to_come_is_a_reason_to_ask(project, member):
    project.checklist.update(done_at=timezone.now())
    services.project_set_meeting(actor=member, project=project, when=timezone.now() + timedelta(days=3))
    project.refresh_from_db()
    warnings = services.project_close_warnings(project=project)
    assert len(warnings) == 1 and "still to come" in warnings[0]


def test_nothing_pending_closes_at_once(project, member):
    project.checklist.update(done_at=timezone.now())
    services.project_close(actor=member, project=project, outcome="lost")
    assert state(project) == State.CLOSED


def test_the_page_asks_for_the_confirmation_and_the_view_enforces_it(project, member):
    client = login(member, "en")
    page = client.get(reverse("projects:detail", args=[project.request_id])).content.decode()
    assert "Close it all the same" in page and 'name="confirm"' in page
    url = reverse("projects:close", args=[project.request_id])
    refused = client.post(url, {"outcome": "won", "expected_state": "accepted"}, follow=True)
    assert "Not closed:" in refused.content.decode() and state(project) == State.ACCEPTED
    client.post(url, {"outcome": "won", "expected_state": "accepted", "confirm": "1"})
    assert state(project) == State.CLOSED


def test_the_lead_or_the_leader_reopens_a_closed_project(project, member, leader):
    services.project_close(actor=member, project=project, outcome="no_go", confirmed=True)
    response = login(member, "en").post(
        reverse("projects:reopen", args=[project.request_id]), {"expected_state": "closed"}
    )
    assert response.status_code == 302
    request = Request.objects.get(pk=project.request_id)
    assert (request.state, request.outcome, request.closed_at) == (State.KICKED_OFF, "", None)
    event = Event.objects.filter(request=request).order_by("-id").first()
    assert (event.from_state, event.to_state, event.actor) == (State.CLOSED, State.KICKED_OFF, member)
    project.request.refresh_from_db()
    services.project_close(actor=member, project=project, outcome="won", confirmed=True)
    circulation.request_reopen(actor=leader, request=Request.objects.get(pk=project.request_id))
    assert state(project) == State.KICKED_OFF


def test_nobody_else_reopens_it(project, member, second, other_member):
    services.project_close(actor=member, project=project, outcome="won", confirmed=True)
    for actor in (second, other_member):
        with pytest.raises((CirculationError, NotAllowed)):
            circulation.request_reopen(actor=actor, request=Request.objects.get(pk=project.request_id))
    assert state(project) == State.CLOSED
    page = login(second, "en").get(reverse("projects:detail", args=[project.request_id])).content.decode()
    assert "Reopen the project" not in page
