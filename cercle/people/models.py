from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
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


class IntroductionState(models.TextChoices):
    ASKING_CONNECTOR = "asking_connector", _("Waiting for the connector")
    ASKING_TARGET = "asking_target", _("Waiting for the person to meet")
    INTRODUCED = "introduced", _("Introduced")
    CONNECTOR_DECLINED = "connector_declined", _("Declined by the connector")
    TARGET_DECLINED = "target_declined", _("Declined by the person to meet")
    EXPIRED = "expired", _("Expired without an answer")


class IntroductionKind(models.TextChoices):
    ASK = "ask", _("The hub is introduced")
    MATCH = "match", _("The hub introduces two people")


class Introduction(models.Model):
    """A double opt-in introduction, of one of two kinds:

    - ``ask`` (received): the hub asks `connector` to introduce `beneficiary` (the leader or a member of
      the circle) to `target`; the target is asked only once the connector said yes, and the bridge
      mail leaves only once both did;
    - ``match`` (made, from a matchmaking suggestion): the hub introduces two people of its network.
      `connector` is then the person with the need (asked first: "shall we introduce you?"), `target`
      the person who can meet it (asked second), and the bridge mail, from the hub, introduces them to
      each other; there is no beneficiary.

    See people/introductions/services.py."""

    target = models.ForeignKey(
        "network.Contact", on_delete=models.CASCADE, related_name="introductions_as_target"
    )
    connector = models.ForeignKey(
        "network.Contact", on_delete=models.CASCADE, related_name="introductions_as_connector"
    )
    beneficiary = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="introductions"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    purpose = models.TextField(_("purpose"))
    kind = models.CharField(
        _("kind"), max_length=8, choices=IntroductionKind.choices, default=IntroductionKind.ASK
    )
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=IntroductionState.choices,
        default=IntroductionState.ASKING_CONNECTOR,
    )
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)
    # When the party the introduction waits for was asked (the connector, then the target): the
    # reminder and the expiry count from it.
    asked_at = models.DateTimeField(default=timezone.now)
    reminded_at = models.DateTimeField(null=True, blank=True)
    # One nonce per ask, in its signed links: a link made for an earlier ask does not act on a later one.
    nonce = models.CharField(max_length=32, default="")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("introduction")
        verbose_name_plural = _("introductions")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "asked_at"], name="introduction_waiting")]

    def __str__(self) -> str:
        return f"{self.connector_id} → {self.target_id} ({self.state})"

    @property
    def waiting(self) -> bool:
        return self.state in (IntroductionState.ASKING_CONNECTOR, IntroductionState.ASKING_TARGET)


class IntroductionEventKind(models.TextChoices):
    ASKED_CONNECTOR = "asked_connector", _("Connector asked")
    REMINDED = "reminded", _("Connector reminded")
    CONNECTOR_ACCEPTED = "connector_accepted", _("Connector accepted")
    CONNECTOR_DECLINED = "connector_declined", _("Connector declined")
    ASKED_TARGET = "asked_target", _("Person to meet asked")
    TARGET_ACCEPTED = "target_accepted", _("Person to meet accepted")
    TARGET_DECLINED = "target_declined", _("Person to meet declined")
    INTRODUCED = "introduced", _("Introduction mail sent")
    EXPIRED = "expired", _("Expired")


class IntroductionEvent(models.Model):
    """One step of an introduction, and the mail it sent if any: its audit trail."""

    introduction = models.ForeignKey(Introduction, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=IntroductionEventKind.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outgoing = models.ForeignKey(
        "outbox.OutgoingMessage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("introduction step")
        verbose_name_plural = _("introduction steps")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.introduction_id} {self.kind}"


class FavourDirection(models.TextChoices):
    RECEIVED = "received", _("They helped us")
    GIVEN = "given", _("We helped them")


class Favour(models.Model):
    """A help between the hub and a person, either way: an introduction they made for us, or anything
    recorded by hand ("X helped us with …"). What they gave waits to be thanked."""

    contact = models.ForeignKey("network.Contact", on_delete=models.CASCADE, related_name="favours")
    direction = models.CharField(_("direction"), max_length=8, choices=FavourDirection.choices)
    what = models.CharField(_("what"), max_length=300)
    is_introduction = models.BooleanField(_("an introduction"), default=False)
    # An introduction the hub made (a match) is a favour given to both people it introduced.
    introduction = models.ForeignKey(
        Introduction, null=True, blank=True, on_delete=models.CASCADE, related_name="favours"
    )
    at = models.DateTimeField(_("on"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    thanked_at = models.DateTimeField(_("thanked on"), null=True, blank=True)
    thanks_outgoing = models.ForeignKey(
        "outbox.OutgoingMessage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("favour")
        verbose_name_plural = _("favours")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.contact_id} {self.direction}: {self.what[:40]}"

    @property
    def label(self) -> str:
        """What the help was, in the reader's language (an introduction stores only the name it led to)."""
        if self.introduction_id is not None:
            return gettext("an introduction to %(name)s") % {"name": self.what}
        return self.what


class MatchKind(models.TextChoices):
    NEED = "need", _("A need meets an offer")
    DECLINED = "declined", _("A declined request someone can take")


class MatchState(models.TextChoices):
    OPEN = "open", _("Suggested")
    DISMISSED = "dismissed", _("Dismissed")
    APPROVED = "approved", _("Introduction started")


class Match(models.Model):
    """A matchmaking suggestion: `seeker` needs what `provider` offers (people/matchmaking.py).

    For a ``need`` the seeker's own profile says the need; for a ``declined`` one, `request` is a request
    the hub declined and the seeker its requester. `key` names the pair and what brought it, so that a
    suggestion dismissed once is never suggested again (the row stays, dismissed)."""

    key = models.CharField(max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=MatchKind.choices)
    seeker = models.ForeignKey("network.Contact", on_delete=models.CASCADE, related_name="matches_as_seeker")
    provider = models.ForeignKey(
        "network.Contact", on_delete=models.CASCADE, related_name="matches_as_provider"
    )
    request = models.ForeignKey(
        "circulation.Request", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    need = models.TextField(_("the need"))
    offer = models.TextField(_("the offer"))
    words = models.JSONField(_("words in common"), default=list)
    score = models.FloatField(default=0.0)
    state = models.CharField(_("state"), max_length=10, choices=MatchState.choices, default=MatchState.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    introduction = models.OneToOneField(
        Introduction, null=True, blank=True, on_delete=models.SET_NULL, related_name="match"
    )

    class Meta:
        verbose_name = _("matchmaking suggestion")
        verbose_name_plural = _("matchmaking suggestions")
        ordering = ["-score", "-id"]
        indexes = [models.Index(fields=["state", "-score"], name="match_open_by_score")]

    def __str__(self) -> str:
        return f"{self.seeker_id} ← {self.provider_id} ({self.kind}, {self.state})"
