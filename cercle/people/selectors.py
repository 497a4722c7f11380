"""What each role sees of the network: the leader and the second everyone, a member the people of
their own projects (the requesters of the requests they lead or work on)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cercle.accounts.models import Role, User
from cercle.accounts.permissions import may
from cercle.accounts.selectors import hub_leader
from cercle.circle.models import MemberProfile
from cercle.circulation.models import Request
from cercle.circulation.selectors import requests_visible_to
from cercle.network.models import Contact, Interaction
from cercle.network.search import fold_words, query_groups


def contacts_visible_to(user: User) -> QuerySet[Contact]:
    base = Contact.objects.filter(merged_into__isnull=True)
    if may(user, "network_all"):
        return base
    if not may(user, "network"):
        return Contact.objects.none()
    mine = Request.objects.filter(Q(project__lead=user) | Q(project__team=user)).values("requester_id")
    return base.filter(pk__in=mine)


def contact_ids_visible_to(user: User) -> list[int] | None:
    """None: every contact (no restriction to pass to the search)."""
    if may(user, "network_all"):
        return None
    return list(contacts_visible_to(user).values_list("pk", flat=True))


def contact_get_for_user(*, user: User, pk: int) -> Contact:
    """The contact, if this user may see it; a merged contact leads to the one it lives in now."""
    contact = Contact.objects.filter(pk=pk).first()
    if contact is not None and contact.merged_into_id is not None and may(user, "network_all"):
        return contact
    contact = contacts_visible_to(user).filter(pk=pk).first()
    if contact is None:
        raise Http404
    return contact


def network_list(user: User, *, layer_cutoffs: list[float] | None = None) -> QuerySet[Contact]:
    """The people of the network, strongest first (a member: their own contacts, network or not).

    The whole network is read by `in_network` alone (a merged contact is never in the network: the
    merge takes it out), so that the rows come from the partial index of the network's ranks."""
    everyone = may(user, "network_all")
    found = Contact.objects.filter(in_network=True) if everyone else contacts_visible_to(user)
    return found.order_by("-rank_key", "name", "pk")


# Counting the rows of a list costs in proportion to their number: up to this many they are counted
# exactly, beyond it the list says "more than" and pages by looking one row ahead.
COUNT_CAP = 10_000


@dataclass(frozen=True)
class ListPage:
    """One page of a long list, like Django's `Page`, without counting past `COUNT_CAP` rows."""

    object_list: list[Contact]
    number: int
    has_next: bool
    count: int | None  # None: more than COUNT_CAP
    num_pages: int | None  # None: unknown (more than COUNT_CAP rows)
    cap: int  # the count's cap

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def list_page(found: QuerySet[Contact], number: object, per_page: int) -> ListPage:
    """The page `number` (a query parameter: anything not a positive number is the first page; past
    the end, the last page) of `found`, with a bounded count: one COUNT over at most `COUNT_CAP` + 1
    rows and one read of the page's rows (and one row more, to know whether a next page exists)."""
    try:
        wanted = max(int(str(number)), 1)
    except ValueError:
        wanted = 1
    count = found.order_by()[: COUNT_CAP + 1].count()
    exact = count <= COUNT_CAP
    num_pages = max(-(-count // per_page), 1) if exact else None
    if num_pages is not None:
        wanted = min(wanted, num_pages)
    start = (wanted - 1) * per_page
    rows = list(found[start : start + per_page + 1])
    if not rows and wanted > 1:  # past the end of a list longer than the cap: its last page
        total = found.count()
        wanted = max(-(-total // per_page), 1)
        start = (wanted - 1) * per_page
        rows = list(found[start : start + per_page + 1])
    return ListPage(
        object_list=rows[:per_page],
        number=wanted,
        has_next=len(rows) > per_page,
        count=count if exact else None,
        num_pages=num_pages,
        cap=COUNT_CAP,
    )


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # "interaction" | "request"
    label: str
    inbound: bool | None = None
    request: Request | None = None
    interaction: Interaction | None = None


def _their_requests(contact: Contact, user: User) -> QuerySet[Request]:
    """This person's requests that `user` may open: all of them for the leader and the second, those
    routed to them for a member."""
    requests = Request.objects.filter(requester=contact)
    if may(user, "network_all"):
        return requests
    return requests.filter(pk__in=requests_visible_to(user).values("pk"))


def contact_timeline(contact: Contact, *, user: User, limit: int = 60) -> list[TimelineEntry]:
    """Exchanges and requests, newest first. A member sees the requests routed to them and not the
    mailbox's exchanges (the leader's mail)."""
    entries = []
    if may(user, "network_all"):
        entries += [
            TimelineEntry(
                at=i.at, kind="interaction", label=i.get_kind_display(), inbound=i.inbound, interaction=i
            )
            for i in contact.interactions.order_by("-at")[:limit]
        ]
    entries += [
        TimelineEntry(at=r.received_at, kind="request", label=r.subject, request=r)
        for r in _their_requests(contact, user).order_by("-received_at")[:limit]
    ]
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]


@dataclass(frozen=True)
class Knower:
    user: User | None
    how: str


def who_in_the_hub_knows(contact: Contact, *, user: User) -> list[Knower]:
    """The hub's people linked to this person: the mailbox's exchanges (the leader's), project leads
    and teams of their requests. A member is told of the requests routed to them only, and not of the
    leader's mail."""
    knowers: list[Knower] = []
    exchanges = contact.count_in + contact.count_out
    if exchanges and may(user, "network_all"):
        leader = hub_leader()
        knowers.append(
            Knower(
                leader,
                ngettext("%(count)d exchange in the mailbox", "%(count)d exchanges in the mailbox", exchanges)
                % {"count": exchanges},
            )
        )
    seen = {k.user.pk for k in knowers if k.user}
    for request in (
        _their_requests(contact, user).filter(project__isnull=False).select_related("project__lead")
    ):
        project = request.project
        people = [(project.lead, _("leads “%(subject)s”"))]
        people += [(member, _("works on “%(subject)s”")) for member in project.team.all()]
        for user, how in people:
            if user.pk not in seen:
                seen.add(user.pk)
                knowers.append(Knower(user, how % {"subject": request.subject}))
    return knowers


@dataclass(frozen=True)
class CircleMatch:
    user: User
    evidence: str


def circle_matches(query: str, *, language: str = "fr") -> list[CircleMatch]:
    """The hub's own people whose offer statement, headline or skills answer `query`."""
    groups = query_groups(query)
    if not groups:
        return []
    found = []
    users = User.objects.filter(is_active=True, role__in=[Role.LEADER, Role.MEMBER]).order_by(
        "first_name", "pk"
    )
    profiles = {p.user_id: p for p in MemberProfile.objects.filter(user__in=users)}
    for user in users:
        profile = profiles.get(user.pk)
        texts = [user.offer_statement]
        if profile is not None:
            texts += [profile.headline(language), profile.skills]
        for text in texts:
            stems = set(fold_words(text or ""))
            if text and all(stems.intersection(group) for group in groups):
                found.append(CircleMatch(user, text))
                break
    return found
