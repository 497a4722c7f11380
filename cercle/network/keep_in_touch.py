"""The weekly keep-in-touch plan: a few people a week (`KEEP_IN_TOUCH_PER_WEEK`, 5 by default), each
with a reason to reach out, never the same person two weeks in a row.

Reasons, most telling first: a close tie left longer than its circle's usual rhythm (the first circle
every two weeks … the fourth once a year: `layers.LAYER_CADENCE_DAYS`), then someone close who went
silent. Any real exchange resets the clock (the rhythm is read from the last exchange), and nobody the
hub wrote to in the last `MIN_DAYS_BETWEEN_CONTACTS` days is suggested: don't become "living spam".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from cercle.core.notes import Note
from cercle.network.layers import LAYER_CADENCE_DAYS, drifting, layer_cutoffs, layer_of, ranked
from cercle.network.models import Contact, Interaction, InteractionKind, KeepInTouch
from cercle.network.strength import strength_fold_after_commit


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _recently_written(at: datetime) -> set[int]:
    days = settings.CERCLE["NETWORK"]["MIN_DAYS_BETWEEN_CONTACTS"]
    return set(
        Interaction.objects.filter(inbound=False, at__gte=at - timedelta(days=days)).values_list(
            "contact_id", flat=True
        )
    )


@dataclass(frozen=True)
class Candidate:
    contact: Contact
    reason: Note
    urgency: float  # higher first


def candidates(*, at: datetime, exclude: set[int]) -> list[Candidate]:
    cutoffs = layer_cutoffs()
    found: dict[int, Candidate] = {}
    widest = len(cutoffs)
    closest = ranked()[: max(settings.CERCLE["NETWORK"]["LAYERS"][:widest] or [0])]
    for contact in closest:
        if contact.pk in exclude or contact.last_at is None:
            continue
        layer = layer_of(contact, cutoffs)
        if layer is None:
            continue
        cadence = LAYER_CADENCE_DAYS[min(layer, len(LAYER_CADENCE_DAYS)) - 1]
        silent = (at - contact.last_at).days
        if silent >= cadence:
            found[contact.pk] = Candidate(
                contact,
                Note(
                    gettext_noop(
                        "Circle %(layer)s: you usually talk every %(cadence)s days; the last exchange was %(silent)s days ago."
                    ),
                    layer=layer,
                    cadence=cadence,
                    silent=silent,
                ),
                urgency=10 - layer + silent / cadence,
            )
    for drift in drifting(at=at, limit=30):
        if drift.contact.pk in exclude or drift.contact.pk in found:
            continue
        found[drift.contact.pk] = Candidate(
            drift.contact,
            Note(
                gettext_noop("Close before (%(peak)s/100), silent for %(silent)s days."),
                peak=drift.peak,
                silent=drift.silent_days,
            ),
            urgency=drift.peak / 25,
        )
    return sorted(found.values(), key=lambda c: (-c.urgency, c.contact.pk))


def plan_for_week(*, at: datetime | None = None) -> list[KeepInTouch]:
    """This week's plan, made once (the first time someone looks) and kept for the week."""
    at = at or timezone.now()
    week = week_of(timezone.localdate(at))
    with transaction.atomic():
        existing = list(KeepInTouch.objects.filter(week=week).select_related("contact"))
        if existing:
            return existing
        last_week = set(
            KeepInTouch.objects.filter(week=week - timedelta(days=7)).values_list("contact_id", flat=True)
        )
        exclude = last_week | _recently_written(at)
        size = settings.CERCLE["NETWORK"]["KEEP_IN_TOUCH_PER_WEEK"]
        picked = candidates(at=at, exclude=exclude)[:size]
        KeepInTouch.objects.bulk_create(
            [KeepInTouch(contact=c.contact, week=week, reason=c.reason.to_json()) for c in picked],
            ignore_conflicts=True,
        )
        return list(KeepInTouch.objects.filter(week=week).select_related("contact"))


def reason_text(item: KeepInTouch) -> str:
    return Note.from_json(item.reason).render() if item.reason else ""


def keep_in_touch_done(*, item: KeepInTouch, at: datetime | None = None) -> None:
    """Reached out: an exchange from the hub, which resets the person's rhythm and feeds the strength."""
    at = at or timezone.now()
    with transaction.atomic():
        item.done_at = at
        item.save(update_fields=["done_at"])
        Interaction.objects.get_or_create(
            contact=item.contact,
            source_key=f"keep-in-touch-{item.pk}",
            defaults={"kind": InteractionKind.CALL, "inbound": False, "at": at, "subject": ""},
        )
        strength_fold_after_commit()


def keep_in_touch_skip(*, item: KeepInTouch, at: datetime | None = None) -> None:
    item.skipped_at = at or timezone.now()
    item.save(update_fields=["skipped_at"])


def too_soon(contact: Contact, *, at: datetime | None = None) -> int | None:
    """Days since the hub last wrote to this person, when that is too recent to write again."""
    at = at or timezone.now()
    days = settings.CERCLE["NETWORK"]["MIN_DAYS_BETWEEN_CONTACTS"]
    last = (
        Interaction.objects.filter(contact=contact, inbound=False, at__lte=at)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    if last is None or (at - last).days >= days:
        return None
    return (at - last).days
