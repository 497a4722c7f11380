"""Schemathesis against the API's own OpenAPI description, in process (the WSGI app), as a member, a
second and a leader: valid and invalid inputs generated for every operation; no server error, every
response as the description says (status, content type, body)."""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from cercle.accounts.models import Role
from cercle.api.api import api
from cercle.api.tokens import token_create
from cercle.circulation.states import State
from tests.factories import ContactFactory, MemberFactory, RequestFactory, UserFactory

schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1/"))
schema.app = get_wsgi_application()

ROLES = {"member": Role.MEMBER, "second": Role.SECOND, "leader": Role.LEADER}


@pytest.fixture(autouse=True)
def _connection_kept_open():
    """As Django's test client does: the WSGI handler must not close the test's connection (its
    transaction holds the data) at the end of each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(params=sorted(ROLES))
def token(request, db, settings) -> str:
    """A read-and-write token of one role, in a hub with a few requests in several states. The rate
    limit is lifted: it is tested on its own (test_api.py), here it would only stop the generator."""
    settings.CERCLE = {**settings.CERCLE, "API_RATE": "100000/m"}
    role = ROLES[request.param]
    user = MemberFactory() if role == Role.MEMBER else UserFactory(role=role)
    ContactFactory(in_network=True, offers="Bilan carbone")
    for state in (State.RECEIVED, State.KEPT, State.APPROVED):
        RequestFactory(state=state)
    RequestFactory(state=State.ACCEPTED, lead=user if role == Role.MEMBER else None)
    return token_create(user=user, name="schemathesis", scope="write").secret


@pytest.fixture
def statuses():
    """The answers of one operation for one role over all its generated cases: some must get past the
    token (not all 401), or the run would prove nothing."""
    seen: list[int] = []
    yield seen
    assert any(code != 401 for code in seen), seen


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=int(os.environ.get("CERCLE_SCHEMA_EXAMPLES", "12")),
    deadline=None,
    derandomize=not os.environ.get("CERCLE_SCHEMA_RANDOM"),
    suppress_health_check=list(HealthCheck),
)
def test_api_keeps_its_description(case, token, statuses) -> None:
    # The generated case carries the token's header, with a made-up value: the real token replaces it.
    # A negative case may leave the header out on purpose: then it goes without (and must get 401).
    headers = {"Accept-Language": "fr"}
    if case.headers and "Authorization" in case.headers:
        headers["Authorization"] = f"Bearer {token}"
    response = case.call_and_validate(headers=headers)
    if "Authorization" not in headers:
        assert response.status_code == 401
    statuses.append(response.status_code)
