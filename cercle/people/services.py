"""The network's gestures from the screens: type in a person, edit their profile, write a note, say
which problem one solves. Role and visibility checked here as in the views."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from cercle.accounts.models import User
from cercle.accounts.permissions import NETWORK_ALL_ROLES, NETWORK_ROLES, require_role
from cercle.core.text import visible
from cercle.network.models import Contact, ContactNote, ContactSource
from cercle.network.search import search_index
from cercle.network.services import (
    contact_by_email,
    contact_by_linkedin,
    identities_add,
    normalize_email,
    normalize_linkedin_url,
    organisation_from_email,
)
from cercle.people.selectors import contact_get_for_user

PROFILE_FIELDS = (
    "name",
    "organisation",
    "position",
    "phone",
    "what_they_do",
    "offers",
    "needs",
    "tags",
    "how_we_met",
    "language",
)


class PeopleError(Exception):
    """A gesture that cannot be done; the message says why, in the reader's language."""


@dataclass
class ContactExists(PeopleError):
    contact: Contact

    def __str__(self) -> str:
        return _("%(name)s is already in the network with this address or profile.") % {
            "name": self.contact.display_name
        }


def _clean(fields: dict[str, str]) -> dict[str, str]:
    cleaned = {}
    for name in PROFILE_FIELDS:
        if name in fields:
            value = visible(str(fields[name] or "")).strip()
            if name == "tags":
                value = ", ".join(dict.fromkeys(t.strip() for t in value.split(",") if t.strip()))
            cleaned[name] = value
    return cleaned


def contact_create(*, actor: User, email: str = "", linkedin_url: str = "", **fields: str) -> Contact:
    """A person typed in by the team (met at an event, known from elsewhere): chosen, so in the network.
    Needs a name or an address; an address or profile already known is refused with the contact."""
    require_role(actor, NETWORK_ALL_ROLES)
    profile = _clean(fields)
    email = normalize_email(email)
    url = normalize_linkedin_url(linkedin_url)
    if linkedin_url.strip() and not url:
        raise PeopleError(_("This is not a LinkedIn profile address."))
    if not (profile.get("name") or email or url):
        raise PeopleError(_("Give at least a name, an e-mail address or a LinkedIn profile."))
    for existing in (contact_by_email(email) if email else None, contact_by_linkedin(url) if url else None):
        if existing is not None:
            raise ContactExists(existing)
    with transaction.atomic():
        contact = Contact.objects.create(
            email=email,
            linkedin_url=url,
            source=ContactSource.MANUAL,
            chosen=True,
            in_network=True,
            **{**profile, "organisation": profile.get("organisation") or organisation_from_email(email)},
        )
        identities_add(contact, emails=[email], linkedin=[url], names=[contact.name])
        search_index([contact])
    return contact


def contact_profile_update(*, actor: User, contact: Contact, **fields: str) -> Contact:
    """The leader or the second edit what the network knows of someone."""
    require_role(actor, NETWORK_ALL_ROLES)
    profile = _clean(fields)
    with transaction.atomic():
        for name, value in profile.items():
            setattr(contact, name, value)
        contact.save(update_fields=list(profile))
        identities_add(contact, names=[contact.name])
        search_index([contact])
    return contact


def contact_note_add(*, actor: User, contact: Contact, text: str) -> ContactNote:
    """Anyone who may see the person may write what they know of them."""
    require_role(actor, NETWORK_ROLES)
    contact_get_for_user(user=actor, pk=contact.pk)
    text = visible(text).strip()
    if not text:
        raise PeopleError(_("Write the note first."))
    with transaction.atomic():
        note = ContactNote.objects.create(contact=contact, author=actor, text=text[:5000])
        search_index([contact])
    return note


def offer_statement_set(*, actor: User, text: str) -> None:
    require_role(actor, NETWORK_ROLES)
    actor.offer_statement = visible(text).strip()[:2000]
    actor.save(update_fields=["offer_statement"])
