from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PrivacyActionKind(models.TextChoices):
    EXPORT = "export", _("Export of everything about a person")
    ERASE = "erase", _("Erasure of a person")


class PrivacyAction(models.Model):
    """Who exported or erased a person, and when: the audit of privacy gestures.

    It holds no personal data on purpose (an erasure that left the name behind would not be one):
    the person's record number, which points to nothing once they are erased, and counts.
    """

    action = models.CharField(_("action"), max_length=8, choices=PrivacyActionKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    # A plain number, not a foreign key: the row outlives the contact it names.
    person_id = models.PositiveBigIntegerField(_("record number"))
    counts = models.JSONField(_("counts"), default=dict)

    class Meta:
        verbose_name = _("privacy action")
        verbose_name_plural = _("privacy actions")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} #{self.person_id} {self.at:%Y-%m-%d %H:%M}"
