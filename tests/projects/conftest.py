"""A project: an incoming request kept, approved, offered to Claire (`member`), who accepted it."""

from __future__ import annotations

import pytest

from cercle.circle import services as circle
from cercle.circulation import services as circulation


@pytest.fixture
def project(second, leader, member, incoming):
    circulation.request_keep(actor=second, request=incoming)
    circulation.request_approve(actor=leader, request=incoming)
    [offer] = circle.request_route(actor=second, request=incoming, members=[member], brief="B")
    circle.offer_accept(actor=member, offer=offer)
    incoming.refresh_from_db()
    return incoming.project
