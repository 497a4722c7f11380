from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cercle.accounts.permissions import ANSWER_OFFER_ROLES, ROUTE_ROLES, role_required
from cercle.circle import selectors, services
from cercle.circle.forms import DeclineOfferForm, RouteForm, SuggestColleagueForm
from cercle.circle.models import OfferMode, OfferState
from cercle.circle.ranking import rank_members
from cercle.circulation import selectors as circulation_selectors
from cercle.circulation.errors import CirculationError
from cercle.circulation.states import State

# The first members of the routing page shown with their reasons; the others on a lighter line, theirs
# fetched when asked for (see `route_reasons`).
EXPLAINED = 10


@role_required(*ROUTE_ROLES)
def routing(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "circle/routing.html",
        {
            "queue": list(circulation_selectors.routing_queue()),
            "total": circulation_selectors.count_in_state(State.APPROVED),
            "offered": list(circulation_selectors.offered_queue()),
        },
    )


@role_required(*ROUTE_ROLES)
def route(request: HttpRequest, pk: int) -> HttpResponse:
    req = circulation_selectors.request_get_for_user(user=request.user, request_id=pk)  # type: ignore[arg-type]
    if req.state not in (State.APPROVED, State.OFFERED):
        messages.info(
            request,
            _("This request is “%(state)s”: it cannot be offered to the circle now.")
            % {"state": req.get_state_display()},
        )
        return redirect("circulation:detail", pk=req.pk)
    members = list(selectors.members_with_load())
    # Best suggestion first (circle/ranking.py); the second can pick anyone. The reasons are said for the
    # first ones, for those who already have the offer or were ticked, and for whoever the second asks
    # about (`?why=`, or the "why?" link of each other member, which fetches them alone).
    ranked = {s.member_id: (i, s) for i, s in enumerate(rank_members(request=req, members=members))}
    members.sort(key=lambda m: ranked[m.pk][0])
    offers = {o.member_id: o for o in req.offers.all()}
    offered = {pk: o.state for pk, o in offers.items()}
    explained = (
        set(offered) | {_int(v) for v in request.POST.getlist("members")} | {_int(request.GET.get("why"))}
    )
    for rank, m in enumerate(members):
        m.suggestion = ranked[m.pk][1]  # type: ignore[attr-defined]
        m.explained = rank < EXPLAINED or m.pk in explained  # type: ignore[attr-defined]
        # Who already has it, and what they answered (its deadline, its place in line).
        m.offer_state = str(OfferState(offered[m.pk]).label) if m.pk in offered else ""  # type: ignore[attr-defined]
        m.offer = offers.get(m.pk)  # type: ignore[attr-defined]
    choices = [(m.pk, m.display_name) for m in members]
    if request.method == "POST":
        form = RouteForm(request.POST, member_choices=choices)
        if form.is_valid():
            by_pk = {m.pk: m for m in members}
            chosen = [by_pk[pk] for pk in form.cleaned_data["members"] if pk in by_pk]  # in the order chosen
            mode = form.cleaned_data["mode"]
            try:
                services.request_route(
                    actor=request.user,  # type: ignore[arg-type]
                    request=req,
                    members=chosen,
                    brief=form.cleaned_data["brief"],
                    expected_state=form.cleaned_data["expected_state"] or None,
                    mode=mode,
                    answer_hours=form.cleaned_data["answer_hours"],
                )
            except CirculationError as exc:
                form.add_error(None, exc.message)
            else:
                names = ", ".join(m.display_name for m in chosen)
                messages.success(
                    request,
                    _("Offered to %(names)s, one at a time in this order.") % {"names": names}
                    if mode == OfferMode.SEQUENTIAL and len(chosen) > 1
                    else _("Offered to %(names)s.") % {"names": names},
                )
                return redirect("circle:routing")
    else:
        current = max(offers.values(), key=lambda o: (o.round, o.position, o.pk), default=None)
        form = RouteForm(
            initial={
                "expected_state": req.state,
                "brief": selectors.route_brief_initial(request=req),
                # More members for an open offer: the way it was offered. A new routing: several at once,
                # the quickest to a named person (one at a time adds each member's answer time).
                "mode": current.mode if current and req.state == State.OFFERED else OfferMode.PARALLEL,
            },
            member_choices=choices,
        )
    for m in members:  # the order typed for each member, kept when the page comes back with an error
        m.order_value = form.data.get(f"order_{m.pk}", "") if form.is_bound else ""  # type: ignore[attr-defined]
    return render(
        request, "circle/route.html", {"r": req, "form": form, "members": members, "offered": offered}
    )


@role_required(*ROUTE_ROLES)
def route_reasons(request: HttpRequest, pk: int, member_id: int) -> HttpResponse:
    """Why one member is where they are in the routing of a request: their reasons alone (the routing page
    fetches them for a member shown without)."""
    req = circulation_selectors.request_get_for_user(user=request.user, request_id=pk)  # type: ignore[arg-type]
    suggestion = next((s for s in rank_members(request=req) if s.member_id == member_id), None)
    if suggestion is None:
        raise Http404(_("No such circle member."))
    if not request.htmx:  # type: ignore[attr-defined]
        return redirect(f"{reverse('circle:route', args=[req.pk])}?why={member_id}#member-{member_id}")
    return render(request, "circle/partials/_reasons.html", {"suggestion": suggestion})


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@role_required(*ANSWER_OFFER_ROLES)
def opportunities(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "circle/opportunities.html",
        {
            "offers": list(selectors.offers_for_member(user=user)),  # type: ignore[arg-type]
            "projects": list(selectors.projects_for_member(user=user)),  # type: ignore[arg-type]
            "past": list(selectors.past_offers_for_member(user=user)),  # type: ignore[arg-type]
            "decline_form": DeclineOfferForm(),
            "colleagues": list(selectors.colleagues_of(user=user)),  # type: ignore[arg-type]
        },
    )


@require_POST
@role_required(*ANSWER_OFFER_ROLES)
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    offer = services.offer_get_for_member(user=request.user, offer_id=pk)  # type: ignore[arg-type]
    try:
        req = services.offer_accept(actor=request.user, offer=offer)  # type: ignore[arg-type]
    except CirculationError as exc:
        messages.error(request, exc.message)
        return redirect("circle:opportunities")
    messages.success(request, _("You are the project lead. The requester has been introduced to you."))
    return redirect("projects:detail", pk=req.pk)


@require_POST
@role_required(*ANSWER_OFFER_ROLES)
def decline(request: HttpRequest, pk: int) -> HttpResponse:
    offer = services.offer_get_for_member(user=request.user, offer_id=pk)  # type: ignore[arg-type]
    form = DeclineOfferForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(form.errors["reason"]))
        return redirect("circle:opportunities")
    try:
        services.offer_decline(actor=request.user, offer=offer, reason=form.cleaned_data["reason"])  # type: ignore[arg-type]
    except CirculationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Declined. Thank you for saying why."))
    return redirect("circle:opportunities")


@require_POST
@role_required(*ANSWER_OFFER_ROLES)
def suggest(request: HttpRequest, pk: int) -> HttpResponse:
    """Decline and name a colleague ("suggest someone else"), who gets the offer next."""
    offer = services.offer_get_for_member(user=request.user, offer_id=pk)  # type: ignore[arg-type]
    form = SuggestColleagueForm(request.POST, colleagues=list(selectors.colleagues_of(user=request.user)))  # type: ignore[arg-type]
    if not form.is_valid():
        messages.error(request, "; ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("circle:opportunities")
    colleague = form.colleagues[form.cleaned_data["colleague"]]
    try:
        services.offer_suggest(
            actor=request.user,  # type: ignore[arg-type]
            offer=offer,
            colleague=colleague,
            note=form.cleaned_data["note"],
        )
    except CirculationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Thank you: %(name)s is offered it next, and the second is told.")
            % {"name": colleague.display_name},
        )
    return redirect("circle:opportunities")
