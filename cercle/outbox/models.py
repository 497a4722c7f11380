from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cercle.core import crypto
from cercle.core.notes import note_shown


class OutgoingStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutgoingMessage(models.Model):
    """A message waiting to leave, or that left. Delivery is claimed with a conditional update,
    so a retry, a second worker or a double click never sends it twice."""

    idempotency_key = models.CharField(max_length=200, unique=True)
    request = models.ForeignKey(
        "circulation.Request", null=True, blank=True, on_delete=models.SET_NULL, related_name="outgoing"
    )
    message_id = models.CharField(_("Message-ID"), max_length=500, unique=True)
    from_email = models.CharField(_("from"), max_length=300)
    to = models.JSONField(_("to"), default=list)
    cc = models.JSONField(_("cc"), default=list, blank=True)
    reply_to = models.JSONField(_("reply to"), default=list, blank=True)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"))
    headers = models.JSONField(default=dict, blank=True)
    # Files sent with the message, as [{"filename", "content_type", "content" (base64)}]: JSON rather
    # than files on disk so that the message and what it carries are written in one transaction. A
    # text/calendar one (an invitation) is also the body's alternative: see services.outbox_deliver.
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=OutgoingStatus.choices, default=OutgoingStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    last_error_note = models.JSONField(null=True, blank=True, editable=False)  # `last_error`, untranslated
    # Delivery was interrupted mid-send: the message may or may not have left. Sending it again needs a
    # person to confirm (it could arrive twice), and the request's page says it is uncertain.
    uncertain = models.BooleanField(_("may or may not have left"), default=False)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.to)}"

    @property
    def last_error_text(self) -> str:
        return note_shown(self.last_error, self.last_error_note)


class MailTemplate(models.Model):
    """An editable e-mail template (Django template syntax) per purpose and language."""

    key = models.CharField(_("purpose"), max_length=50)
    language = models.CharField(
        _("language"), max_length=8, choices=[("fr", _("French")), ("en", _("English"))]
    )
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"))

    class Meta:
        verbose_name = _("mail template")
        verbose_name_plural = _("mail templates")
        constraints = [models.UniqueConstraint(fields=["key", "language"], name="mailtemplate_key_language")]
        ordering = ["key", "language"]

    def __str__(self) -> str:
        return f"{self.key} ({self.language})"


class HubIdentity(models.Model):
    """How the hub's mail presents itself: who it comes from, where answers go, and the leader's signature.

    One row (pk 1), set on the settings page by the second or the leader; until someone saves it, or for a
    field left empty, the environment's defaults apply (`DEFAULT_FROM_EMAIL`, `CERCLE_REPLY_TO`). It lives
    here, under every app that sends mail, so that the outbox never has to ask a higher layer.
    """

    from_name = models.CharField(
        _("Sender name"),
        max_length=200,
        blank=True,
        default="",
        help_text=_("The name requesters see in their inbox, e.g. “Léa Marchand – Cercle”."),
    )
    from_email = models.EmailField(
        _("Sender address"),
        blank=True,
        default="",
        help_text=_("The address mail leaves from: one your mail server is allowed to send for."),
    )
    reply_to = models.EmailField(
        _("Answers go to"),
        blank=True,
        default="",
        help_text=_(
            "Where requesters' answers to the hub's mail go (best: a mailbox Cercle reads, so that they "
            "join their request). Empty: the leader's address."
        ),
    )
    signature = models.TextField(
        _("The leader's signature"),
        blank=True,
        default="",
        max_length=1000,
        help_text=_(
            "Ends the acknowledgement and the introduction sent in the leader's name: name, title, "
            "telephone… Empty: the leader's name."
        ),
    )
    updated_at = models.DateTimeField(_("changed at"), null=True, blank=True, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = _("hub identity in mail")
        verbose_name_plural = _("hub identity in mail")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls) -> HubIdentity:
        """The saved identity, or an unsaved empty one (the environment's defaults) when nobody set it."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)


# --- Webhooks (outbox/webhooks.py; docs/webhooks.md) -------------------------------------------------


class WebhookEvent(models.TextChoices):
    """What a webhook may be told of: a fixed list, documented in docs/webhooks.md."""

    REQUEST_RECEIVED = "request.received", _("Request received")
    REQUEST_KEPT = "request.kept", _("Request kept")
    REQUEST_DISMISSED = "request.dismissed", _("Request dismissed")
    REQUEST_RESTORED = "request.restored", _("Request restored to the triage")
    REQUEST_APPROVED = "request.approved", _("Request approved")
    REQUEST_DECLINED = "request.declined", _("Request declined")
    REQUEST_DEFERRED = "request.deferred", _("Request deferred")
    REQUEST_OFFERED = "request.offered", _("Request routed to members")
    REQUEST_RETURNED = "request.returned", _("Request back to routing (every member declined)")
    REQUEST_ACCEPTED = "request.accepted", _("Request accepted by a project lead")
    REQUEST_KICKED_OFF = "request.kicked_off", _("Project kicked off")
    PROJECT_CLOSED = "project.closed", _("Project closed")
    PROJECT_REOPENED = "project.reopened", _("Project reopened")
    CONTACT_MERGED = "contact.merged", _("Contact merged")


class WebhookEndpoint(models.Model):
    """A URL an administrator registered to be told of some events. Its signing secret is encrypted at rest
    (core/crypto.py) and shown once, when it is made."""

    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(pgettext_lazy("webhook", "description"), max_length=200, blank=True)
    events = models.JSONField(_("events"), default=list)
    secret_encrypted = models.TextField(editable=False)
    active = models.BooleanField(pgettext_lazy("webhook", "active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("webhook", "created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["url"]

    def __str__(self) -> str:
        return self.url

    @property
    def secret(self) -> str:
        return crypto.decrypt(self.secret_encrypted)

    @secret.setter
    def secret(self, value: str) -> None:
        self.secret_encrypted = crypto.encrypt(value)

    def clean(self) -> None:
        from cercle.outbox.webhooks import WebhookRefused, webhook_url_check

        unknown = sorted(set(self.events or []) - set(WebhookEvent.values))
        if unknown:
            raise ValidationError(
                {"events": _("Unknown events: %(events)s") % {"events": ", ".join(unknown)}}
            )
        try:
            webhook_url_check(self.url, resolve_errors=True)
        except WebhookRefused as exc:
            raise ValidationError({"url": str(exc)}) from exc


class WebhookStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed (refused, not retried)")
    GAVE_UP = "gave_up", _("Gave up after retries")


class WebhookDelivery(models.Model):
    """One event for one endpoint: written in the transaction that decided it, delivered after commit by
    the worker, claimed with a conditional update (QUEUED → SENDING) like outgoing mail. `log` keeps every
    attempt: [{"at", "status_code", "error", "ms"}]."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, verbose_name=_("webhook"), on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(_("event"), max_length=40, choices=WebhookEvent.choices)
    payload = models.JSONField(_("payload"), default=dict)
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    status = models.CharField(
        _("status"), max_length=16, choices=WebhookStatus.choices, default=WebhookStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last response code"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    log = models.JSONField(_("attempts log"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_due")]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id}"
