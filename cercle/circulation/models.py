from __future__ import annotations

import zlib
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cercle.circulation.states import DismissReason, Outcome, State
from cercle.core.notes import Note


class Channel(models.TextChoices):
    MAIL = "mail", _("E-mail")
    FORM = "form", _("Request form")
    LINKEDIN = "linkedin", _("LinkedIn")
    MANUAL = "manual", _("Manual entry")


class Request(models.Model):
    """One incoming request and where it is in the circulation."""

    subject = models.CharField(_("subject"), max_length=300)
    summary = models.TextField(_("what they need"), blank=True)
    requester = models.ForeignKey(
        "network.Contact", verbose_name=_("requester"), on_delete=models.PROTECT, related_name="requests"
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.MAIL)
    language = models.CharField(
        _("language"), max_length=8, choices=[("fr", _("French")), ("en", _("English"))], default="fr"
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)

    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.RECEIVED)
    state_changed_at = models.DateTimeField(_("in this state since"), default=timezone.now)
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)

    dismiss_reason = models.CharField(
        _("dismiss reason"), max_length=16, choices=DismissReason.choices, blank=True
    )
    decision_note = models.TextField(_("leader's note"), blank=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("project lead"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_requests",
    )
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices, blank=True)
    outcome_value = models.DecimalField(_("value"), max_digits=12, decimal_places=2, null=True, blank=True)

    # Milestones, denormalised so the dashboard reads indexes, not the event log.
    kept_at = models.DateTimeField(_("kept at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("requester answered at"), null=True, blank=True)
    answer_delay_s = models.PositiveIntegerField(null=True, blank=True)
    lead_at = models.DateTimeField(_("project lead named at"), null=True, blank=True)
    lead_delay_s = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        indexes = [
            models.Index(fields=["state", "received_at"], name="request_state_received"),
            models.Index(fields=["state", "state_changed_at"], name="request_state_changed"),
            models.Index(fields=["kept_at"], name="request_kept_at"),
            # A reply without known ids finds its request by the same person within a recent window.
            models.Index(fields=["requester", "received_at"], name="request_requester_received"),
            # "Projects I lead", latest first.
            models.Index(fields=["lead", "-lead_at"], name="request_lead_at"),
            # The dashboard's median time to a project lead, over a recent window.
            models.Index(
                fields=["received_at", "lead_delay_s"],
                condition=models.Q(lead_delay_s__isnull=False),
                name="request_lead_delay_recent",
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def waiting_since(self) -> timedelta:
        return timezone.now() - self.state_changed_at

    @property
    def stage_limit(self) -> timedelta | None:
        hours = settings.CERCLE["STAGE_LIMITS_HOURS"].get(self.state)
        return timedelta(hours=hours) if hours else None

    @property
    def is_overdue(self) -> bool:
        limit = self.stage_limit
        return limit is not None and self.waiting_since > limit


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    TRANSITION = "transition", _("State change")
    OFFER = "offer", _("Offer")
    MESSAGE = "message", _("Message")
    MAIL = "mail", _("Mail queued")
    NOTE = "note", _("Note")


class Event(models.Model):
    """The audit trail: every state change and every notable action on a request."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices, default=EventKind.TRANSITION)
    from_state = models.CharField(_("from"), max_length=16, choices=State.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=16, choices=State.choices, blank=True)
    # As written (in the writer's language). For a note the system wrote, `note_source` keeps its
    # English source and arguments (circulation/notes.py) so that each reader gets it in their language.
    note = models.TextField(_("note"), blank=True)
    note_source = models.JSONField(null=True, blank=True, editable=False)
    # The mail this event queued: its line in the history says whether it left (read from the outbox
    # when shown, so the event stays the audit of the decision and the outbox the truth of delivery).
    # No index: an outgoing message is deleted by hand, rarely.
    outgoing = models.ForeignKey(
        "outbox.OutgoingMessage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        editable=False,
    )

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["request", "at"], name="event_request_at")]

    def __str__(self) -> str:
        return f"{self.request_id} {self.from_state}→{self.to_state}"

    @property
    def note_text(self) -> str:
        """The note in the reader's language (a person's own words stay as they wrote them)."""
        if self.note_source:
            try:
                return Note.from_json(self.note_source).render()
            except Exception:  # an old or damaged source: the note as written is still right
                return self.note
        return self.note


class Direction(models.TextChoices):
    INBOUND = "in", _("Received")
    OUTBOUND = "out", _("Sent")


class MessageKind(models.TextChoices):
    """Decided from the headers at import (mail/kinds.py)."""

    NORMAL = "normal", _("Written by a person")
    AUTO_REPLY = "auto_reply", _("Automatic reply")
    BOUNCE = "bounce", _("Delivery failure")
    BULK = "bulk", _("Bulk mail or mailing list")


class Message(models.Model):
    """One message of a request's thread, received or sent, deduplicated by Message-ID (written by intake).

    Most belong to a request's thread; automatic replies, bounces and sent mail that answer no known
    request are kept without one (nothing is lost, and a later message may still thread on them).
    """

    # No index of its own: `message_request_sent` (request, sent_at) serves it, one index less per insert.
    request = models.ForeignKey(
        "circulation.Request",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="messages",
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=12, choices=MessageKind.choices, default=MessageKind.NORMAL)
    kind_reason = models.CharField(_("why this kind"), max_length=200, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=500, unique=True)
    in_reply_to = models.CharField(max_length=500, blank=True)
    references = models.TextField(blank=True)
    direction = models.CharField(max_length=3, choices=Direction.choices, default=Direction.INBOUND)
    from_name = models.CharField(_("sender name"), max_length=200, blank=True)
    from_email = models.CharField(_("sender address"), max_length=254, blank=True)
    to = models.TextField(_("to"), blank=True)
    cc = models.TextField(_("cc"), blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    sent_at = models.DateTimeField(_("date"), default=timezone.now)
    text = models.TextField(_("text"), blank=True)
    html = models.TextField(_("sanitised HTML"), blank=True)
    truncated = models.BooleanField(default=False)
    # One entry per file: name, type, size, sha256, stored (bool), reason, inline, role… (see mail/attachments.py)
    attachments = models.JSONField(default=list, blank=True)
    raw_compressed = models.BinaryField(null=True, blank=True, editable=False)
    # A different message that arrived with a Message-ID already stored (a sender reusing or squatting
    # one): kept apart under a derived Message-ID, and linked to the first message that had it.
    same_id_as = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "intake_message"  # stored by intake since the start; the model moved here with the thread
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["sent_at", "id"]
        indexes = [
            models.Index(fields=["request", "sent_at"], name="message_request_sent"),
            # Replies stored before their parent, found again when the parent arrives (few rows).
            models.Index(
                fields=["in_reply_to"], condition=models.Q(request__isnull=True), name="message_orphan_reply"
            ),
        ]

    def __str__(self) -> str:
        return self.subject or self.message_id

    @property
    def raw(self) -> bytes | None:
        return zlib.decompress(bytes(self.raw_compressed)) if self.raw_compressed else None
