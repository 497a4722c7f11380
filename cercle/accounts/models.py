from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    LEADER = "leader", _("Leader")
    SECOND = "second", _("Second")
    MEMBER = "member", _("Circle member")
    ADMIN = "admin", _("Administrator")


class User(AbstractUser):
    """A person who signs in. The role decides what they see and may do (see accounts/permissions.py)."""

    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    language = models.CharField(
        _("language"), max_length=8, choices=[("fr", _("French")), ("en", _("English"))], default="fr"
    )
    # The order the person last chose for the triage queue ("age", "score"; the triage owns the values),
    # so that it follows them from one session and one device to the next. Empty: the default order.
    triage_order = models.CharField(_("triage queue order"), max_length=16, blank=True, default="")
    # "Which problem am I the solution to, and for whom?" (seed 001): what the network should know of
    # the leader and of each member; "who can do X?" reads it.
    offer_statement = models.TextField(_("my offer"), blank=True, default="")

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username
