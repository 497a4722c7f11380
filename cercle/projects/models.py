from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DEFAULT_FIRST_STEPS = [
    _("Call the requester to understand the need"),
    _("Plan the first meeting"),
    _("Gather the first team"),
    _("Send a written proposal"),
]


class Project(models.Model):
    """The project space opened when a member becomes project lead."""

    request = models.OneToOneField("circulation.Request", on_delete=models.CASCADE, related_name="project")
    lead = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="led_projects")
    team = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="team_projects")
    first_meeting_at = models.DateTimeField(_("first meeting"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")

    def __str__(self) -> str:
        return str(self.request)


class ChecklistItem(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="checklist")
    label = models.CharField(_("step"), max_length=200)
    done_at = models.DateTimeField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("first step")
        verbose_name_plural = _("first steps")

    def __str__(self) -> str:
        return self.label


class StatusUpdate(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("update"))
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("status update")
        verbose_name_plural = _("status updates")

    def __str__(self) -> str:
        return self.text[:50]
