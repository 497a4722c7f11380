"""Why a relationship is as strong as it is, in words: "12 exchanges in 6 months, you wrote 9 of them,
the last one 3 weeks ago"."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cercle.network.models import Contact, InteractionKind
from cercle.network.strength import contact_score

WINDOW_DAYS = 182


def strength_reasons(contact: Contact, *, at: datetime | None = None) -> list[str]:
    """The sentences under a contact's score, in the active language (one query)."""
    at = at or timezone.now()
    since = at - timedelta(days=WINDOW_DAYS)
    recent = Q(interactions__at__gte=since, interactions__at__lte=at)
    figures = Contact.objects.filter(pk=contact.pk).aggregate(
        recent=Count("interactions", filter=recent & ~Q(interactions__kind=InteractionKind.INVITATION)),
        recent_out=Count("interactions", filter=recent & Q(interactions__inbound=False)),
        meetings=Count(
            "interactions",
            filter=Q(interactions__kind__in=[InteractionKind.MEETING, InteractionKind.CALL]),
        ),
        group_mail=Count("interactions", filter=Q(interactions__audience__gt=3)),
        total=Count("interactions"),
    )
    reasons: list[str] = []
    if figures["recent"]:
        reasons.append(
            ngettext(
                "%(count)d exchange in the last 6 months, %(out)d from the hub",
                "%(count)d exchanges in the last 6 months, %(out)d from the hub",
                figures["recent"],
            )
            % {"count": figures["recent"], "out": figures["recent_out"]}
        )
    elif figures["total"]:
        reasons.append(
            ngettext(
                "No exchange in the last 6 months (%(count)d before)",
                "No exchange in the last 6 months (%(count)d before)",
                figures["total"],
            )
            % {"count": figures["total"]}
        )
    else:
        reasons.append(_("No exchange recorded yet"))
    if contact.last_at:
        reasons.append(_("last one %(ago)s ago") % {"ago": timesince(contact.last_at, at, depth=1)})
    if contact.count_in and not contact.count_out:
        reasons.append(_("they wrote, nobody from the hub answered"))
    elif contact.count_out and not contact.count_in:
        reasons.append(_("the hub wrote, they never answered"))
    if figures["meetings"]:
        reasons.append(
            ngettext("%(count)d meeting or call", "%(count)d meetings or calls", figures["meetings"])
            % {"count": figures["meetings"]}
        )
    if figures["group_mail"] and figures["group_mail"] * 2 >= figures["total"]:
        reasons.append(_("mostly group mail (counts less)"))
    return reasons


def strength_summary(contact: Contact, *, at: datetime | None = None) -> dict[str, object]:
    return {"score": contact_score(contact, at=at), "reasons": strength_reasons(contact, at=at)}
