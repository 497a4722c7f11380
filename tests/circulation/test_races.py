"""Two people acting at once on the same request: exactly one wins, the other is told."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from cercle.circulation import services
from cercle.circulation.errors import CirculationError
from cercle.circulation.models import Event, EventKind, Request
from cercle.circulation.states import State
from tests.factories import RequestFactory, UserFactory


@pytest.mark.django_db(transaction=True)
def test_two_seconds_keeping_and_dismissing_at_once_one_wins():
    first = UserFactory(username="s1", role="second")
    other = UserFactory(username="s2", role="second")
    request_id = RequestFactory().pk
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def act(user, action):
        try:
            req = Request.objects.get(pk=request_id)
            barrier.wait(timeout=5)
            action(user, req)
            outcomes.append("won")
        except CirculationError as exc:
            outcomes.append("conflict:" + exc.message)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=act, args=(first, lambda u, r: services.request_keep(actor=u, request=r))),
        threading.Thread(
            target=act, args=(other, lambda u, r: services.request_dismiss(actor=u, request=r, reason="spam"))
        ),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)

    assert sorted(o.split(":")[0] for o in outcomes) == ["conflict", "won"]
    final = Request.objects.get(pk=request_id)
    assert final.state in (State.KEPT, State.DISMISSED)
    # Exactly one transition was audited, and it matches the final state.
    events = list(Event.objects.filter(request_id=request_id, kind=EventKind.TRANSITION))
    assert len(events) == 1
    assert events[0].to_state == final.state
