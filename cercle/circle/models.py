from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cercle.circle.brief import brief_render


class MemberProfile(models.Model):
    """What a first-circle member does and how much they can take."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    headline_fr = models.CharField(_("headline (French)"), max_length=200, blank=True)
    headline_en = models.CharField(_("headline (English)"), max_length=200, blank=True)
    skills = models.CharField(_("skills"), max_length=500, blank=True, help_text=_("Comma-separated."))
    capacity = models.PositiveSmallIntegerField(
        _("capacity"), default=3, help_text=_("How many projects this member can lead at once.")
    )
    # Routing reads these (circle/ranking.py): the problems they solve, in their words, the languages
    # they work in, and when they cannot take anything.
    offers = models.TextField(
        _("what I offer"),
        blank=True,
        default="",
        help_text=_("The problems you solve and for whom, in French or English: routing reads it."),
    )
    languages = models.CharField(
        _("working languages"), max_length=50, blank=True, default="fr", help_text=_("Codes, e.g. fr, en.")
    )
    unavailable_until = models.DateField(
        _("not available until"),
        null=True,
        blank=True,
        help_text=_("Holidays, a busy month: no new project suggested before this date."),
    )

    class Meta:
        verbose_name = _("member profile")
        verbose_name_plural = _("member profiles")

    def __str__(self) -> str:
        return str(self.user)

    @property
    def language_list(self) -> list[str]:
        return [code.strip().lower() for code in self.languages.replace(";", ",").split(",") if code.strip()]

    @property
    def skill_list(self) -> list[str]:
        return [s.strip() for s in self.skills.split(",") if s.strip()]

    def headline(self, language: str) -> str:
        return (
            (self.headline_en if language == "en" else self.headline_fr)
            or self.headline_fr
            or self.headline_en
        )


class OfferState(models.TextChoices):
    QUEUED = "queued", _("Next in line")  # one at a time: not yet sent, waits for those before it
    PENDING = "pending", _("Waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("No answer in time")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class OfferMode(models.TextChoices):
    SEQUENTIAL = "sequential", _("One member at a time, in the order chosen")
    PARALLEL = "parallel", _("Several at once: the first to accept leads")


# The longest answer time the routing page accepts: two weeks.
MAX_ANSWER_HOURS = 14 * 24


def offer_answer_hours_default() -> int:
    """How long a member has to answer an offer, unless the second sets another time when routing."""
    return int(settings.CERCLE.get("OFFER_ANSWER_HOURS", 24))


class Offer(models.Model):
    """A request offered to one circle member, with the second's brief."""

    request = models.ForeignKey("circulation.Request", on_delete=models.CASCADE, related_name="offers")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="offers")
    brief = models.TextField(_("brief"), blank=True)  # as the second sent it, in their language
    # The same brief as parts (circle/brief.py), so each member reads its labels and dates in their language.
    brief_parts = models.JSONField(default=list, blank=True, editable=False)
    state = models.CharField(
        _("state"), max_length=16, choices=OfferState.choices, default=OfferState.PENDING
    )
    reason = models.TextField(_("reason"), blank=True)
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    responded_at = models.DateTimeField(null=True, blank=True)
    # Each routing of the request is a round (a second one after everybody declined); within a round,
    # the order the second chose. One at a time: the first is sent, the others wait (QUEUED) and are
    # sent in turn when the one before declines or lets the deadline pass (circle/services.py).
    mode = models.CharField(_("mode"), max_length=12, choices=OfferMode.choices, default=OfferMode.PARALLEL)
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    position = models.PositiveSmallIntegerField(_("position in the order"), default=1)
    answer_hours = models.PositiveSmallIntegerField(_("hours to answer"), default=offer_answer_hours_default)
    # Set when the offer is sent to the member; aware datetimes (UTC in the database), so "48 hours"
    # is 48 elapsed hours even across a change to or from summer time.
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    deadline_at = models.DateTimeField(_("answer by"), null=True, blank=True)
    # "Suggest someone else": the colleague who declined and named this member.
    suggested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        constraints = [models.UniqueConstraint(fields=["request", "member"], name="offer_once_per_member")]
        indexes = [
            # A member's pending offers, oldest first; their past offers, latest first.
            models.Index(fields=["member", "state", "created_at"], name="offer_member_pending"),
            models.Index(fields=["member", "-responded_at"], name="offer_member_responded"),
            # The every-minute sweep: pending offers whose answer time has passed.
            models.Index(fields=["state", "deadline_at"], name="offer_due"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} → {self.member_id} ({self.state})"

    @property
    def brief_text(self) -> str:
        """The brief in the reader's (active) language; an offer made before briefs had parts, as written."""
        return brief_render(self.brief_parts) if self.brief_parts else self.brief


class MemberWords(models.Model):
    """What routing knows of one member between calls (circle/words.py builds it, circle/ranking.py reads
    it): their projects (led or in the team) in a fixed order, with which of them they led, which are
    closed and which won, as bit masks over that order, how many offers they answered and accepted, and
    when it was built. Its words are `MemberWord` rows."""

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="routing_words"
    )
    # The request ids of the member's projects, space-separated: bit i+1 of a mask is the i-th (bit 0 is
    # the profile).
    projects = models.TextField(blank=True, default="")
    led = models.TextField(default="0")  # hexadecimal bit masks over `projects`
    closed = models.TextField(default="0")
    won = models.TextField(default="0")
    # The profile's texts it was built from, as the database puts them together (`words.PROFILE_SOURCE`):
    # an edit made elsewhere shows as a difference, found by the database for every member at once.
    profile_source = models.TextField(blank=True, default="")
    # The last audit event (circulation.Event) it took into account: a later event on one of the
    # member's requests (a project closed, reopened, a team joined) makes it stale.
    event_high = models.BigIntegerField(default=0)
    built_at = models.DateTimeField(default=timezone.now)
    # Their offers answered (any state but pending) and accepted: the "answers" signal, counted again
    # with the words, or alone when an audit event on a request offered to them is newer than the row.
    answered = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"words of {self.member_id}"


class MemberWord(models.Model):
    """One folded word (a stem) of a member, with where it comes from: a hexadecimal bit mask over the
    member's projects (`MemberWords.projects`), bit 0 for their profile. Besides stems, the requesters and
    organisations of their projects are words too (`@req:<contact id>`, `@org:<key>`)."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    word = models.CharField(max_length=200)
    sources = models.TextField(default="0")

    class Meta:
        # Word first: ranking reads the rows of a request's words, of every member at once.
        constraints = [models.UniqueConstraint(fields=["word", "member"], name="member_word_once")]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.word}"
