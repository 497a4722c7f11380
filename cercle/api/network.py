"""/api/v1/contacts, /projects, /introductions, /dashboard: the network and the circulation's figures,
through the same fetch-and-authorize helpers as the screens (a member: the people of their projects)."""

from __future__ import annotations

from typing import Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from cercle.accounts.models import User
from cercle.accounts.permissions import NETWORK_ROLES, OVERSEE_ROLES, require_role
from cercle.api import schemas as S
from cercle.api.requests import person_ref, user_ref
from cercle.circulation.selectors import dashboard, requests_visible_to
from cercle.network.explain import strength_reasons
from cercle.network.layers import layer_cutoffs, layer_of
from cercle.network.models import Contact
from cercle.network.search import who_can
from cercle.network.strength import contact_score
from cercle.people import selectors as people
from cercle.people.introductions.selectors import introductions_visible_to
from cercle.projects.models import Project

contacts = Router(tags=["contacts"])
projects = Router(tags=["projects"])
introductions = Router(tags=["introductions"])
figures = Router(tags=["dashboard"])

READ = S.ERRORS


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def contact_item(c: Contact, cutoffs: list[float]) -> dict:
    return {
        "id": c.pk,
        "name": c.display_name,
        "email": c.email,
        "organisation": c.organisation,
        "position": c.position,
        "score": contact_score(c),
        "layer": layer_of(c, cutoffs),
    }


class ContactFilters(Schema):
    q: str | None = Field(
        None, max_length=200, pattern=S.TEXT, description='"Who can do X?": words, French or English.'
    )
    limit: int = Field(20, ge=1, le=100)


@contacts.get("/", response={200: list[S.SearchHit], **READ}, summary="Who can do X? / the strongest ties")
def contact_list(request: HttpRequest, filters: Query[ContactFilters]) -> list[dict]:
    """With `q`: the people whose profile, notes or exchanges answer it, ranked by fit × strength, with
    the evidence. Without: the strongest ties first."""
    user = _user(request)
    require_role(user, NETWORK_ROLES)
    cutoffs = layer_cutoffs()
    if filters.q and filters.q.strip():
        hits = who_can(filters.q, limit=filters.limit, within=people.contact_ids_visible_to(user))
        return [
            {
                "contact": contact_item(h.contact, cutoffs),
                "fit": h.fit,
                "rank": h.rank,
                "evidence": [{"label": e.label, "text": e.text} for e in h.evidence],
            }
            for h in hits
        ]
    found = people.network_list(user)[: filters.limit]
    return [{"contact": contact_item(c, cutoffs), "fit": 0.0, "rank": 0.0, "evidence": []} for c in found]


@contacts.get("/{contact_id}", response={200: S.ContactDetail, **READ}, summary="One person's profile")
def contact_detail(request: HttpRequest, contact_id: S.Id) -> dict:
    user = _user(request)
    require_role(user, NETWORK_ROLES)
    c = people.contact_get_for_user(user=user, pk=contact_id)
    return {
        **contact_item(c, layer_cutoffs()),
        "what_they_do": c.what_they_do,
        "offers": c.offers,
        "needs": c.needs,
        "tags": c.tags,
        "how_we_met": c.how_we_met,
        "language": c.language,
        "reasons": strength_reasons(c),
        "first_at": c.first_at,
        "last_at": c.last_at,
    }


def project_item(p: Project) -> dict:
    r = p.request
    return {
        "id": p.pk,
        "request_id": r.pk,
        "subject": r.subject,
        "state": r.state,
        "lead": user_ref(p.lead),
        "team": [user_ref(u) for u in p.team.all()],
        "first_meeting_at": p.first_meeting_at,
        "created_at": p.created_at,
        "outcome": r.outcome,
        "outcome_value": r.outcome_value,
    }


class ProjectFilters(Schema):
    state: Literal["accepted", "kicked_off", "closed"] | None = Field(
        None, description="The request's state."
    )
    outcome: Literal["won", "lost", "no_go"] | None = None
    limit: int = Field(50, ge=1, le=200)


def projects_filtered(user: User, filters: ProjectFilters) -> QuerySet[Project]:
    """The projects of the requests `user` sees, by state and outcome (the list and the export)."""
    found = Project.objects.filter(request__in=requests_visible_to(user).values("pk"))
    if filters.state:
        found = found.filter(request__state=filters.state)
    if filters.outcome:
        found = found.filter(request__outcome=filters.outcome)
    return found


@projects.get("/", response={200: list[S.ProjectItem], **READ}, summary="Projects")
def project_list(request: HttpRequest, filters: Query[ProjectFilters]) -> list[dict]:
    """The projects of the requests the caller may see, newest first."""
    found = projects_filtered(_user(request), filters)
    rows = found.select_related("request", "lead").prefetch_related("team").order_by("-created_at", "-pk")
    return [project_item(p) for p in rows[: filters.limit]]


@introductions.get("/", response={200: list[S.IntroductionItem], **READ}, summary="Introductions")
def introduction_list(request: HttpRequest) -> list[dict]:
    """The leader and the second: all; a member: the introductions made for them."""
    user = _user(request)
    require_role(user, NETWORK_ROLES)
    return [
        {
            "id": i.pk,
            "kind": i.kind,
            "state": i.state,
            "connector": person_ref(i.connector),
            "target": person_ref(i.target),
            "beneficiary": user_ref(i.beneficiary),
            "purpose": i.purpose,
            "created_at": i.created_at,
            "closed_at": i.closed_at,
        }
        for i in introductions_visible_to(user)[:200]
    ]


class DashboardFilters(Schema):
    window_days: int = Field(90, ge=1, le=3650)


@figures.get("/", response={200: S.DashboardOut, **READ}, summary="The dashboard's figures")
def dashboard_figures(request: HttpRequest, filters: Query[DashboardFilters]) -> dict:
    require_role(_user(request), OVERSEE_ROLES)
    d = dashboard(window_days=filters.window_days)
    delay = d.median_lead_delay
    return {
        "window_days": d.window_days,
        "serious": d.serious,
        "answered_in_time": d.answered_in_time,
        "answer_rate": d.answer_rate,
        "median_lead_delay_hours": round(delay.total_seconds() / 3600, 1) if delay is not None else None,
        "leads_named": d.leads_named,
        "closed": d.closed_counts,
        "stages": [{"state": s.state, "count": s.count, "overdue": s.overdue} for s in d.stages],
    }
