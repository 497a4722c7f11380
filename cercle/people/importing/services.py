"""Importing people from a file read into `Person` records: find each one in the network or add them.

The rules (issue 11):
- A person is found by any of their e-mail addresses or LinkedIn profiles (main ones and identities,
  merges followed); someone known only by name is found among the contacts known only by that name.
- What the team wrote is never replaced: an import fills empty fields only, adds the addresses and
  names it brings as identities, and keeps the file's note unless the person already has that very note.
- New people are chosen (in the network), with the file as their source, and their organisation guessed
  from a company address when the file gives none.
- Rows about the same person (same address or profile, or the same name with neither) are one person.
- A row with neither name, address nor profile is skipped and reported; nothing raises on bad input.
- Idempotent: the same file again finds everyone and changes nothing.

Fast enough for 10,000 rows: the file is handled in chunks, each in one transaction, with the lookups,
creations and identities of a chunk done in a few queries.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from cercle.accounts.models import User
from cercle.accounts.permissions import NETWORK_ALL_ROLES, require_role
from cercle.core.text import elide_in_french
from cercle.network.models import Contact, ContactNote, ContactSource, Identity, IdentityKind
from cercle.network.services import organisation_from_email
from cercle.network.strength import counts_in_network
from cercle.people.importing.records import Person, Problem, skip_reason
from cercle.people.importing.searchbatch import search_index_many

CHUNK = 500
_FILLABLE = ("name", "email", "linkedin_url", "organisation", "position", "phone", "tags")


@dataclass
class ImportSummary:
    source: str
    rows: int = 0  # cards or rows read
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    merged: int = 0  # rows about someone met higher in the file (or the same person twice)
    skipped: list[Problem] = field(default_factory=list)
    notices: list[Problem] = field(default_factory=list)  # what was read differently than written
    created_people: list[tuple[int, str]] = field(default_factory=list)  # (pk, name), the first ones

    @property
    def nothing_changed(self) -> bool:
        return not (self.created or self.updated)

    def sort(self) -> None:
        self.skipped.sort(key=lambda p: p.line)
        self.notices.sort(key=lambda p: p.line)


def _chunks(items: list[Person], size: int) -> Iterator[list[Person]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def merge_duplicates(people: list[Person]) -> list[Person]:
    """Rows about the same person (a shared address or profile; the same name when neither) as one
    `Person`, in the order of their first row. Union-find over the keys each row holds."""
    parent = list(range(len(people)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[tuple[str, str], int] = {}
    for index, person in enumerate(people):
        keys = [("email", e) for e in person.emails] + [("linkedin", u) for u in person.linkedin]
        if not keys:
            keys = [("name", person.name.casefold())]
        for key in keys:
            if key in owner:
                a, b = root(index), root(owner[key])
                if a != b:
                    parent[max(a, b)] = min(a, b)
            else:
                owner[key] = index
    groups: dict[int, Person] = {}
    for index, person in enumerate(people):
        top = root(index)
        if top not in groups:
            groups[top] = person
            continue
        if groups[top] is people[top]:  # merged into for the first time: the caller's row stays as read
            groups[top] = copy.deepcopy(people[top])
        groups[top].merge(person)
    return list(groups.values())


@dataclass
class _Owners:
    """Who in the network holds each address, profile or name of a chunk (raw ids, before merges)."""

    email: dict[str, int] = field(default_factory=dict)  # main address or identity
    linkedin: dict[str, int] = field(default_factory=dict)
    name: dict[str, int] = field(default_factory=dict)
    main_email: dict[str, int] = field(default_factory=dict)  # Contact.email (unique)
    main_linkedin: dict[str, int] = field(default_factory=dict)
    email_identity: set[str] = field(default_factory=set)  # values already in Identity
    linkedin_identity: set[str] = field(default_factory=set)


def _owners(groups: list[Person]) -> _Owners:
    found = _Owners()
    emails = {e for g in groups for e in g.emails}
    urls = {u for g in groups for u in g.linkedin}
    names = {g.name for g in groups if g.name and not g.emails and not g.linkedin}
    if emails:
        # (The exclude repeats the partial unique index's condition, so that SQLite uses the index.)
        for pk, value in (
            Contact.objects.filter(email__in=emails).exclude(email="").values_list("pk", "email")
        ):
            found.main_email[value] = found.email[value] = pk
        identities = Identity.objects.filter(kind=IdentityKind.EMAIL, value__in=emails)
        for pk, value in identities.values_list("contact_id", "value"):
            found.email.setdefault(value, pk)
            found.email_identity.add(value)
    if urls:
        contacts = Contact.objects.filter(linkedin_url__in=urls).exclude(linkedin_url="")
        for pk, value in contacts.values_list("pk", "linkedin_url"):
            found.main_linkedin[value] = found.linkedin[value] = pk
        identities = Identity.objects.filter(kind=IdentityKind.LINKEDIN, value__in=urls)
        for pk, value in identities.values_list("contact_id", "value"):
            found.linkedin.setdefault(value, pk)
            found.linkedin_identity.add(value)
    if names:
        by_name = Contact.objects.filter(name__in=names, email="", linkedin_url="", merged_into__isnull=True)
        for pk, value in by_name.order_by("pk").values_list("pk", "name"):
            found.name.setdefault(value, pk)
    return found


def _resolver(ids: set[int]) -> tuple[dict[int, Contact], dict[int, int]]:
    """The contacts behind these ids, merges followed: (resolved pk -> contact, raw pk -> resolved pk)."""
    loaded = Contact.objects.in_bulk(ids)
    while True:
        missing = {c.merged_into_id for c in loaded.values() if c.merged_into_id} - loaded.keys()
        missing.discard(None)
        if not missing:
            break
        loaded.update(Contact.objects.in_bulk(missing))  # type: ignore[arg-type]
    resolved: dict[int, int] = {}
    for pk in ids:
        seen, current = set(), loaded.get(pk)
        while current is not None and current.merged_into_id and current.merged_into_id not in seen:
            seen.add(current.pk)
            current = loaded.get(current.merged_into_id)
        if current is not None:
            resolved[pk] = current.pk
    return {pk: loaded[pk] for pk in set(resolved.values())}, resolved


@dataclass
class _ChunkResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    merged: int = 0
    notices: list[Problem] = field(default_factory=list)
    created_people: list[tuple[int, str]] = field(default_factory=list)


def _import_chunk(*, actor: User, groups: list[Person], source: str) -> _ChunkResult:
    result = _ChunkResult()
    owners = _owners(groups)
    raw_ids = set(owners.email.values()) | set(owners.linkedin.values()) | set(owners.name.values())
    contacts, resolved = _resolver(raw_ids)

    def owner_of(raw: int | None) -> int | None:
        return None if raw is None else resolved.get(raw)

    targets: dict[int, Person] = {}
    new: list[Person] = []
    for group in groups:
        candidates: list[int] = []
        raws = [owners.email.get(e) for e in group.emails] + [owners.linkedin.get(u) for u in group.linkedin]
        if not group.emails and not group.linkedin:
            raws.append(owners.name.get(group.name))
        for raw in raws:
            pk = owner_of(raw)
            if pk is not None and pk not in candidates:
                candidates.append(pk)
        if not candidates:
            new.append(group)
            continue
        target = candidates[0]
        for other in candidates[1:]:
            result.notices.append(
                Problem(
                    group.line,
                    elide_in_french(
                        _(
                            "an address or profile of %(name)s in this file belongs to %(other)s in the "
                            "network: left with them (merge the two profiles if they are one person)."
                        )
                        % {"name": contacts[target].display_name, "other": contacts[other].display_name},
                        contacts[target].display_name,
                    ),
                )
            )
        if target in targets:
            targets[target].merge(group)
            result.merged += 1
        else:
            targets[target] = copy.deepcopy(group)

    touched: list[Contact] = []
    identities: list[Identity] = []
    notes: list[ContactNote] = []

    # --- people the network knows: fill what is empty, add what is new ---------------------------
    known_identities = set(
        Identity.objects.filter(contact_id__in=targets).values_list("contact_id", "kind", "value")
    )
    known_notes = set(ContactNote.objects.filter(contact_id__in=targets).values_list("contact_id", "text"))
    pending: list[tuple[int, dict[str, object]]] = []  # (pk, field -> value or expression)
    for pk, person in targets.items():
        contact = contacts[pk]
        mine_emails = [e for e in person.emails if owner_of(owners.email.get(e)) in (None, pk)]
        mine_urls = [u for u in person.linkedin if owner_of(owners.linkedin.get(u)) in (None, pk)]
        offered = {
            "name": person.name,
            # A main address or profile is unique: only one that no other contact has as its main one.
            "email": next((e for e in mine_emails if owners.main_email.get(e) in (None, pk)), ""),
            "linkedin_url": next((u for u in mine_urls if owners.main_linkedin.get(u) in (None, pk)), ""),
            "organisation": person.organisation or _organisation(person.emails),
            "position": person.position,
            "phone": person.phone,
            "tags": person.tag_text,
        }
        changes = {name: value for name, value in offered.items() if value and not getattr(contact, name)}
        updates: dict[str, object] = dict(changes)  # each written only if still empty (_update_many)
        for name, value in changes.items():
            setattr(contact, name, value)
        if not contact.chosen:
            contact.chosen = True
            contact.in_network = counts_in_network(contact)
            updates.update(chosen=True, in_network=contact.in_network)
        if updates:
            pending.append((pk, updates))
        added = [
            Identity(contact_id=pk, kind=IdentityKind.EMAIL, value=e)
            for e in mine_emails
            if e not in owners.email_identity
        ]
        added += [
            Identity(contact_id=pk, kind=IdentityKind.LINKEDIN, value=u)
            for u in mine_urls
            if u not in owners.linkedin_identity
        ]
        added += [
            Identity(contact_id=pk, kind=IdentityKind.NAME, value=n)
            for n in person.names
            if (pk, IdentityKind.NAME, n) not in known_identities
        ]
        added_notes = [
            ContactNote(contact_id=pk, author=actor, text=text)
            for text in person.note_texts()
            if (pk, text) not in known_notes
        ]
        identities += added
        notes += added_notes
        if updates or added or added_notes:
            result.updated += 1
            touched.append(contact)
        else:
            result.unchanged += 1

    _update_many(pending)

    # --- people new to the network ------------------------------------------------------------------
    fresh = [
        Contact(
            name=person.name,
            email=person.emails[0] if person.emails else "",
            linkedin_url=person.linkedin[0] if person.linkedin else "",
            organisation=person.organisation or _organisation(person.emails),
            position=person.position,
            phone=person.phone,
            tags=person.tag_text,
            source=source,
            chosen=True,
            in_network=True,
        )
        for person in new
    ]
    if connection.features.can_return_rows_from_bulk_insert:
        Contact.objects.bulk_create(fresh, batch_size=CHUNK)
    else:  # pragma: no cover - every database Cercle runs on returns the new ids
        for contact in fresh:
            contact.save()
    for person, contact in zip(new, fresh, strict=True):
        identities += [Identity(contact=contact, kind=IdentityKind.EMAIL, value=e) for e in person.emails]
        identities += [
            Identity(contact=contact, kind=IdentityKind.LINKEDIN, value=u) for u in person.linkedin
        ]
        identities += [Identity(contact=contact, kind=IdentityKind.NAME, value=n) for n in person.names]
        notes += [ContactNote(contact=contact, author=actor, text=text) for text in person.note_texts()]
    result.created = len(fresh)
    result.created_people = [(c.pk, c.display_name) for c in fresh[:50]]
    touched += fresh

    Identity.objects.bulk_create(identities, ignore_conflicts=True, batch_size=CHUNK)
    ContactNote.objects.bulk_create(notes, batch_size=CHUNK)
    search_index_many(touched)
    return result


def _update_many(pending: list[tuple[int, dict[str, object]]]) -> None:
    """Fill the empty fields each contact gets: one prepared UPDATE per set of fields, run for every
    contact at once (an ORM `update()` per contact takes half a minute for 10,000 people).

    A text field is written only if still empty (`CASE WHEN col = '' …`): an edit the team made
    meanwhile wins, as with `filter(field="").update(…)`. Only column names from the model are joined in."""
    quote = connection.ops.quote_name
    columns = {f.name: f.column for f in Contact._meta.concrete_fields}
    by_fields: dict[tuple[str, ...], list[list[Any]]] = defaultdict(list)
    for pk, updates in pending:
        names = tuple(sorted(updates))
        by_fields[names].append([updates[name] for name in names] + [pk])
    with connection.cursor() as cursor:
        for names, params in by_fields.items():
            assignments = []
            for name in names:
                column = quote(columns[name])
                if name in _FILLABLE:
                    assignments.append(f"{column} = CASE WHEN {column} = '' THEN %s ELSE {column} END")
                else:
                    assignments.append(f"{column} = %s")
            sql = (
                f"UPDATE {quote(Contact._meta.db_table)} SET {', '.join(assignments)} "  # noqa: S608
                f"WHERE {quote(columns['id'])} = %s"
            )
            cursor.executemany(sql, params)


def _organisation(emails: list[str]) -> str:
    return next((o for o in map(organisation_from_email, emails) if o), "")


def people_import(
    *,
    actor: User,
    people: list[Person],
    source: str,
    file_skipped: Iterable[Problem] = (),
    file_notices: Iterable[Problem] = (),
) -> ImportSummary:
    """Bring the people of one file into the network (see the module's rules); what it did, counted.
    `file_skipped` and `file_notices`: what the reader already had to say about the file's lines."""
    require_role(actor, NETWORK_ALL_ROLES)
    if source not in (ContactSource.VCARD, ContactSource.CSV):
        raise ValueError(f"not an import source: {source}")
    summary = ImportSummary(source=source, rows=len(people))
    summary.skipped += file_skipped
    summary.notices += file_notices
    identified: list[Person] = []
    for person in people:
        if person.identified:
            identified.append(person)
        else:
            summary.skipped.append(Problem(person.line, skip_reason(person)))
    groups = merge_duplicates(identified)
    summary.merged = len(identified) - len(groups)
    for group in groups:
        summary.notices.extend(group.problems)
        if not group.emails and not group.linkedin:
            summary.notices.append(
                Problem(
                    group.line,
                    _(
                        "%(name)s has no e-mail address or LinkedIn profile: kept by name only, and "
                        "recognised by a later import only under this very name."
                    )
                    % {"name": group.name},
                )
            )
    for chunk in _chunks(groups, CHUNK):
        for attempt in (1, 2):
            try:
                with transaction.atomic():
                    result = _import_chunk(actor=actor, groups=chunk, source=source)
            except IntegrityError:
                # Someone added one of these people meanwhile (another import, a mail): look again.
                if attempt == 1:
                    continue
                summary.skipped += [
                    Problem(
                        line,
                        _("could not be saved while the network was changing: import the file again."),
                    )
                    for group in chunk
                    for line in group.lines
                ]
            else:
                summary.created += result.created
                summary.updated += result.updated
                summary.unchanged += result.unchanged
                summary.merged += result.merged
                summary.notices += result.notices
                room = 50 - len(summary.created_people)
                summary.created_people += result.created_people[: max(room, 0)]
            break
    summary.sort()
    return summary
