from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cercle.circulation.states import DismissReason
from cercle.core.notes import Label, Note
from cercle.triage.reasons import dismiss_reason_for, render


class Category(models.TextChoices):
    SERIOUS = "serious", _("Serious request")
    NETWORK = "network", _("Network")
    SOLICITATION = "solicitation", _("Solicitation")
    NEWSLETTER = "newsletter", _("Newsletter or notification")
    SPAM = "spam", _("Spam")


class Suggestion(models.Model):
    """What the machine suggests for one request, and why. Computed once when the request arrives
    (and again after a retraining while it still waits), so the triage page only reads."""

    request = models.OneToOneField(
        "circulation.Request", on_delete=models.CASCADE, related_name="triage_suggestion"
    )
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    confidence = models.FloatField(_("confidence"))
    # P(serious request): the queue can be sorted on it so that likely opportunities come first.
    score = models.FloatField(_("serious score"), db_index=True)
    human = models.FloatField(_("needs a human"), default=0.0)  # P(serious) + P(network)
    probabilities = models.JSONField(default=dict)
    # [[code, {params}], …], rendered in the reader's language by reasons.py.
    reasons = models.JSONField(default=list)
    # Facts at arrival time (history, header signals), so that retraining sees what the model saw.
    signals = models.JSONField(default=dict)
    sender_key = models.CharField(max_length=320, blank=True, db_index=True)  # list id or address
    sender_email = models.CharField(max_length=254, blank=True, db_index=True)
    sender_domain = models.CharField(max_length=254, blank=True, db_index=True)
    known_sender = models.BooleanField(_("known correspondent"), default=False)
    model_version = models.CharField(max_length=64, blank=True)
    computed_at = models.DateTimeField(default=timezone.now)
    # When a sender rule decided automatically: the rule and the audited event it wrote.
    rule = models.ForeignKey("SenderRule", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    rule_event_id = models.BigIntegerField(null=True, blank=True)
    rule_note = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")

    def __str__(self) -> str:
        return f"{self.request_id}: {self.category} ({self.confidence:.0%})"

    @property
    def suggests_keep(self) -> bool:
        return self.category in (Category.SERIOUS, Category.NETWORK)

    @property
    def dismiss_reason(self) -> str:
        return dismiss_reason_for(self.category, self.signals)

    @property
    def noise_reason(self) -> str:
        """The dismiss reason when a person says this message is noise: the suggestion's own when it
        suggests dismissing, else that of the likeliest noise category (a person overruling "keep"
        for a promotion gets "Solicitation", not a fixed default); "Not relevant" when the machine
        has no probabilities (an unreadable message)."""
        reason = self.dismiss_reason
        if reason:
            return reason
        noise = (Category.SOLICITATION, Category.NEWSLETTER, Category.SPAM)
        probabilities = self.probabilities or {}
        if any(probabilities.get(c) for c in noise):
            likeliest = max(noise, key=lambda c: float(probabilities.get(c) or 0.0))
            return dismiss_reason_for(likeliest, self.signals)
        return DismissReason.NOT_RELEVANT

    @property
    def first_time_sender(self) -> bool:
        """Nothing known about the sender when the message arrived (the screener's question)."""
        history = (self.signals or {}).get("history") or {}
        if not history or history.get("available") is False:
            return False
        return not (
            self.known_sender
            or history.get("dismissed_before")
            or history.get("exchanges")
            or history.get("kept_before")
        )

    @property
    def dismiss_reason_label(self) -> str:
        reason = self.dismiss_reason
        return str(DismissReason(reason).label) if reason else ""

    @property
    def reason_texts(self) -> list[str]:
        return render(self.reasons)


class RuleScope(models.TextChoices):
    ADDRESS = "address", _("This address")
    DOMAIN = "domain", _("This domain")


class RuleAction(models.TextChoices):
    KEEP = "keep", _("Always keep")
    DISMISS = "dismiss", _("Always dismiss")


class SenderRule(models.Model):
    """The screener: "always keep" or "always dismiss" what comes from an address or a domain."""

    scope = models.CharField(_("scope"), max_length=8, choices=RuleScope.choices)
    value = models.CharField(_("address or domain"), max_length=254)
    action = models.CharField(_("action"), max_length=8, choices=RuleAction.choices)
    reason = models.CharField(_("dismiss reason"), max_length=16, choices=DismissReason.choices, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    active = models.BooleanField(_("active"), default=True)
    hits = models.PositiveIntegerField(_("applied"), default=0)
    last_hit_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("sender rule")
        verbose_name_plural = _("sender rules")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "value"], condition=models.Q(active=True), name="triage_rule_one_active"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.value}"

    @property
    def label(self) -> str:
        return str(self.label_note)

    @property
    def label_note(self) -> Note:
        """The rule as the history names it, in each reader's language: "Always keep · x@y.fr"."""
        target = self.value if self.scope == RuleScope.ADDRESS else f"@{self.value}"
        return Note("%(action)s · %(target)s", action=Label("rule_action", self.action), target=target)


class Brief(models.Model):
    """What the leader needs to decide in ten seconds, extracted from the message, edited by the second."""

    request = models.OneToOneField(
        "circulation.Request", on_delete=models.CASCADE, related_name="triage_brief"
    )
    person = models.CharField(_("who"), max_length=200, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=200, blank=True)
    need = models.TextField(_("what they need"), blank=True)
    goal = models.TextField(_("goal"), blank=True, help_text=_("What they want to achieve, in their words."))
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    urgency = models.CharField(_("deadline or urgency"), max_length=200, blank=True)
    budget = models.CharField(_("budget"), max_length=200, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=[("fr", _("French")), ("en", _("English"))], default="fr"
    )
    extracted_at = models.DateTimeField(default=timezone.now)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("brief")
        verbose_name_plural = _("briefs")

    def __str__(self) -> str:
        return f"{self.person}: {self.need[:60]}"

    def who(self, fallback: str = "") -> str:
        """ "Claire Arnaud, Directrice générale · Maison Arnaud": each part once (an agency that signs
        with its own name is not repeated)."""
        person = self.person or fallback
        line = person + (f", {self.role}" if self.role else "")
        seen = {person.casefold(), self.role.casefold()}
        if self.organisation and self.organisation.casefold() not in seen:
            line += f" · {self.organisation}"
        return line


class TrainingRun(models.Model):
    """One retraining on the second's decisions: its figures, and the model it produced (arrays, npz)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("In use")
        RETIRED = "retired", _("Replaced")
        REJECTED = "rejected", _("Not used: worse than the base model")
        SKIPPED = "skipped", _("Not enough decisions")
        FAILED = "failed", _("Failed")

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.SKIPPED)
    decisions = models.PositiveIntegerField(default=0)
    held_out = models.PositiveIntegerField(default=0)
    metrics = models.JSONField(default=dict)
    message = models.TextField(blank=True)
    artefact = models.BinaryField(null=True, blank=True, editable=False)
    last_event_id = models.BigIntegerField(default=0)  # the newest decision it learnt from

    class Meta:
        verbose_name = _("training run")
        verbose_name_plural = _("training runs")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["status", "-started_at"], name="triage_run_status")]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.status} ({self.decisions})"

    @property
    def explanation(self) -> str:
        """Why this run is not the model in use, in the reader's language ("" when there is nothing to say)."""
        if self.status == self.Status.SKIPPED:
            minimum = int(self.metrics.get("min_decisions") or 0)
            if not minimum:
                return self.message
            return ngettext(
                "%(n)d usable decision so far; the hub's own model starts at %(min)d, with both kept and "
                "dismissed messages. Until then the base model suggests.",
                "%(n)d usable decisions so far; the hub's own model starts at %(min)d, with both kept and "
                "dismissed messages. Until then the base model suggests.",
                self.decisions,
            ) % {"n": self.decisions, "min": minimum}
        if self.status == self.Status.REJECTED:
            return str(_("The hub's model did worse than the base model on the latest decisions: not used."))
        return ""

    @property
    def version(self) -> str:
        return f"hub-{self.pk}"
