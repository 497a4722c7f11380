"""Ties between contacts: who knows whom, from the mail itself and from what the team records.

A person-to-person message (at most `INTERACTION_MAX_RECIPIENTS` people) ties each pair of its
correspondents other than the hub: the sender to each recipient ("A wrote to B"), and recipients to each
other ("in copy together"). A newsletter or a mail to forty people ties nobody. Each (message, pair) is
counted once (`TieEvidence`), so an import run twice never doubles a count.

A tie's strength, 0–100, for the path search (network/paths.py):

    n = messages where one wrote to the other + ½ · messages where both were only in copy
    strength = 100 · (1 − e^(−n/3)) · ½^(age / 365 days)       age: since the last message

Three messages written one to the other make a 63, six an 86; a tie fades by half for each year
without a message (slower than the hub's own ties, whose half-life is three months: we see only the
part of their exchanges that passes through the hub's mailbox, so silence proves less). A tie the team
recorded ("they know each other") is worth at least `MANUAL_STRENGTH` and does not fade.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import DateTimeField, F, Value
from django.db.models.functions import Coalesce, Greatest, Least
from django.utils import timezone

from cercle.accounts.models import User
from cercle.core.bulk import rows_insert
from cercle.network.models import Contact, ContactTie, TieEvidence

MANUAL_STRENGTH = 60
COPY_WEIGHT = 0.5
SCALE = 3.0
TIE_HALF_LIFE_DAYS = 365


def tie_strength(
    *,
    count: int,
    a_wrote: int,
    b_wrote: int,
    last_at: datetime | None,
    manual: bool,
    at: datetime | None = None,
) -> int:
    """The tie's 0–100 strength at `at` (now by default); see the module docstring."""
    wrote = a_wrote + b_wrote
    n = wrote + COPY_WEIGHT * max(count - wrote, 0)
    mail = 0.0
    if n > 0 and last_at is not None:
        age_days = max(((at or timezone.now()) - last_at).total_seconds() / 86400, 0.0)
        mail = 100 * (1 - math.exp(-n / SCALE)) * 0.5 ** (age_days / TIE_HALF_LIFE_DAYS)
    return round(max(mail, MANUAL_STRENGTH if manual else 0))


def tie_score(tie: ContactTie, *, at: datetime | None = None) -> int:
    return tie_strength(
        count=tie.count,
        a_wrote=tie.a_wrote,
        b_wrote=tie.b_wrote,
        last_at=tie.last_at,
        manual=tie.manual,
        at=at,
    )


def ties_record_message(
    *, message_key: str, sender: Contact | None, recipients: Iterable[Contact], at: datetime
) -> int:
    """Tie the correspondents of one person-to-person message (the hub left out by the caller).
    `sender` is None for the hub's own mail. Returns the number of pairs newly counted."""
    people: dict[int, Contact] = {}
    for contact in [*([sender] if sender else []), *recipients]:
        if contact.pk is not None and not contact.hub_own:
            people.setdefault(contact.pk, contact)
    ids = sorted(people)
    if len(ids) < 2:
        return 0
    pairs = {(x, y) for i, x in enumerate(ids) for y in ids[i + 1 :]}
    known = set(TieEvidence.objects.filter(message_key=message_key).values_list("a_id", "b_id"))
    new = sorted(pairs - known)
    if not new:
        return 0
    TieEvidence.objects.bulk_create(
        [TieEvidence(message_key=message_key, a_id=x, b_id=y) for x, y in new], ignore_conflicts=True
    )
    sender_id = sender.pk if sender else None
    when = Value(at, output_field=DateTimeField())
    for x, y in new:
        a_wrote = int(sender_id == x)
        b_wrote = int(sender_id == y)
        updated = ContactTie.objects.filter(a_id=x, b_id=y).update(
            count=F("count") + 1,
            a_wrote=F("a_wrote") + a_wrote,
            b_wrote=F("b_wrote") + b_wrote,
            # Coalesce: a tie the team recorded has no date yet (SQLite's MAX(NULL, x) is NULL).
            last_at=Greatest(Coalesce(F("last_at"), when), when),
            first_at=Least(Coalesce(F("first_at"), when), when),
        )
        if not updated:
            ContactTie.objects.create(
                a_id=x, b_id=y, count=1, a_wrote=a_wrote, b_wrote=b_wrote, first_at=at, last_at=at
            )
    return len(new)


def ties_record_many(messages: list[tuple[str, Contact | None, list[Contact], datetime]]) -> int:
    """`ties_record_message` for many messages at once (an import's batch): the same counts, in a few
    statements whatever the number of messages. Each item is (message key, sender, recipients, at)."""
    wanted: dict[tuple[str, int, int], tuple[int, int, datetime]] = {}
    for message_key, sender, recipients, at in messages:
        people: dict[int, Contact] = {}
        for contact in [*([sender] if sender else []), *recipients]:
            if contact.pk is not None and not contact.hub_own:
                people.setdefault(contact.pk, contact)
        ids = sorted(people)
        sender_id = sender.pk if sender else None
        for i, x in enumerate(ids):
            for y in ids[i + 1 :]:
                wanted.setdefault((message_key, x, y), (int(sender_id == x), int(sender_id == y), at))
    if not wanted:
        return 0
    keys = sorted({key for key, _x, _y in wanted})
    for start in range(0, len(keys), 500):
        for row in TieEvidence.objects.filter(message_key__in=keys[start : start + 500]).values_list(
            "message_key", "a_id", "b_id"
        ):
            wanted.pop(row, None)
    if not wanted:
        return 0
    rows_insert(
        TieEvidence,
        ["message_key", "a", "b"],
        list(wanted),
        on_conflict="(message_key, a_id, b_id) DO NOTHING",
    )
    # What each pair gains: messages, who wrote, first and last date; added to the pair's row in one
    # upsert (a pair met for the first time is created with them).
    gains: dict[tuple[int, int], list] = {}
    for (_key, x, y), (a_wrote, b_wrote, at) in wanted.items():
        gain = gains.setdefault((x, y), [0, 0, 0, at, at])
        gain[0] += 1
        gain[1] += a_wrote
        gain[2] += b_wrote
        gain[3], gain[4] = min(gain[3], at), max(gain[4], at)
    table = ContactTie._meta.db_table
    rows_insert(
        ContactTie,
        ["a", "b", "count", "a_wrote", "b_wrote", "first_at", "last_at", "manual"],
        [(x, y, *gain, False) for (x, y), gain in sorted(gains.items())],
        on_conflict=(
            "(a_id, b_id) DO UPDATE SET"
            f" count = {table}.count + excluded.count,"
            f" a_wrote = {table}.a_wrote + excluded.a_wrote,"
            f" b_wrote = {table}.b_wrote + excluded.b_wrote,"
            f" first_at = CASE WHEN {table}.first_at IS NULL OR excluded.first_at < {table}.first_at"
            f" THEN excluded.first_at ELSE {table}.first_at END,"
            f" last_at = CASE WHEN {table}.last_at IS NULL OR excluded.last_at > {table}.last_at"
            f" THEN excluded.last_at ELSE {table}.last_at END"
        ),
    )
    return len(wanted)


def tie_record_manual(*, actor: User, contact: Contact, other: Contact) -> ContactTie:
    """Someone in the hub says these two know each other. Refused for a person and themself."""
    if contact.pk == other.pk:
        raise ValueError("a person cannot be tied to themself")
    x, y = sorted((contact.pk, other.pk))
    now = timezone.now()
    with transaction.atomic():
        tie, _created = ContactTie.objects.select_for_update().get_or_create(a_id=x, b_id=y)
        if not tie.manual:
            tie.manual, tie.manual_by, tie.manual_at = True, actor, now
            tie.save(update_fields=["manual", "manual_by", "manual_at"])
    return tie


def _oriented(tie: ContactTie, me: int) -> tuple[int, int, int]:
    """(other person, what `me` wrote with them, what they wrote with `me`) of a tie seen from `me`."""
    if tie.a_id == me:
        return tie.b_id, tie.a_wrote, tie.b_wrote
    return tie.a_id, tie.b_wrote, tie.a_wrote


def ties_merge(*, merged_id: int, kept_id: int) -> dict[str, list]:
    """A merge's ties: every tie of the merged record counts for the kept one. A pair the kept record
    has not is created (the merged record's rows stay where they are: a merged record stands on no
    path); a pair it has gets the merged record's counts added. Returns what was done, for the undo."""
    created: list[int] = []
    added: list[dict[str, object]] = []
    ties = ContactTie.objects.filter(a_id=merged_id) | ContactTie.objects.filter(b_id=merged_id)
    for tie in ties:
        other, mine, theirs = _oriented(tie, merged_id)
        if other == kept_id:
            continue
        x, y = sorted((kept_id, other))
        kept_wrote, other_wrote = (mine, theirs) if x == kept_id else (theirs, mine)
        existing = ContactTie.objects.select_for_update().filter(a_id=x, b_id=y).first()
        if existing is None:
            made = ContactTie.objects.create(
                a_id=x,
                b_id=y,
                count=tie.count,
                a_wrote=kept_wrote,
                b_wrote=other_wrote,
                first_at=tie.first_at,
                last_at=tie.last_at,
                manual=tie.manual,
                manual_by_id=tie.manual_by_id,
                manual_at=tie.manual_at,
            )
            created.append(made.pk)
            continue
        before = {"first_at": existing.first_at, "last_at": existing.last_at, "manual": existing.manual}
        existing.count += tie.count
        existing.a_wrote += kept_wrote
        existing.b_wrote += other_wrote
        dates = [d for d in (existing.first_at, tie.first_at) if d]
        existing.first_at = min(dates) if dates else None
        dates = [d for d in (existing.last_at, tie.last_at) if d]
        existing.last_at = max(dates) if dates else None
        existing.manual = existing.manual or tie.manual
        existing.save()
        added.append(
            {
                "id": existing.pk,
                "count": tie.count,
                "a_wrote": kept_wrote,
                "b_wrote": other_wrote,
                "before": {k: v.isoformat() if isinstance(v, datetime) else v for k, v in before.items()},
                "after": {
                    "first_at": existing.first_at.isoformat() if existing.first_at else None,
                    "last_at": existing.last_at.isoformat() if existing.last_at else None,
                },
            }
        )
    return {"ties_created": created, "ties_added": added}


def ties_merge_undo(moved: dict[str, list]) -> None:
    """Put the kept record's ties back as they were before the merge (what arrived since stays)."""
    ContactTie.objects.filter(pk__in=moved.get("ties_created", [])).delete()
    for change in moved.get("ties_added", []):
        tie = ContactTie.objects.select_for_update().filter(pk=change["id"]).first()
        if tie is None:
            continue
        tie.count = max(tie.count - change["count"], 0)
        tie.a_wrote = max(tie.a_wrote - change["a_wrote"], 0)
        tie.b_wrote = max(tie.b_wrote - change["b_wrote"], 0)
        before, after = change["before"], change["after"]
        for field in ("first_at", "last_at"):
            now_value = getattr(tie, field)
            if (now_value.isoformat() if now_value else None) == after[field]:  # not moved since
                value = before[field]
                setattr(tie, field, datetime.fromisoformat(value) if value else None)
        tie.manual = before["manual"]
        tie.save()
