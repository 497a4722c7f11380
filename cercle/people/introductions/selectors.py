"""What the profile and the list show of introductions and favours, and who sees them."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from cercle.accounts.models import User
from cercle.accounts.permissions import may
from cercle.network.models import Contact
from cercle.people.models import Favour, FavourDirection, Introduction, IntroductionState


def introductions_visible_to(user: User) -> QuerySet[Introduction]:
    """The leader and the second: all; a member: the introductions made for them; anyone else: none."""
    found = Introduction.objects.select_related("target", "connector", "beneficiary", "requested_by")
    if may(user, "network_all"):
        return found
    if may(user, "network"):
        return found.filter(beneficiary=user)
    return found.none()


def introductions_of(*, user: User, contact: Contact) -> list[Introduction]:
    """The introductions this person is part of (through them or to them), each with its steps."""
    return list(
        introductions_visible_to(user)
        .filter(Q(target=contact) | Q(connector=contact))
        .prefetch_related("events__outgoing")
    )


def favour_get_for_user(*, user: User, pk: int) -> Favour:
    if not may(user, "network_all"):
        raise Http404
    favour = Favour.objects.select_related("contact").filter(pk=pk).first()
    if favour is None:
        raise Http404
    return favour


@dataclass(frozen=True)
class Ledger:
    """Reciprocity with one person, as counts: what the hub asked them, what it gave, what it received."""

    asked: int
    given: int
    received: int
    introductions_by_them: int
    introductions_for_them: int

    @property
    def hub_owes(self) -> bool:
        return self.asked + self.received > self.given

    @property
    def empty(self) -> bool:
        return not (self.asked or self.given or self.received)


def ledger_of(contact: Contact) -> Ledger:
    favours = Favour.objects.filter(contact=contact)
    received = favours.filter(direction=FavourDirection.RECEIVED)
    given = favours.filter(direction=FavourDirection.GIVEN)
    return Ledger(
        asked=Introduction.objects.filter(connector=contact).count(),
        given=given.count(),
        received=received.count(),
        introductions_by_them=received.filter(is_introduction=True).count(),
        introductions_for_them=given.filter(is_introduction=True).count(),
    )


def thanks_due(contact: Contact | None = None) -> QuerySet[Favour]:
    """Help received and not thanked yet, oldest first."""
    due = Favour.objects.filter(direction=FavourDirection.RECEIVED, thanked_at__isnull=True).select_related(
        "contact"
    )
    if contact is not None:
        due = due.filter(contact=contact)
    return due.order_by("at", "pk")


def panel(*, user: User, contact: Contact) -> dict[str, object]:
    """The profile's introductions section."""
    full = may(user, "network_all")
    return {
        "introductions": introductions_of(user=user, contact=contact),
        "ledger": ledger_of(contact) if full else None,
        "thanks_due": list(thanks_due(contact)) if full else [],
        "may_run": full,
        "waiting_states": (IntroductionState.ASKING_CONNECTOR, IntroductionState.ASKING_TARGET),
    }
