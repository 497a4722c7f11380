from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ContactSource(models.TextChoices):
    MAIL = "mail", _("Mail")
    FORM = "form", _("Request form")
    LINKEDIN = "linkedin", _("LinkedIn")
    VCARD = "vcard", _("vCard import")
    CSV = "csv", _("CSV import")
    MANUAL = "manual", _("Typed in")


class Contact(models.Model):
    """A person the hub knows: a requester, a correspondent. Found or created by e-mail address."""

    name = models.CharField(_("name"), max_length=200, blank=True)
    # Blank for a LinkedIn connection who never wrote from a mailbox; unique when known.
    email = models.EmailField(_("e-mail address"), max_length=254, blank=True, default="")
    linkedin_url = models.URLField(_("LinkedIn profile"), max_length=300, blank=True, default="")
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    position = models.CharField(_("position"), max_length=200, blank=True, default="")
    language = models.CharField(
        _("language"), max_length=8, choices=[("fr", _("French")), ("en", _("English"))], default="fr"
    )
    # Images and styles from the internet in this person's HTML mail load only once someone chose to
    # (a remote image tells its sender when and where the mail was read).
    remote_images = models.BooleanField(_("loads images from the internet in their mail"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True, default="")
    # The profile, written by the team: what they do, which problems they solve, what they look for.
    what_they_do = models.TextField(_("what they do"), blank=True, default="")
    offers = models.TextField(_("offers (problems they solve)"), blank=True, default="")
    needs = models.TextField(_("needs"), blank=True, default="")
    tags = models.CharField(_("tags"), max_length=500, blank=True, default="")  # comma-separated
    how_we_met = models.TextField(_("how we met"), blank=True, default="")
    source = models.CharField(
        _("source"), max_length=12, choices=ContactSource.choices, default=ContactSource.MAIL
    )
    # Noise rules (network/noise.py): a person the hub chose (typed in, imported, a request kept) or
    # wrote to counts; a sender whose request was dismissed as spam does not.
    chosen = models.BooleanField(_("chosen by the team"), default=False)
    spam = models.BooleanField(_("sent spam"), default=False)
    # One of the hub's own addresses (the leader's alias, an assistant writing on the leader's behalf):
    # never a contact of the network.
    hub_own = models.BooleanField(_("one of the hub's own addresses"), default=False)
    in_network = models.BooleanField(_("in the network"), default=False)
    # Relationship strength (network/strength.py), folded in as interactions arrive. `decay_sum` is
    # the sum of the interactions' weights decayed to `decay_ref`; `rank_key` orders contacts by
    # strength at any moment (the decay is the same for everyone), so layers are an ORDER BY.
    decay_sum = models.FloatField(default=0.0, editable=False)
    decay_ref = models.DateTimeField(null=True, blank=True, editable=False)
    rank_key = models.FloatField(default=-1e9, editable=False)
    count_in = models.PositiveIntegerField(_("exchanges received"), default=0, editable=False)
    count_out = models.PositiveIntegerField(_("exchanges sent"), default=0, editable=False)
    first_at = models.DateTimeField(_("first exchange"), null=True, blank=True, editable=False)
    last_at = models.DateTimeField(_("last exchange"), null=True, blank=True, editable=False)
    # Merged into another contact (kept so that the merge can be undone); lookups follow it.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged", editable=False
    )

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["name", "email"]
        indexes = [
            models.Index(fields=["in_network", "-rank_key"], name="contact_network_rank"),
            # The circles and the list read the network's ranks only: a partial index SQLite can use.
            models.Index(
                models.F("rank_key").desc(),
                "id",
                condition=models.Q(in_network=True),
                name="contact_network_ranks",
            ),
            models.Index(fields=["in_network", "-last_at"], name="contact_network_last"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["email"], condition=~models.Q(email=""), name="contact_unique_email"
            ),
            models.UniqueConstraint(
                fields=["linkedin_url"], condition=~models.Q(linkedin_url=""), name="contact_unique_linkedin"
            ),
        ]

    def __str__(self) -> str:
        # A person met on LinkedIn has no address: their name alone, not "Name <>".
        return f"{self.name} <{self.email}>" if self.name and self.email else self.display_name

    @property
    def display_name(self) -> str:
        return self.name or self.email or self.linkedin_url


class InteractionKind(models.TextChoices):
    MAIL = "mail", _("E-mail")
    LINKEDIN = "linkedin", _("LinkedIn message")
    CONNECTION = "connection", _("LinkedIn connection")
    INVITATION = "invitation", _("LinkedIn invitation")
    FORM = "form", _("Request form")
    MEETING = "meeting", _("Meeting")
    CALL = "call", _("Call or meeting noted by hand")


class Interaction(models.Model):
    """One exchange between the leader and a contact: the raw material of relationship strength.

    Idempotent by (contact, source_key): re-importing a mailbox or an export never counts twice.
    """

    # interaction_once and interaction_contact_at start with it: no index of its own.
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="interactions", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=12, choices=InteractionKind.choices)
    inbound = models.BooleanField(_("received"), default=True)
    at = models.DateTimeField(_("date"))
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    source_key = models.CharField(max_length=500)
    # How many people the exchange involved besides the hub (1: person to person): depth.
    audience = models.PositiveSmallIntegerField(default=1)
    # Not yet folded into the contact's strength (network/strength.py `strength_fold`).
    folded = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        constraints = [
            models.UniqueConstraint(fields=["contact", "source_key"], name="interaction_once"),
        ]
        indexes = [
            models.Index(fields=["contact", "-at"], name="interaction_contact_at"),
            models.Index(fields=["id"], condition=models.Q(folded=False), name="interaction_unfolded"),
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} {self.kind} {self.at:%Y-%m-%d}"


class IdentityKind(models.TextChoices):
    EMAIL = "email", _("E-mail address")
    LINKEDIN = "linkedin", _("LinkedIn profile")
    NAME = "name", _("Name")


class Identity(models.Model):
    """One way a person shows up: an address, a LinkedIn profile, a name. A contact has several;
    an address or a profile belongs to one contact (names may repeat)."""

    # identity_contact_kind starts with it: no index of its own.
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="identities", db_index=False)
    kind = models.CharField(_("kind"), max_length=12, choices=IdentityKind.choices)
    value = models.CharField(_("value"), max_length=300)

    class Meta:
        verbose_name = _("identity")
        verbose_name_plural = _("identities")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "value"], condition=~models.Q(kind="name"), name="identity_unique"
            ),
        ]
        indexes = [models.Index(fields=["contact", "kind"], name="identity_contact_kind")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.value}"


class ContactNote(models.Model):
    """What someone in the hub wrote about a person."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.text[:60]


class ContactSearch(models.Model):
    """The text "who can do X?" searches for one contact, accents removed and words stemmed
    (network/search.py). On SQLite an FTS5 table mirrors it; on PostgreSQL a GIN index on its tsvector.
    The texts of the strongest people of the network (`strongest`) are indexed apart too (a second,
    small FTS5 table; a partial GIN index): a common word is searched among them first."""

    contact = models.OneToOneField(Contact, primary_key=True, on_delete=models.CASCADE, related_name="+")
    document = models.TextField(default="")
    # One of the `search._POOL` strongest people of the network: written by `search_strongest_refresh`
    # only, wherever texts or strengths are written (migration network 0012 explains the indexes).
    strongest = models.BooleanField(default=False, editable=False)
    # The threads of their latest exchanges, latest first, one line each: "<ISO date, UTC>\t<subject>"
    # (`search.threads_text`): the evidence of a hit, read from this row (migration network 0013).
    threads = models.TextField(blank=True, default="")

    class Meta:
        verbose_name = _("search text")
        verbose_name_plural = _("search texts")
        indexes = [
            models.Index(
                fields=["contact"], condition=models.Q(strongest=True), name="contactsearch_strongest"
            )
        ]

    def __str__(self) -> str:
        return f"{self.contact_id}: {self.document[:60]}"


class ContactMerge(models.Model):
    """Two records found to be one person, merged; kept so that the merge can be undone exactly.
    `moved` lists the ids of what moved from `merged` to `kept` (interactions, requests, notes,
    identities) and `previous` the fields of `kept` that were blank and got filled."""

    kept = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="merges_kept")
    merged = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="merges_merged")
    by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("merged at"), auto_now_add=True)
    evidence = models.JSONField(default=list, blank=True)
    moved = models.JSONField(default=dict, editable=False)
    previous = models.JSONField(default=dict, editable=False)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)

    class Meta:
        verbose_name = _("merge")
        verbose_name_plural = _("merges")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.merged_id} → {self.kept_id}"


class DuplicateDismissal(models.Model):
    """ "Not the same person": a suggestion the team dismissed, never shown again (lower id first)."""

    first = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["first", "second"], name="duplicate_dismissed_once")]

    def __str__(self) -> str:
        return f"{self.first_id} ≠ {self.second_id}"


class KeepInTouch(models.Model):
    """One person of a week's keep-in-touch plan, with the reason to reach out (network/keep_in_touch.py)."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="keep_in_touch")
    week = models.DateField(_("week of"))  # its Monday
    reason = models.JSONField(default=dict)  # a core.notes.Note: read in each reader's language
    done_at = models.DateTimeField(_("reached out at"), null=True, blank=True)
    skipped_at = models.DateTimeField(_("skipped at"), null=True, blank=True)

    class Meta:
        verbose_name = _("keep-in-touch suggestion")
        verbose_name_plural = _("keep-in-touch suggestions")
        ordering = ["week", "pk"]
        constraints = [models.UniqueConstraint(fields=["contact", "week"], name="keep_in_touch_once_a_week")]

    def __str__(self) -> str:
        return f"{self.week} {self.contact_id}"


class ContactTie(models.Model):
    """Two contacts who know each other (network/ties.py): seen together on person-to-person mail, or
    recorded by the team. One row per pair, lower id first (`a` < `b`); the path search reads it by `a`
    and by `b` (network/paths.py)."""

    # Read through contact_tie_once (a, b) and contact_tie_b: no index of their own.
    a = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+", db_index=False)
    b = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+", db_index=False)
    count = models.PositiveIntegerField(_("messages together"), default=0)
    # Of those, the ones one of them wrote with the other among the recipients (the rest: both in copy).
    a_wrote = models.PositiveIntegerField(default=0)
    b_wrote = models.PositiveIntegerField(default=0)
    first_at = models.DateTimeField(null=True, blank=True)
    last_at = models.DateTimeField(null=True, blank=True)
    # "They know each other", said by someone in the hub (the profile's "knows …" form).
    manual = models.BooleanField(_("recorded by the team"), default=False)
    manual_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    manual_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("tie between contacts")
        verbose_name_plural = _("ties between contacts")
        constraints = [
            models.UniqueConstraint(fields=["a", "b"], name="contact_tie_once"),
            models.CheckConstraint(condition=models.Q(a__lt=models.F("b")), name="contact_tie_ordered"),
        ]
        indexes = [models.Index(fields=["b"], name="contact_tie_b")]

    def __str__(self) -> str:
        return f"{self.a_id} – {self.b_id} ({self.count})"


class TieEvidence(models.Model):
    """One message that tied two contacts: counted once, however often the mailbox is imported."""

    message_key = models.CharField(max_length=500)
    a = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="+", db_index=False
    )  # tie_evidence_pair
    b = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["message_key", "a", "b"], name="tie_evidence_once")]
        indexes = [models.Index(fields=["a", "b"], name="tie_evidence_pair")]

    def __str__(self) -> str:
        return f"{self.message_key}: {self.a_id} – {self.b_id}"
