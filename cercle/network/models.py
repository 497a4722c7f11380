from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


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

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["name", "email"]
        constraints = [
            models.UniqueConstraint(
                fields=["email"], condition=~models.Q(email=""), name="contact_unique_email"
            ),
            models.UniqueConstraint(
                fields=["linkedin_url"], condition=~models.Q(linkedin_url=""), name="contact_unique_linkedin"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email

    @property
    def display_name(self) -> str:
        return self.name or self.email or self.linkedin_url


class InteractionKind(models.TextChoices):
    MAIL = "mail", _("E-mail")
    LINKEDIN = "linkedin", _("LinkedIn message")
    CONNECTION = "connection", _("LinkedIn connection")
    INVITATION = "invitation", _("LinkedIn invitation")
    FORM = "form", _("Request form")


class Interaction(models.Model):
    """One exchange between the leader and a contact: the raw material of relationship strength.

    Idempotent by (contact, source_key): re-importing a mailbox or an export never counts twice.
    """

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="interactions")
    kind = models.CharField(_("kind"), max_length=12, choices=InteractionKind.choices)
    inbound = models.BooleanField(_("received"), default=True)
    at = models.DateTimeField(_("date"))
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    source_key = models.CharField(max_length=500)

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        constraints = [
            models.UniqueConstraint(fields=["contact", "source_key"], name="interaction_once"),
        ]
        indexes = [models.Index(fields=["contact", "-at"], name="interaction_contact_at")]

    def __str__(self) -> str:
        return f"{self.contact_id} {self.kind} {self.at:%Y-%m-%d}"
