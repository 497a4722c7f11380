"""Who may do what. Views use `role_required`; services call `require_role` again (defence in depth)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from cercle.accounts.models import Role, User

F = TypeVar("F", bound=Callable[..., HttpResponse])

# The roles allowed for each kind of action. The leader may do the second's work
# (a leader without a second triages alone); the second never validates for the leader.
TRIAGE_ROLES = frozenset({Role.SECOND, Role.LEADER})
VALIDATE_ROLES = frozenset({Role.LEADER})
ROUTE_ROLES = frozenset({Role.SECOND, Role.LEADER})
OVERSEE_ROLES = frozenset({Role.SECOND, Role.LEADER, Role.ADMIN})
# Mailboxes hold the leader's mail: the second (and the leader) or an admin configure them.
MAILBOX_ROLES = frozenset({Role.SECOND, Role.LEADER, Role.ADMIN})


class NotAllowed(PermissionDenied):
    """The actor's role does not allow this action."""


def require_role(user: User | Any, roles: frozenset[str] | set[str]) -> None:
    if not getattr(user, "is_authenticated", False) or getattr(user, "role", None) not in roles:
        raise NotAllowed(_("Your role does not allow this action."))


def role_required(*roles: str) -> Callable[[F], F]:
    allowed = frozenset(roles)

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            require_role(request.user, allowed)
            return view(request, *args, **kwargs)

        return login_required(wrapper)  # type: ignore[return-value]

    return decorator
