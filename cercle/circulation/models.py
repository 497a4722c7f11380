from __future__ import annotations

from datetime import time, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cercle.circulation.states import DismissReason, Outcome, State
from cercle.core.memo import request_memo
from cercle.core.notes import Note
from cercle.mail.source import source_decompress


class Channel(models.TextChoices):
    MAIL = "mail", _("E-mail")
    FORM = "form", _("Request form")
    LINKEDIN = "linkedin", _("LinkedIn")
    MANUAL = "manual", _("Manual entry")


class LeadKind(models.TextChoices):
    """What a request could bring the hub: set on the request page, guessed from its words when not said
    (circulation/leads.py). The network's debrief counts leads by kind."""

    CLIENT = "client", _("Client")
    SUPPLIER = "supplier", _("Supplier")
    JOB = "job", _("Job")
    PARTNERSHIP = "partnership", _("Partnership")
    OTHER = "other", _("Other")


class Request(models.Model):
    """One incoming request and where it is in the circulation."""

    subject = models.CharField(_("subject"), max_length=300)
    summary = models.TextField(_("what they need"), blank=True)
    requester = models.ForeignKey(
        "network.Contact",
        verbose_name=_("requester"),
        on_delete=models.PROTECT,
        related_name="requests",
        db_index=False,  # request_requester_thread starts with it
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
        db_index=False,  # request_lead_at starts with it
    )
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices, blank=True)
    outcome_value = models.DecimalField(_("value"), max_digits=12, decimal_places=2, null=True, blank=True)
    # Blank: nobody said (the debrief then uses the guess from the request's words, circulation/leads.py).
    lead_kind = models.CharField(
        _("kind of lead"), max_length=12, choices=LeadKind.choices, blank=True, default=""
    )

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
            # A reply without known ids finds its request by the same person within a recent window, and
            # the same subject: the index holds the subject and state too, so the database compares the
            # subjects of a busy correspondent's window without reading each request's row.
            models.Index(
                fields=["requester", "received_at", "subject", "state"], name="request_requester_thread"
            ),
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
        hours = stage_limits_hours().get(self.state)
        return timedelta(hours=hours) if hours else None

    @property
    def is_overdue(self) -> bool:
        limit = self.stage_limit
        return limit is not None and self.waiting_since > limit

    @property
    def summary_after_subject(self) -> str:
        """The summary as a card shows it under the subject. When the subject was taken from the text itself
        (a LinkedIn message has no subject of its own: its first sentence stands for one), the card goes on
        from where the subject ends instead of saying those words twice."""
        subject = self.subject.removesuffix("…").rstrip()
        if self.summary == subject:
            return ""
        # A subject of a few words that only opens like the text ("Bonjour", "Devis") is not its words.
        at = self.summary.find(subject) if len(subject.split()) >= 4 else -1
        if at == -1 or at > 80:  # past the greeting at most
            return self.summary
        start = at + len(subject)
        if start < len(self.summary) and self.summary[start].isalnum():  # cut inside a word: said whole
            start = self.summary.rfind(" ", 0, start) + 1
        rest = self.summary[start:].lstrip(" .,;:!?")
        return f"…{rest}" if rest else ""


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    TRANSITION = "transition", _("State change")
    OFFER = "offer", _("Offer")
    MESSAGE = "message", _("Message")
    MAIL = "mail", _("Mail queued")
    NOTE = "note", _("Note")


class Event(models.Model):
    """The audit trail: every state change and every notable action on a request."""

    # event_request_at starts with it: no index of its own.
    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="events", db_index=False)
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
        return source_decompress(self.raw_compressed) if self.raw_compressed else None


# --- Clocks, escalation and the leader's digest (circulation/clocks.py, escalation.py, digest.py) ---


class ClockStage(models.TextChoices):
    """A stage whose clock runs: each has a limit, and a request over it escalates."""

    TRIAGE = "triage", _("Triage")
    LEADER = "leader", _("Leader's decision")
    LATER = "later", _("Set aside for later")
    ROUTING = "routing", _("Routing")
    OFFER = "offer", _("Offer to the circle")
    FIRST_CONTACT = "first_contact", _("First contact")
    FIRST_MEETING = "first_meeting", _("First meeting")


# Each stage's key in settings.CERCLE["STAGE_LIMITS_HOURS"] (a request's state, or "first_meeting").
STAGE_SETTING_KEY: dict[str, str] = {
    ClockStage.TRIAGE: State.RECEIVED,
    ClockStage.LEADER: State.KEPT,
    ClockStage.LATER: State.DEFERRED,
    ClockStage.ROUTING: State.APPROVED,
    ClockStage.OFFER: State.OFFERED,
    ClockStage.FIRST_CONTACT: State.ACCEPTED,
    ClockStage.FIRST_MEETING: "first_meeting",
}


def _default_days() -> str:
    return str(settings.CERCLE.get("DIGEST_DAYS", "0,1,2,3,4"))


class ClockSettings(models.Model):
    """The clocks' limits and the leader's digest, set by the leader or the second (one row, pk 1).

    Until someone saves the page, the defaults come from the settings (`CERCLE_LIMIT_*_HOURS`…).
    """

    triage_hours = models.PositiveIntegerField(_("triage"), default=24)
    leader_hours = models.PositiveIntegerField(_("leader's decision"), default=48)
    later_hours = models.PositiveIntegerField(_("set aside for later"), default=168)
    routing_hours = models.PositiveIntegerField(_("routing"), default=24)
    offer_hours = models.PositiveIntegerField(_("offer to the circle"), default=48)
    first_contact_hours = models.PositiveIntegerField(_("first contact"), default=168)
    first_meeting_hours = models.PositiveIntegerField(_("first meeting"), default=336)
    escalation_hours = models.PositiveIntegerField(_("delay between reminder and escalation"), default=24)
    reminders_enabled = models.BooleanField(_("send reminders and escalations"), default=True)
    digest_enabled = models.BooleanField(_("send the leader's daily digest"), default=True)
    digest_time = models.TimeField(_("digest time"), default=time(8, 0))
    # Days of the week, 0 = Monday: "0,1,2,3,4".
    digest_days = models.CharField(_("digest days"), max_length=20, default=_default_days)
    proof_weekday = models.PositiveSmallIntegerField(_("day of the weekly proof list"), default=0)
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
        verbose_name = _("clock settings")
        verbose_name_plural = _("clock settings")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def defaults(cls) -> ClockSettings:
        """The settings nobody changed yet, from the environment (unsaved)."""
        limits = settings.CERCLE["STAGE_LIMITS_HOURS"]
        row = cls(pk=1)
        for stage, key in STAGE_SETTING_KEY.items():
            if key in limits:  # 0 (or empty): no clock for that stage
                setattr(row, f"{stage}_hours", int(limits[key] or 0))
        row.escalation_hours = int(settings.CERCLE.get("ESCALATION_DELAY_HOURS", 24))
        hour, _sep, minute = str(settings.CERCLE.get("DIGEST_TIME", "08:00")).partition(":")
        try:
            row.digest_time = time(int(hour), int(minute or 0))
        except ValueError:
            row.digest_time = time(8, 0)
        return row

    @classmethod
    def current(cls) -> ClockSettings:
        return cls.objects.filter(pk=1).first() or cls.defaults()

    def limit_hours(self, stage: str) -> int:
        return int(getattr(self, f"{stage}_hours"))

    @property
    def day_list(self) -> list[int]:
        return sorted({int(d) for d in self.digest_days.split(",") if d.strip().isdigit() and int(d) < 7})


CLOCK_LIMITS_MEMO = "circulation.stage_limits_hours"


def stage_limits_hours() -> dict[str, int]:
    """Hours allowed at each stage, by state (and "first_meeting"): what the dashboard and the "late"
    badges read. Once per page (core/memo.py): a list page asks it for every row."""

    def read() -> dict[str, int]:
        row = ClockSettings.current()
        return {key: row.limit_hours(stage) for stage, key in STAGE_SETTING_KEY.items()}

    return request_memo(CLOCK_LIMITS_MEMO, read)


class ClockLevel(models.IntegerChoices):
    REMINDER = 0, _("Reminder to whoever holds the request")
    SECOND = 1, _("Escalation to the second")
    LEADER = 2, _("Escalation to the leader")


class ClockStep(models.Model):
    """One reminder or escalation, recorded with the mail it queued: never the same step twice.

    `since` is when the stage started: a request that comes back to a stage (an offer everyone
    declined, a reopened project) starts a new clock.
    """

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="clock_steps")
    stage = models.CharField(_("stage"), max_length=16, choices=ClockStage.choices)
    since = models.DateTimeField(_("stage started at"))
    level = models.PositiveSmallIntegerField(_("level"), choices=ClockLevel.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)
    # The people this step wrote to (user ids); empty when every one of them was told at an earlier level.
    recipients = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(fields=["request", "stage", "since", "level"], name="clockstep_once")
        ]

    def __str__(self) -> str:
        return f"{self.request_id} {self.stage} #{self.level}"


class DigestKind(models.TextChoices):
    DIGEST = "digest", _("Leader's digest")
    PROOF = "proof", _("Weekly proof list")


class DigestRun(models.Model):
    """A day's digest (or a week's proof list) for one leader, sent or skipped: at most one per day."""

    kind = models.CharField(max_length=8, choices=DigestKind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    at = models.DateTimeField(default=timezone.now)
    count = models.PositiveIntegerField(default=0)
    outgoing = models.ForeignKey(
        "outbox.OutgoingMessage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("digest")
        verbose_name_plural = _("digests")
        constraints = [models.UniqueConstraint(fields=["kind", "user", "day"], name="digestrun_once")]

    def __str__(self) -> str:
        return f"{self.kind} {self.user_id} {self.day}"


class DigestLinkUse(models.Model):
    """A one-click link of the digest that was used: a link works once."""

    nonce = models.CharField(max_length=40, unique=True)
    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=8)
    used_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.action} {self.request_id} by {self.user_id}"
