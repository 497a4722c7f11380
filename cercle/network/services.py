from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet

from cercle.accounts.models import User
from cercle.accounts.permissions import TRIAGE_ROLES, require_role
from cercle.core.bulk import objects_insert
from cercle.core.text import visible
from cercle.network.models import Contact, Identity, IdentityKind, Interaction
from cercle.network.strength import counts_in_network, strength_fold_after_commit


def normalize_email(address: str) -> str:
    return address.strip().lower()


def contact_get_or_create(
    *, email: str, name: str = "", organisation: str = "", language: str = ""
) -> Contact:
    """Find a contact by e-mail address (case-insensitive) or create it; fill blanks, never overwrite."""
    email = normalize_email(email)
    if not email:
        raise ValueError("contact_get_or_create needs an e-mail address")
    name, organisation = visible(name), visible(organisation)
    contact = contact_by_email(email)
    if contact is None:
        try:
            with transaction.atomic():
                contact = Contact.objects.create(
                    email=email,
                    name=name.strip()[:200],
                    organisation=organisation.strip()[:200] or organisation_from_email(email),
                    language=language or "fr",
                )
                identities_add(contact, emails=[email], names=[contact.name])
                return contact
        except IntegrityError:  # created concurrently by another import or form
            contact = _resolved(_with_email(email).get())
    changed: list[str] = []
    if name and not contact.name:
        contact.name = name.strip()[:200]
        changed.append("name")
    organisation = organisation or organisation_from_email(email)
    if organisation and not contact.organisation:
        contact.organisation = organisation.strip()[:200]
        changed.append("organisation")
    if changed:
        contact.save(update_fields=changed)
    return contact


def contact_fill_from_signature(contact: Contact, *, phone: str | None, position: str | None) -> list[str]:
    """Fill a contact's blank phone and position with what their mail signature says (network/signature.py).

    Never overwrites: a conditional update per field, since the contact in hand may be an import's cached
    copy while someone types a phone on the profile. Returns the fields filled.
    """
    filled: list[str] = []
    for field_name, value, size in (("phone", phone, 40), ("position", position, 200)):
        value = " ".join(visible(value or "").split())[:size]
        if not value or getattr(contact, field_name):
            continue
        if contact.pk is None:  # not saved yet (an import's batch writes it later): the copy is the row
            setattr(contact, field_name, value)
            filled.append(field_name)
            continue
        blank = Contact.objects.filter(pk=contact.pk, **{field_name: ""})
        if blank.update(**{field_name: value}) == 1:
            filled.append(field_name)
        else:  # filled meanwhile: keep the copy in hand true
            value = Contact.objects.filter(pk=contact.pk).values_list(field_name, flat=True).first() or ""
        setattr(contact, field_name, value)
    return filled


def interaction_record(
    *, contact: Contact, kind: str, inbound: bool, at: datetime, source_key: str, subject: str = ""
) -> bool:
    """Record one exchange with a contact; returns False when it was already known (same source_key)."""
    _, created = Interaction.objects.get_or_create(
        contact=contact,
        source_key=source_key[:500],
        defaults={"kind": kind, "inbound": inbound, "at": at, "subject": subject[:300]},
    )
    if created:
        strength_fold_after_commit()
    return created


# --- LinkedIn -----------------------------------------------------------------------------

_LINKEDIN_HOSTS = ("linkedin.com", ".linkedin.com")


def normalize_linkedin_url(url: str) -> str:
    """`https://www.linkedin.com/<path>`, no query, fragment or trailing slash; "" when not LinkedIn.

    Vanity paths are case-insensitive on LinkedIn and are lower-cased, so that lookups are exact
    (and use the unique index); the opaque member ids some exports give (`/in/ACoAA…`) are
    case-sensitive and keep their case.
    """
    from urllib.parse import urlsplit

    url = url.strip()
    if not url:
        return ""
    if "://" not in url:
        url = "https://" + url.lstrip("/")
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not (host == _LINKEDIN_HOSTS[0] or host.endswith(_LINKEDIN_HOSTS[1])):
        return ""
    path = "/".join(
        segment if segment.startswith("ACo") else segment.lower()
        for segment in parts.path.rstrip("/").split("/")
    )
    if not path:
        return ""
    return f"https://www.linkedin.com{path}"[:300]


def contact_get_or_create_linkedin(
    *,
    linkedin_url: str,
    name: str,
    email: str = "",
    organisation: str = "",
    position: str = "",
    language: str = "",
) -> tuple[Contact, str]:
    """Find a contact by LinkedIn URL, else by e-mail, else (neither known) by exact name; or create it.

    Fills blanks, never overwrites. Returns the contact and "created", "updated" or "unchanged".
    A name-only contact (old exports carry no URL) is matched by name among contacts without a
    LinkedIn URL, the oldest first, so that importing the same export again finds it.
    """
    name, organisation, position = visible(name), visible(organisation), visible(position)
    url = normalize_linkedin_url(linkedin_url)
    email = normalize_email(email)
    name = " ".join(name.split())[:200]
    if not (url or email or name):
        raise ValueError("contact_get_or_create_linkedin needs a LinkedIn URL, an e-mail or a name")
    contact = _linkedin_lookup(url=url, email=email, name=name)
    if contact is None:
        fields = {
            "linkedin_url": url,
            "email": email if email and not _with_email(email).exists() else "",
            "name": name,
            "organisation": organisation.strip()[:200],
            "position": position.strip()[:200],
            "language": language or "fr",
        }
        try:
            with transaction.atomic():
                contact = Contact.objects.create(**fields)
                identities_add(contact, emails=[contact.email], linkedin=[url], names=[name])
                return contact, "created"
        except IntegrityError:  # created concurrently by another import
            contact = _linkedin_lookup(url=url, email=email, name=name)
            if contact is None:
                raise
    changed: list[str] = []
    if url and not contact.linkedin_url and not _with_linkedin(url).exists():
        contact.linkedin_url = url
        changed.append("linkedin_url")
    # An address already held by another contact stays there: merging two people is a person's call.
    if email and not contact.email and not _with_email(email).exists():
        contact.email = email
        changed.append("email")
    for field_name, value in (("name", name), ("organisation", organisation), ("position", position)):
        value = value.strip()[:200]
        if value and not getattr(contact, field_name):
            setattr(contact, field_name, value)
            changed.append(field_name)
    if changed:
        contact.save(update_fields=changed)
        identities_add(contact, emails=[contact.email], linkedin=[contact.linkedin_url], names=[contact.name])
    return contact, "updated" if changed else "unchanged"


def _with_linkedin(url: str) -> QuerySet[Contact]:
    # Repeating the partial unique index's condition lets SQLite use the index.
    return Contact.objects.filter(linkedin_url=url).exclude(linkedin_url="")


def _with_email(email: str) -> QuerySet[Contact]:
    return Contact.objects.filter(email=email).exclude(email="")


def _linkedin_lookup(*, url: str, email: str, name: str) -> Contact | None:
    if url:
        contact = contact_by_linkedin(url)
        if contact is not None:
            return contact
    if email:
        contact = contact_by_email(email)
        if contact is not None:
            return contact
    if not url and not email and name:
        found = Contact.objects.filter(linkedin_url="", name__iexact=name, merged_into__isnull=True)
        return found.order_by("pk").first()
    return None


def _resolved(contact: Contact) -> Contact:
    """The contact a merged one now lives in (merges can chain)."""
    seen = {contact.pk}
    while contact.merged_into_id is not None and contact.merged_into_id not in seen:
        seen.add(contact.merged_into_id)
        contact = Contact.objects.get(pk=contact.merged_into_id)
    return contact


def contact_by_email(email: str) -> Contact | None:
    """The person behind an address: their main address, or one of their other ones; merges followed."""
    email = normalize_email(email)
    if not email:
        return None
    contact = _with_email(email).first()  # (not `filter(email=…)` alone: that scans every contact on SQLite)
    if contact is None:
        identity = (
            Identity.objects.filter(kind=IdentityKind.EMAIL, value=email)
            .exclude(kind=IdentityKind.NAME)  # the partial unique index's condition: SQLite then uses it
            .select_related("contact")
            .first()
        )
        contact = identity.contact if identity else None
    return None if contact is None else _resolved(contact)


def contacts_by_email_many(emails: Iterable[str]) -> dict[str, Contact]:
    """`contact_by_email` for many addresses at once (an import's batch): two queries per 500
    addresses, and one for the contacts found. Addresses nobody has are left out.

    Plain SQL: most addresses of a batch belong to nobody, and building the ORM's query of 500
    parameters took longer than the database's answer. The `NOT (… = '')` and `NOT (kind = 'name')`
    terms let SQLite use the partial unique indexes on addresses."""
    wanted = sorted({normalize_email(e) for e in emails if e and e.strip()})
    keys: dict[str, int] = {}
    contacts_table = connection.ops.quote_name(Contact._meta.db_table)
    identities_table = connection.ops.quote_name(Identity._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"SELECT email, id FROM {contacts_table} WHERE email IN ({marks}) AND NOT (email = %s)",  # noqa: S608
                [*chunk, ""],
            )
            keys.update(cursor.fetchall())
            missing = [e for e in chunk if e not in keys]
            if missing:
                cursor.execute(
                    f"SELECT value, contact_id FROM {identities_table} WHERE kind = %s"  # noqa: S608
                    f" AND NOT (kind = %s) AND value IN ({', '.join(['%s'] * len(missing))})",
                    [IdentityKind.EMAIL, IdentityKind.NAME, *missing],
                )
                for value, contact_id in cursor.fetchall():
                    keys.setdefault(value, contact_id)
    if not keys:
        return {}
    contacts = Contact.objects.in_bulk(set(keys.values()))
    found = {email: contacts[key] for email, key in keys.items() if key in contacts}
    return {email: (c if c.merged_into_id is None else _resolved(c)) for email, c in found.items()}


def contact_build(*, email: str, name: str = "", language: str = "") -> Contact:
    """The contact `contact_get_or_create` would create for a new address, not saved yet (an import's
    batch saves many at once, with their identities)."""
    email = normalize_email(email)
    return Contact(
        email=email,
        name=visible(name).strip()[:200],
        organisation=organisation_from_email(email),
        language=language or "fr",
    )


def contact_by_linkedin(url: str) -> Contact | None:
    url = normalize_linkedin_url(url)
    if not url:
        return None
    contact = _with_linkedin(url).first()
    if contact is None:
        identity = (
            Identity.objects.filter(kind=IdentityKind.LINKEDIN, value=url).select_related("contact").first()
        )
        contact = identity.contact if identity else None
    return None if contact is None else _resolved(contact)


def identities_add(
    contact: Contact, *, emails: Iterable[str] = (), linkedin: Iterable[str] = (), names: Iterable[str] = ()
) -> None:
    """Remember these ways the person shows up (already known ones are ignored)."""
    rows = [Identity(contact=contact, kind=IdentityKind.EMAIL, value=normalize_email(e)) for e in emails if e]
    rows += [Identity(contact=contact, kind=IdentityKind.LINKEDIN, value=u) for u in linkedin if u]
    known_names = set(
        Identity.objects.filter(contact=contact, kind=IdentityKind.NAME).values_list("value", flat=True)
    )
    for name in names:
        name = " ".join((name or "").split())[:300]
        if name and name not in known_names:
            known_names.add(name)
            rows.append(Identity(contact=contact, kind=IdentityKind.NAME, value=name))
    if rows:
        Identity.objects.bulk_create(rows, ignore_conflicts=True)


def organisation_from_email(email: str) -> str:
    """ "Maison Berthier" has no way to be read from berthier.fr; the domain itself is the honest guess
    (free-mail and provider domains say nothing)."""
    from cercle.network.domains import FREEMAIL_DOMAINS

    domain = email.rpartition("@")[2].lower()
    if not domain or domain in FREEMAIL_DOMAINS or "." not in domain:
        return ""
    return domain[:200]  # a domain may be 253 characters; an organisation holds 200


def interaction_record_many(*, interactions: list[Interaction]) -> None:
    """Record many exchanges at once (imports). Those already known (same contact and source_key) are ignored.
    Their weight joins the contacts' strength after the caller's transaction commits."""
    objects_insert(interactions, ignore_conflicts=True)
    if interactions:
        strength_fold_after_commit()


# --- Who counts -----------------------------------------------------------------------------


def contact_choose(*, contact_id: int, source: str = "") -> None:
    """The team chose this person (a request kept, a contact typed in or imported): part of the network
    unless they sent spam."""
    contact = Contact.objects.filter(pk=contact_id).first()
    if contact is None:
        return
    contact = _resolved(contact)
    contact.chosen = True
    fields = ["chosen", "in_network"]
    if source:
        contact.source = source
        fields.append("source")
    contact.in_network = counts_in_network(contact)
    contact.save(update_fields=fields)


def contact_mark_spam(*, contact_id: int, spam: bool = True) -> None:
    """A request of theirs was dismissed as spam (or restored): a spam sender is not a contact."""
    contact = Contact.objects.filter(pk=contact_id).first()
    if contact is None or contact.spam == spam:
        return
    contact.spam = spam
    contact.in_network = counts_in_network(contact) or (
        not spam and Interaction.objects.filter(contact=contact, kind="connection").exists()
    )
    contact.save(update_fields=["spam", "in_network"])


def contact_remote_images_allow(*, actor: User, email: str) -> int:
    """Load images and styles from the internet in this sender's HTML mail from now on (the person
    chose to; a remote image tells its sender when and where the mail is read). Returns contacts changed."""
    require_role(actor, TRIAGE_ROLES)
    address = normalize_email(email)
    if not address:
        return 0
    return Contact.objects.filter(email=address).update(remote_images=True)


def hub_addresses_mark(addresses: Iterable[str]) -> int:
    """These addresses are the hub's own (aliases, an assistant): their contacts leave the network;
    contacts no longer listed come back under the usual rules. Returns how many changed."""
    wanted = {normalize_email(a) for a in addresses if a.strip()}
    owned = set(Contact.objects.filter(hub_own=True).values_list("pk", flat=True))
    now_owned = {c.pk for c in (contact_by_email(a) for a in wanted) if c is not None}
    changed = 0
    for contact in Contact.objects.filter(pk__in=owned ^ now_owned):
        contact.hub_own = contact.pk in now_owned
        contact.in_network = counts_in_network(contact)
        contact.save(update_fields=["hub_own", "in_network"])
        changed += 1
    return changed
