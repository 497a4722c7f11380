"""Who may do what: the one place that says it.

Views use `role_required`, services call `require_role` again (defence in depth), and templates ask
`{% if user|may:"triage" %}` (`accounts/templatetags/permissions.py`): all three read the role sets
below, so a page shows a button exactly to the people the view behind it lets in.
"""

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
# Offers are made to circle members, and only they answer them (accept, decline).
ANSWER_OFFER_ROLES = frozenset({Role.MEMBER})
# The network: the leader and the second see and tend everyone; a member sees the people of their
# own projects (network/selectors). Administrators configure the app, they do not read the network.
NETWORK_ROLES = frozenset({Role.SECOND, Role.LEADER, Role.MEMBER})
NETWORK_ALL_ROLES = frozenset({Role.SECOND, Role.LEADER})

# What templates may ask, by name. Each capability is one of the role sets above, the very set the
# views and services of that action check: one source of truth, no role string in a template.
CAPABILITIES: dict[str, frozenset[str]] = {
    "triage": TRIAGE_ROLES,  # the triage queue, its gestures, the brief, sender rules, LinkedIn import
    "validate": VALIDATE_ROLES,  # the validation queue: approve, defer, decline
    "route": ROUTE_ROLES,  # offer a request to the circle; act for a project lead; retry outgoing mail
    "oversee": OVERSEE_ROLES,  # the dashboard, the outbox, every request
    "mailboxes": MAILBOX_ROLES,  # the IMAP mailboxes
    "answer_offers": ANSWER_OFFER_ROLES,  # "My opportunities": accept or decline an offer
    "network": NETWORK_ROLES,  # the network: people, "who can do X?" (members: their own contacts)
    "network_all": NETWORK_ALL_ROLES,  # everyone in it; edit, import, merge, erase, the keep-in-touch plan
}
# Django's own admin site lets in active staff users (`AdminSite.has_permission`), whatever their role.
ADMIN_SITE = "admin_site"


class NotAllowed(PermissionDenied):
    """The actor's role does not allow this action."""


class UnknownCapability(Exception):
    """A capability name that `CAPABILITIES` does not know: a typo, which must fail loudly.

    Deliberately not a KeyError or an AttributeError: templates would swallow those as "false".
    """


def has_role(user: User | Any, roles: frozenset[str] | set[str]) -> bool:
    """Whether a signed-in user's role is one of `roles`: the one test under every check below."""
    return bool(getattr(user, "is_authenticated", False)) and getattr(user, "role", None) in roles


def may(user: User | Any, capability: str) -> bool:
    """May this user do `capability` (a key of `CAPABILITIES`, or `ADMIN_SITE`)?"""
    if capability == ADMIN_SITE:
        return bool(getattr(user, "is_active", False) and getattr(user, "is_staff", False))
    try:
        roles = CAPABILITIES[capability]
    except KeyError:
        raise UnknownCapability(capability) from None
    return has_role(user, roles)


def may_run_project(user: User | Any, *, lead_id: int | None) -> bool:
    """The project lead runs their project (kick-off, outcome, team); whoever may route acts for them."""
    if not getattr(user, "is_authenticated", False):
        return False
    return (lead_id is not None and user.pk == lead_id) or has_role(user, ROUTE_ROLES)


def require_role(user: User | Any, roles: frozenset[str] | set[str]) -> None:
    if not has_role(user, roles):
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
