"""What the screens refuse, the API refuses: each operation, for each role, against the capability the
screens check (accounts/permissions.py) — the same rule, read from the same place."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from cercle.accounts.models import Role
from cercle.accounts.permissions import may
from cercle.api.tokens import token_create
from cercle.circulation.states import State
from tests.factories import MemberFactory, RequestFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = [Role.LEADER, Role.SECOND, Role.MEMBER, Role.ADMIN]

# (method, path with {id}, body, the request's state before, the capability the screen checks)
OPERATIONS = [
    ("post", "/api/v1/requests/{id}/keep", {}, State.RECEIVED, "triage"),
    ("post", "/api/v1/requests/{id}/dismiss", {"reason": "newsletter"}, State.RECEIVED, "triage"),
    ("post", "/api/v1/requests/{id}/approve", {}, State.KEPT, "validate"),
    ("post", "/api/v1/requests/{id}/decline", {}, State.KEPT, "validate"),
    ("post", "/api/v1/requests/{id}/later", {}, State.KEPT, "validate"),
    ("post", "/api/v1/requests/{id}/route", {"members": ["{member}"], "brief": "b"}, State.APPROVED, "route"),
    (
        "post",
        "/api/v1/requests/",
        {"name": "A", "email": "a@b.example", "need": "Un besoin."},
        None,
        "triage",
    ),
    ("get", "/api/v1/dashboard/", None, None, "oversee"),
    ("get", "/api/v1/contacts/", None, None, "network"),
    ("get", "/api/v1/introductions/", None, None, "network"),
]


def _user(role: str):
    return MemberFactory() if role == Role.MEMBER else UserFactory(role=role, is_staff=role == Role.ADMIN)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path", "payload", "state", "capability"), OPERATIONS)
def test_the_api_refuses_what_the_screens_refuse(role, method, path, payload, state, capability) -> None:
    user = _user(role)
    colleague = MemberFactory()
    request = RequestFactory(state=state or State.RECEIVED)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token_create(user=user, name='t', scope='write').secret}")
    url = path.format(id=request.pk)
    data = json.loads(json.dumps(payload).replace('"{member}"', str(colleague.pk))) if payload else None
    if method == "post":
        response = api.post(url, data or {}, content_type="application/json")
    else:
        response = api.get(url)
    body = json.loads(response.content)
    allowed = may(user, capability)
    if allowed:
        assert response.status_code in (200, 201), (role, url, body)
    else:
        # Refused: forbidden, or (a request they may not see) not found; never done.
        assert response.status_code in (403, 404), (role, url, body)
        request.refresh_from_db()
        assert request.state == (state or State.RECEIVED)


@pytest.mark.parametrize("role", ROLES)
def test_a_request_the_role_may_not_see_does_not_exist_for_it(role) -> None:
    user = _user(role)
    request = RequestFactory()
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token_create(user=user, name='t', scope='read').secret}")
    status = api.get(f"/api/v1/requests/{request.pk}").status_code
    assert status == (200 if may(user, "oversee") else 404)
