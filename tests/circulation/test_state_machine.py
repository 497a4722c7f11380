"""The request lifecycle: legal edges move and are audited, illegal ones are refused."""

from __future__ import annotations

import pytest
from django.utils import translation

from cercle.accounts.permissions import NotAllowed
from cercle.circulation import services
from cercle.circulation.errors import IllegalTransition, TransitionConflict
from cercle.circulation.models import Event, EventKind, Request
from cercle.circulation.states import TRANSITIONS, State, can_transition


def test_every_state_has_an_entry_in_the_transition_table():
    assert set(TRANSITIONS) == set(State.values)


def test_declined_is_terminal_and_a_closed_project_can_only_be_reopened():
    assert not TRANSITIONS[State.DECLINED]
    assert TRANSITIONS[State.CLOSED] == {State.KICKED_OFF}


def test_keep_moves_the_request_and_records_who_did_it(second, incoming):
    services.request_keep(actor=second, request=incoming, note="Sérieux")
    incoming.refresh_from_db()
    assert incoming.state == State.KEPT
    assert incoming.kept_at is not None
    event = Event.objects.get(request=incoming, kind=EventKind.TRANSITION)
    assert (event.actor, event.from_state, event.to_state, event.note) == (
        second,
        "received",
        "kept",
        "Sérieux",
    )


def test_dismiss_needs_a_known_reason(second, incoming):
    with pytest.raises(IllegalTransition):
        services.request_dismiss(actor=second, request=incoming, reason="boring")
    incoming.refresh_from_db()
    assert incoming.state == State.RECEIVED
    services.request_dismiss(actor=second, request=incoming, reason="newsletter")
    incoming.refresh_from_db()
    assert (incoming.state, incoming.dismiss_reason) == (State.DISMISSED, "newsletter")


def test_a_dismissed_request_can_be_brought_back_to_triage(second, incoming):
    services.request_dismiss(actor=second, request=incoming, reason="spam")
    services.request_restore(actor=second, request=incoming)
    incoming.refresh_from_db()
    assert incoming.state == State.RECEIVED
    assert incoming.dismiss_reason == ""


def test_the_leader_cannot_approve_what_the_second_has_not_kept(leader, incoming):
    with translation.override("en"), pytest.raises(IllegalTransition) as exc:
        services.request_approve(actor=leader, request=incoming)
    assert exc.value.message == "This request is “Received”: it cannot become “Approved”."
    incoming.refresh_from_db()
    assert incoming.state == State.RECEIVED
    assert not Event.objects.filter(request=incoming, kind=EventKind.TRANSITION).exists()


def test_the_second_cannot_validate_for_the_leader(second, incoming):
    services.request_keep(actor=second, request=incoming)
    with pytest.raises(NotAllowed):
        services.request_approve(actor=second, request=incoming)
    incoming.refresh_from_db()
    assert incoming.state == State.KEPT


def test_a_member_cannot_triage(member, incoming):
    with pytest.raises(NotAllowed):
        services.request_keep(actor=member, request=incoming)


def test_deferred_requests_come_back_to_the_leader(second, leader, incoming):
    services.request_keep(actor=second, request=incoming)
    services.request_defer(actor=leader, request=incoming, note="Après l'été")
    assert incoming.state == State.DEFERRED
    services.request_decline(actor=leader, request=incoming)
    incoming.refresh_from_db()
    assert incoming.state == State.DECLINED
    assert incoming.decision_note == ""


def test_a_stale_page_gets_a_conflict_not_a_silent_overwrite(second, leader, incoming):
    seen_by_leader = Request.objects.get(pk=incoming.pk)  # loaded before the second acts
    services.request_keep(actor=second, request=incoming)
    services.request_approve(actor=leader, request=Request.objects.get(pk=incoming.pk))
    # This copy still says "received": the conditional update refuses it instead of going back.
    with pytest.raises(TransitionConflict):
        services.request_dismiss(actor=second, request=seen_by_leader, reason="spam")
    assert Request.objects.get(pk=incoming.pk).state == State.APPROVED


def test_expected_state_from_the_form_catches_a_double_click(second, incoming):
    services.request_keep(actor=second, request=incoming, expected_state="received")
    again = Request.objects.get(pk=incoming.pk)
    with translation.override("fr"), pytest.raises(TransitionConflict) as exc:
        services.request_keep(actor=second, request=again, expected_state="received")
    assert exc.value.message == (
        "Quelqu'un a agi sur cette demande avant vous\u00a0: elle est désormais «\u00a0Retenue\u00a0». "
        "Rien n'a été modifié."
    )
    assert Event.objects.filter(request=incoming, kind=EventKind.TRANSITION).count() == 1


@pytest.mark.parametrize(
    ("start", "target", "allowed"),
    [
        ("received", "kept", True),
        ("received", "approved", False),
        ("kept", "offered", False),
        ("approved", "offered", True),
        ("offered", "accepted", True),
        ("accepted", "closed", True),
        ("closed", "received", False),
        ("declined", "approved", False),
    ],
)
def test_transition_table(start, target, allowed):
    assert can_transition(start, target) is allowed
