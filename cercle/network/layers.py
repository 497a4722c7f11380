"""Dunbar layers (about 5 / 15 / 50 / 150, `CERCLE["NETWORK"]["LAYERS"]`), placed by strength, and the
people drifting away: strong before, silent since."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F, QuerySet
from django.utils import timezone

from cercle.network.models import Contact
from cercle.network.strength import NO_RANK, score_from_rank

# How often each layer is usually in touch: a tie of the first layer unfed for two weeks is
# already worth a word; one of the fourth, after a year.
LAYER_CADENCE_DAYS = (14, 30, 90, 365)


def ranked() -> QuerySet[Contact]:
    return Contact.objects.filter(in_network=True, rank_key__gt=NO_RANK / 2).order_by("-rank_key", "pk")


def layer_sizes() -> list[int]:
    return list(settings.CERCLE["NETWORK"]["LAYERS"])


def layer_cutoffs() -> list[float]:
    """The weakest `rank_key` still inside each layer (fewer values when the network is small): one
    query over the widest layer's rows, on the partial index of the network's ranks."""
    sizes = sorted(layer_sizes())
    keys = list(ranked().values_list("rank_key", flat=True)[: sizes[-1]]) if sizes else []
    cutoffs = []
    for size in sizes:
        if len(keys) >= size:
            cutoffs.append(keys[size - 1])
        else:
            if keys:
                cutoffs.append(keys[-1])
            break
    return cutoffs


def layer_of(contact: Contact, cutoffs: list[float]) -> int | None:
    """1 for the closest circle … 4 for the widest; None outside them (or not in the network)."""
    if not contact.in_network or contact.rank_key <= NO_RANK / 2:
        return None
    for layer, cutoff in enumerate(cutoffs, start=1):
        if contact.rank_key >= cutoff:
            return layer
    return None


def layer_contacts(layer: int, cutoffs: list[float]) -> QuerySet[Contact]:
    if not 1 <= layer <= len(cutoffs):
        return Contact.objects.none()
    found = ranked().filter(rank_key__gte=cutoffs[layer - 1])
    if layer > 1:
        found = found.filter(rank_key__lt=cutoffs[layer - 2])
    return found


@dataclass(frozen=True)
class Drifting:
    contact: Contact
    peak: int  # the score at their last exchange
    now: int
    silent_days: int


# A relationship, not a single thread: exchanges both ways, and at least this many of them.
MIN_EXCHANGES = 6


def drifting(
    *, limit: int = 30, silent_days: int = 90, min_peak: int = 35, at: datetime | None = None
) -> list[Drifting]:
    """People who were close (score at their last exchange at least `min_peak`) and have been silent for
    `silent_days` or more, the closest first."""
    at = at or timezone.now()
    candidates = (
        Contact.objects.filter(
            in_network=True, last_at__lt=at - timedelta(days=silent_days), last_at__isnull=False
        )
        .filter(rank_key__gt=NO_RANK / 2, count_in__gt=0, count_out__gt=0)
        .annotate(exchanges=F("count_in") + F("count_out"))
        .filter(exchanges__gte=MIN_EXCHANGES)
        .order_by("-rank_key")[: limit * 10]
    )
    found = []
    for contact in candidates:
        assert contact.last_at is not None
        peak = score_from_rank(contact.rank_key, at=contact.last_at)
        if peak >= min_peak:
            found.append(
                Drifting(
                    contact=contact,
                    peak=peak,
                    now=score_from_rank(contact.rank_key, at=at),
                    silent_days=(at - contact.last_at).days,
                )
            )
    found.sort(key=lambda d: (-d.peak, d.contact.pk))
    return found[:limit]
