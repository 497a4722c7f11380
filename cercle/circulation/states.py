"""The request's life, as data: states, outcomes, and which transitions exist.

received → kept | dismissed (second) → approved | declined | deferred (leader) → offered (second) →
accepted (a member becomes project lead) → kicked off → closed (won | lost | no-go).
The services in `circulation/services.py` and `circle/services.py` are the only code that moves a
request along these edges; each edge is checked here.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    RECEIVED = "received", _("Received")
    KEPT = "kept", _("Kept")
    DISMISSED = "dismissed", _("Dismissed")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")
    DEFERRED = "deferred", _("Later")
    OFFERED = "offered", _("Offered")
    ACCEPTED = "accepted", _("Project lead named")
    KICKED_OFF = "kicked_off", _("Kicked off")
    CLOSED = "closed", _("Closed")


class Outcome(models.TextChoices):
    WON = "won", _("Won")
    LOST = "lost", _("Lost")
    NO_GO = "no_go", _("No-go")


class DismissReason(models.TextChoices):
    SOLICITATION = "solicitation", _("Solicitation")
    NEWSLETTER = "newsletter", _("Newsletter")
    NOTIFICATION = "notification", _("Notification")
    SPAM = "spam", _("Spam")
    NOT_RELEVANT = "not_relevant", _("Not relevant")


# Every legal edge of the machine. A transition not listed here is refused.
TRANSITIONS: dict[str, frozenset[str]] = {
    State.RECEIVED: frozenset({State.KEPT, State.DISMISSED}),
    State.DISMISSED: frozenset({State.RECEIVED}),  # the second changes their mind
    State.KEPT: frozenset({State.APPROVED, State.DECLINED, State.DEFERRED}),
    State.DEFERRED: frozenset({State.APPROVED, State.DECLINED}),
    State.APPROVED: frozenset({State.OFFERED}),
    State.OFFERED: frozenset({State.ACCEPTED, State.APPROVED}),  # back to routing when all decline
    State.ACCEPTED: frozenset({State.KICKED_OFF, State.CLOSED}),
    State.KICKED_OFF: frozenset({State.CLOSED}),
    State.DECLINED: frozenset(),
    State.CLOSED: frozenset({State.KICKED_OFF}),  # reopened by the lead or the leader
}

# Stages where someone is expected to act, so the clock matters.
OPEN_STATES = (
    State.RECEIVED,
    State.KEPT,
    State.DEFERRED,
    State.APPROVED,
    State.OFFERED,
    State.ACCEPTED,
    State.KICKED_OFF,
)

# Who is expected to act at each stage (shown on the dashboard).
STAGE_OWNER = {
    State.RECEIVED: _("second"),
    State.KEPT: _("leader"),
    State.DEFERRED: _("leader"),
    State.APPROVED: _("second"),
    State.OFFERED: _("circle"),
    State.ACCEPTED: _("project lead"),
    State.KICKED_OFF: _("project lead"),
}


def can_transition(from_state: str, to_state: str) -> bool:
    return to_state in TRANSITIONS.get(from_state, frozenset())
