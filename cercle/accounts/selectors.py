from __future__ import annotations

from django.db.models import QuerySet

from cercle.accounts.models import Role, User


def hub_leader() -> User | None:
    """The node of the network. A hub has one leader; the oldest account wins if there are several."""
    return User.objects.filter(role=Role.LEADER, is_active=True).order_by("id").first()


def users_with_role(role: str) -> QuerySet[User]:
    return User.objects.filter(role=role, is_active=True).order_by("first_name", "last_name", "username")
