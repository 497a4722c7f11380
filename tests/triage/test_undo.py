"""The last decision in the triage queue (keep or dismiss) can be undone for a few seconds, with the
confirmation's Undo button or the key `u`: the request comes back exactly as it was, audited; the server
decides whether it is too late, and whose decision it is."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from cercle.accounts.permissions import NotAllowed
from cercle.circulation import services as circulation
from cercle.circulation.models import Event, EventKind, Request
from cercle.triage import services
from tests.conftest import login
from tests.factories import ContactFactory, RequestFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
FIELDS = ("state", "state_changed_at", "dismiss_reason", "kept_at", "received_at")


def snapshot(req: Request) -> dict[str, object]:
    return {name: getattr(Request.objects.get(pk=req.pk), name) for name in FIELDS}


def waiting_since(days: int) -> Request:
    """A request that arrived `days` ago through the ordinary service (its creation event included)."""
    return circulation.request_create(
        requester=ContactFactory(),
        subject="Réorganiser notre direction commerciale",
        received_at=timezone.now() - timedelta(days=days),
    )


def undo_event_id(html: str) -> int:
    """The decision the confirmation's Undo button undoes."""
    match = re.search(r'<form id="undo-form"[^>]*>.*?name="event" value="(\d+)"', html, re.S)
    assert match, "no Undo button in the confirmation"
    return int(match.group(1))


def dismiss(client, req: Request, reason: str = "solicitation") -> str:  # type: ignore[no-untyped-def]
    response = client.post(
        reverse("triage:dismiss", args=[req.pk]), {"reason": reason, "expected_state": "received"}, **HTMX
    )
    assert response.status_code == 200
    return response.content.decode()


def undo(client, event_id: int) -> str:  # type: ignore[no-untyped-def]
    response = client.post(reverse("triage:undo"), {"event": event_id}, **HTMX)
    assert response.status_code == 200
    return response.content.decode()


def test_a_dismissal_undone_puts_the_request_back_exactly_as_it_was(second):
    req = waiting_since(days=3)
    other = RequestFactory()
    before = snapshot(req)
    client = login(second, language="en")

    body = dismiss(client, req)
    assert Request.objects.get(pk=req.pk).state == "dismissed"
    assert f'id="q-{req.pk}"' not in body
    assert escape(f"Dismissed: “{req.subject}”.") in body  # the confirmation carries the button

    body = undo(client, undo_event_id(body))
    assert snapshot(req) == before  # same state, same clock (still three days late), no reason
    assert escape(f"Undone: “{req.subject}” is back in the triage queue.") in body
    # Back in the queue, in its place (the oldest first), and selected.
    assert body.index(f'id="q-{req.pk}"') < body.index(f'id="q-{other.pk}"')
    assert re.search(rf'id="q-{req.pk}"[^>]*class="selected"', body, re.S)
    assert '<span class="badge late">late</span>' in body
    # Audited: the undo is an event of its own, by the second, after the dismissal.
    last = Event.objects.filter(request=req, kind=EventKind.TRANSITION).order_by("-id").first()
    assert last is not None
    assert (last.from_state, last.to_state, last.actor) == ("dismissed", "received", second)
    assert "undone" in last.note_text


def test_a_keep_undone_leaves_no_trace_of_the_keep_on_the_request(second):
    req = waiting_since(days=0)
    before = snapshot(req)
    client = login(second, language="en")
    response = client.post(reverse("triage:keep", args=[req.pk]), {"expected_state": "received"}, **HTMX)
    kept = Request.objects.get(pk=req.pk)
    assert (kept.state, kept.kept_at is not None) == ("kept", True)

    undo(client, undo_event_id(response.content.decode()))
    assert snapshot(req) == before  # "kept at" cleared: the dashboard does not count a keep
    assert list(
        Event.objects.filter(request=req, kind=EventKind.TRANSITION).values_list("from_state", "to_state")
    ) == [("received", "kept"), ("kept", "received")]


def test_the_clock_is_the_one_of_its_last_return_to_the_queue(second):
    """A request restored from "dismissed" earlier waits since its restoration, not since it arrived."""
    req = waiting_since(days=5)
    circulation.request_dismiss(actor=second, request=req, reason="spam")
    circulation.request_restore(actor=second, request=req)
    before = snapshot(req)
    assert before["state_changed_at"] != before["received_at"]
    client = login(second)
    undo(client, undo_event_id(dismiss(client, req)))
    assert snapshot(req) == before


def test_undoing_twice_keeps_the_clock_it_had(second):
    """A dismissal undone, then a keep undone: still waiting since it arrived, still late (the first
    undo's event is not its entry into the queue)."""
    req = waiting_since(days=2)
    before = snapshot(req)
    client = login(second)
    undo(client, undo_event_id(dismiss(client, req)))
    response = client.post(reverse("triage:keep", args=[req.pk]), {"expected_state": "received"}, **HTMX)
    undo(client, undo_event_id(response.content.decode()))
    assert snapshot(req) == before
    assert Request.objects.get(pk=req.pk).is_overdue


def test_too_late_the_decision_stands(second, settings):
    settings.CERCLE = {**settings.CERCLE, "TRIAGE_UNDO_SECONDS": 10}
    req = waiting_since(days=1)
    client = login(second, language="en")
    event_id = undo_event_id(dismiss(client, req))
    assert 'data-undo-seconds="10"' in dismiss(client, RequestFactory())  # the page knows the window
    Event.objects.filter(pk=event_id).update(at=timezone.now() - timedelta(seconds=11))  # 11 s later

    body = undo(client, event_id)
    assert "Too late to undo: a decision can be undone for 10 seconds only." in body
    assert Request.objects.get(pk=req.pk).state == "dismissed"
    assert not Event.objects.filter(request=req, to_state="received", kind=EventKind.TRANSITION).exists()


def test_only_the_person_who_decided_can_undo(second, leader):
    req = waiting_since(days=1)
    event_id = undo_event_id(dismiss(login(second), req))
    body = undo(login(leader, language="en"), event_id)
    assert "Too late to undo" in body
    assert Request.objects.get(pk=req.pk).state == "dismissed"


def test_once_the_leader_acted_on_a_kept_request_it_is_not_taken_back(second, leader):
    req = waiting_since(days=1)
    client = login(second, language="en")
    response = client.post(reverse("triage:keep", args=[req.pk]), {"expected_state": "received"}, **HTMX)
    event_id = undo_event_id(response.content.decode())
    circulation.request_decline(actor=leader, request=Request.objects.get(pk=req.pk))

    body = undo(client, event_id)
    assert escape(f"“{req.subject}” changed since your decision: nothing was undone.") in body
    assert Request.objects.get(pk=req.pk).state == "declined"


def test_a_decision_is_undone_once(second):
    req = waiting_since(days=1)
    client = login(second, language="en")
    event_id = undo_event_id(dismiss(client, req))
    undo(client, event_id)
    circulation.request_dismiss(actor=second, request=Request.objects.get(pk=req.pk), reason="spam")
    body = undo(client, event_id)  # the old button again: the new dismissal is not its decision
    assert "nothing was undone" in body
    assert Request.objects.get(pk=req.pk).state == "dismissed"


def test_the_confirmation_and_its_button_speak_french_and_english(second):
    req, other = waiting_since(days=1), RequestFactory()
    french = dismiss(login(second, language="fr"), req)
    assert escape(f"Écartée\u00a0: «\u00a0{req.subject}\u00a0».") in french
    assert re.search(r"<button[^>]*>Annuler <kbd>u</kbd></button>", french)
    english = dismiss(login(second, language="en"), other)
    assert re.search(r"<button[^>]*>Undo <kbd>u</kbd></button>", english)
    page = login(second, language="fr").get(reverse("triage:queue")).content.decode()
    assert "<kbd>u</kbd> annuler la dernière décision" in page  # the key is in the legend


def test_the_service_checks_the_role_too(second, member):
    req = waiting_since(days=1)
    event_id = undo_event_id(dismiss(login(second), req))
    with pytest.raises(NotAllowed):
        services.decision_undo(actor=member, event_id=event_id)
    assert login(member).post(reverse("triage:undo"), {"event": event_id}).status_code == 403
    assert Request.objects.get(pk=req.pk).state == "dismissed"
