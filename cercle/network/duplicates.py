"""Records that may be one person, with the evidence: the same mailbox written differently, the same
LinkedIn profile, or close names at the same organisation (`rapidfuzz`). Suggestions only: merging is a
person's call (people/merge.py), and a dismissed pair never comes back."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from cercle.accounts.models import User
from cercle.network.domains import FREEMAIL_DOMAINS
from cercle.network.models import Contact, DuplicateDismissal, Identity, IdentityKind
from cercle.network.search import unaccent

NAME_SIMILARITY = 88  # token-sort ratio, 0–100: "Dupont Jean" and "Jean Dupont" are 100
_BLOCK_LIMIT = 60  # a last name shared by more people than this is compared by organisation only
_GMAIL = {"gmail.com", "googlemail.com"}


@dataclass(frozen=True)
class Suggestion:
    first: Contact
    second: Contact
    evidence: list[str]
    strength: int  # how sure: 100 for the same mailbox


def mailbox_key(email: str) -> str:
    """The mailbox an address reaches: lower case, "+tag" dropped, dots ignored on Gmail."""
    local, _at, domain = email.lower().partition("@")
    local = local.split("+", 1)[0]
    if domain in _GMAIL:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


def _name_key(name: str) -> str:
    return " ".join(sorted(unaccent(name).replace("-", " ").replace(".", " ").split()))


def _org_key(contact: Contact) -> str:
    org = unaccent(contact.organisation).strip()
    if org:
        return org
    domain = contact.email.rpartition("@")[2].lower()
    return "" if not domain or domain in FREEMAIL_DOMAINS else domain


def duplicate_suggestions(*, limit: int = 50, contact_ids: list[int] | None = None) -> list[Suggestion]:
    contacts = Contact.objects.filter(merged_into__isnull=True)
    if contact_ids is not None:
        contacts = contacts.filter(pk__in=contact_ids)
    people = {
        c.pk: c for c in contacts.only("pk", "name", "email", "organisation", "linkedin_url", "rank_key")
    }
    dismissed = set(DuplicateDismissal.objects.values_list("first_id", "second_id"))
    found: dict[tuple[int, int], Suggestion] = {}

    def suggest(a: Contact, b: Contact, evidence: str, strength: int) -> None:
        if a.pk == b.pk:
            return
        a, b = (a, b) if a.pk < b.pk else (b, a)
        if (a.pk, b.pk) in dismissed:
            return
        known = found.get((a.pk, b.pk))
        if known is None:
            found[(a.pk, b.pk)] = Suggestion(a, b, [evidence], strength)
        elif evidence not in known.evidence:
            found[(a.pk, b.pk)] = Suggestion(a, b, [*known.evidence, evidence], max(known.strength, strength))

    # The same mailbox written two ways (case, +tag, dots on Gmail), main address or another one.
    mailboxes: dict[str, set[int]] = defaultdict(set)
    for pk, value in Identity.objects.filter(kind=IdentityKind.EMAIL).values_list("contact_id", "value"):
        if pk in people:
            mailboxes[mailbox_key(value)].add(pk)
    for pk, contact in people.items():
        if contact.email:
            mailboxes[mailbox_key(contact.email)].add(pk)
    for key, pks in mailboxes.items():
        ordered = sorted(pks)
        for other in ordered[1:]:
            suggest(
                people[ordered[0]], people[other], _("the same mailbox (%(address)s)") % {"address": key}, 100
            )

    # Close names: compared within the same last-name or first-name block.
    blocks: dict[str, list[Contact]] = defaultdict(list)
    for contact in people.values():
        key = _name_key(contact.name)
        if len(key) < 4 or " " not in key:
            continue
        for token in key.split():
            if len(token) >= 3:
                blocks[token].append(contact)
    compared: set[tuple[int, int]] = set()
    for members in blocks.values():
        if len(members) < 2 or len(members) > _BLOCK_LIMIT:
            continue
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                pair = (min(a.pk, b.pk), max(a.pk, b.pk))
                if pair in compared:
                    continue
                compared.add(pair)
                similarity = fuzz.token_sort_ratio(_name_key(a.name), _name_key(b.name))
                if similarity < NAME_SIMILARITY:
                    continue
                org_a, org_b = _org_key(a), _org_key(b)
                if org_a and org_a == org_b:
                    suggest(
                        a,
                        b,
                        _("close names (%(score)d %%) at the same organisation (%(org)s)")
                        % {"score": similarity, "org": org_a},
                        int(similarity),
                    )
                elif similarity == 100 and (not org_a or not org_b):
                    suggest(a, b, _("the same name, one of them without an organisation"), 80)
    ranked = sorted(found.values(), key=lambda s: (-s.strength, -max(s.first.rank_key, s.second.rank_key)))
    return ranked[:limit]


def duplicate_dismiss(*, first: Contact, second: Contact, by: User | None = None) -> None:
    a, b = (first, second) if first.pk < second.pk else (second, first)
    DuplicateDismissal.objects.get_or_create(first=a, second=b, defaults={"by": by})
