from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# (key, label): the key names a step whatever language its label was written in, so that setting the
# first meeting or naming the team ticks the matching step (services.checklist_tick).
STEP_MEETING = "meeting"
STEP_TEAM = "team"
DEFAULT_FIRST_STEPS = [
    ("call", _("Call the requester to understand the need")),
    (STEP_MEETING, _("Plan the first meeting")),
    (STEP_TEAM, _("Gather the first team")),
    ("proposal", _("Send a written proposal")),
]


class Project(models.Model):
    """The project space opened when a member becomes project lead."""

    request = models.OneToOneField("circulation.Request", on_delete=models.CASCADE, related_name="project")
    lead = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="led_projects")
    team = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="team_projects")
    first_meeting_at = models.DateTimeField(_("first meeting"), null=True, blank=True)
    # The invitation to the first meeting, once sent: one UID for the life of the project, and a
    # SEQUENCE raised each time it moves, so that calendars update the event instead of adding one.
    meeting_uid = models.CharField(max_length=200, blank=True, default="", editable=False)
    meeting_sequence = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")

    def __str__(self) -> str:
        return str(self.request)


class ChecklistItem(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="checklist")
    label = models.CharField(_("step"), max_length=200)
    key = models.CharField(max_length=20, blank=True, default="", editable=False)  # a default step's
    done_at = models.DateTimeField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "key"], condition=~models.Q(key=""), name="checklistitem_unique_key"
            )
        ]
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
