"""Thin views: parse, call a service, render. Roles are checked here and again in the services."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from cercle.accounts.models import Role, User
from cercle.accounts.permissions import OVERSEE_ROLES, TRIAGE_ROLES, VALIDATE_ROLES, may, role_required
from cercle.accounts.selectors import hub_leader
from cercle.circulation import digest, selectors, services
from cercle.circulation.errors import CirculationError
from cercle.circulation.forms import (
    ClockSettingsForm,
    DecisionForm,
    DigestNoteForm,
    LeadKindForm,
    RequesterMailForm,
)
from cercle.circulation.gestures import gesture_run, thread_for_page
from cercle.circulation.leads import lead_kind_guess
from cercle.circulation.models import ClockSettings, Direction, LeadKind, Message, Request
from cercle.circulation.search import RESULTS, messages_search
from cercle.circulation.states import DismissReason, State
from cercle.mail.attachments import attachments_listed
from cercle.mail.linkedin_notice import conversation_url
from cercle.outbox.selectors import uncertain_for_request


@login_required
def home(request: HttpRequest) -> HttpResponse:
    role = request.user.role  # type: ignore[union-attr]
    target = {
        Role.SECOND: "triage:queue",
        Role.LEADER: "circulation:validation",
        Role.MEMBER: "circle:opportunities",
    }.get(role, "circulation:dashboard")
    return redirect(target)


@never_cache
@login_required
def search(request: HttpRequest) -> HttpResponse:
    """Search the mail (circulation/search.py): everyone, within what their role lets them read."""
    query = " ".join(request.GET.get("q", "").split())[:200]
    results = messages_search(user=request.user, query=query) if query else []  # type: ignore[arg-type]
    return render(request, "circulation/search.html", {"query": query, "results": results, "limit": RESULTS})


# --- Validation (the leader) -------------------------------------------------------------


@never_cache
@role_required(*VALIDATE_ROLES)
def validation(request: HttpRequest) -> HttpResponse:
    queue = list(selectors.validation_queue())
    return render(
        request,
        "circulation/validation.html",
        {"queue": queue, "shown": len(queue), "total": selectors.count_in_state(State.KEPT, State.DEFERRED)},
    )


def _validation_response(request: HttpRequest, req: Request, error: str | None, done: str) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        req.refresh_from_db()
        return render(
            request,
            "circulation/partials/_decision_card.html",
            {
                "r": req,
                "error": error,
                "done": None if error else done,
                # The count at the top of the queue follows the decision (out-of-band swap).
                "oob_count": True,
                "total": selectors.count_in_state(State.KEPT, State.DEFERRED),
            },
            status=409 if error else 200,
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect("circulation:validation")


@require_POST
@role_required(*VALIDATE_ROLES)
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    req, error = gesture_run(request, pk, DecisionForm, services.request_approve)
    return _validation_response(
        request, req, error, _("Approved: the requester is reassured and the second will route it.")
    )


@require_POST
@role_required(*VALIDATE_ROLES)
def decline(request: HttpRequest, pk: int) -> HttpResponse:
    req, error = gesture_run(request, pk, DecisionForm, services.request_decline)
    return _validation_response(request, req, error, _("Declined."))


@require_POST
@role_required(*VALIDATE_ROLES)
def defer(request: HttpRequest, pk: int) -> HttpResponse:
    req, error = gesture_run(request, pk, DecisionForm, services.request_defer)
    return _validation_response(request, req, error, _("Set aside for later."))


# --- Any role allowed to see the request --------------------------------------------------


@never_cache  # it shows mail and people: no copy in a shared or browser cache
@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    req = selectors.request_get_for_user(user=request.user, request_id=pk)  # type: ignore[arg-type]
    return _detail_page(request, req)


def _detail_page(
    request: HttpRequest, req: Request, *, write_form: RequesterMailForm | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    thread = thread_for_page(req, user=user)  # type: ignore[arg-type]
    for message in thread:
        if isinstance(message, Message):
            message.files = attachments_listed(message.attachments)  # type: ignore[attr-defined]
    if write_form is None and may(user, "triage") and req.requester.email:
        write_form = RequesterMailForm(
            initial={"subject": services.reply_subject(req), "token": uuid.uuid4().hex}
        )
    on_linkedin = None
    if may(user, "triage") and not req.requester.email:
        # Met on LinkedIn, no address: the answer leaves from LinkedIn, from their conversation or profile.
        inbound = [m for m in thread if isinstance(m, Message) and m.direction == Direction.INBOUND]
        conversation = next(
            (url for m in reversed(inbound) if (url := conversation_url(m.text or m.html))), ""
        )
        profile = req.requester.linkedin_url if req.requester.linkedin_url.startswith("https://") else ""
        if conversation or profile:
            on_linkedin = {"conversation": conversation, "profile": profile}
    return render(
        request,
        "circulation/detail.html",
        {
            "r": req,
            "events": selectors.history_for_user(request=req, user=user),  # type: ignore[arg-type]
            "thread": thread,
            "reasons": DismissReason.choices,
            "uncertain": uncertain_for_request(request_id=req.pk),
            "can_original": selectors.original_visible_to(request=req, user=user),  # type: ignore[arg-type]
            "requester_page": selectors.requester_page_visible_to(request=req, user=user),  # type: ignore[arg-type]
            "write_form": write_form,
            "on_linkedin": on_linkedin,
            "lead_kinds": LeadKind.choices,
            "lead_guess": _lead_guess(req),
        },
        status=status,
    )


def _lead_guess(req: Request) -> dict[str, str] | None:
    """What the debrief counts this request as while nobody said its kind: the rule's guess and its word."""
    if req.lead_kind:
        return None
    kind, word = lead_kind_guess(req.subject, req.summary)
    return {"label": str(LeadKind(kind).label), "word": word} if kind else None


@require_POST
@role_required(*TRIAGE_ROLES)
def write(request: HttpRequest, pk: int) -> HttpResponse:
    """The second writes to the requester. A refused message comes back with everything typed in it."""
    req = selectors.request_get_for_user(user=request.user, request_id=pk)  # type: ignore[arg-type]
    form = RequesterMailForm(request.POST)
    if form.is_valid():
        try:
            mail = services.request_write(
                actor=request.user,  # type: ignore[arg-type]
                request=req,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                token=form.cleaned_data["token"],
            )
        except CirculationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Your message to %(name)s is on its way.") % {"name": req.requester.display_name},
            )
            return redirect(f"{reverse('circulation:detail', args=[req.pk])}#out-{mail.pk}")
    return _detail_page(request, req, write_form=form, status=400)


@require_POST
@role_required(*TRIAGE_ROLES)
def lead_kind(request: HttpRequest, pk: int) -> HttpResponse:
    """The second or the leader says what kind of lead the request is (client, job, partnership…)."""
    req = selectors.request_get_for_user(user=request.user, request_id=pk)  # type: ignore[arg-type]
    form = LeadKindForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a kind of lead from the list."))
    else:
        try:
            services.request_lead_kind_set(
                actor=request.user,  # type: ignore[arg-type]
                request=req,
                lead_kind=form.cleaned_data["lead_kind"],
            )
        except CirculationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Kind of lead saved."))
    return redirect("circulation:detail", pk=req.pk)


@require_POST
@login_required
def kick_off(request: HttpRequest, pk: int) -> HttpResponse:
    _req, error = gesture_run(request, pk, DecisionForm, services.request_kick_off)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Project kicked off."))
    return redirect("projects:detail", pk=pk)


@role_required(*OVERSEE_ROLES)
def dashboard(request: HttpRequest) -> HttpResponse:
    try:
        window = max(1, min(int(request.GET.get("days", 90)), 3650))
    except ValueError:
        window = 90
    return render(
        request,
        "circulation/dashboard.html",
        {"d": selectors.dashboard(window_days=window), "at_risk": selectors.requests_at_risk()},
    )


# --- The clocks' settings (the leader or the second) ------------------------------------------


@require_http_methods(["GET", "POST"])
@role_required(*TRIAGE_ROLES)
def clock_settings(request: HttpRequest) -> HttpResponse:
    current = ClockSettings.current()
    # An unticked box sends nothing: an empty POST is still a form sent (not `request.POST or None`).
    form = ClockSettingsForm(request.POST if request.method == "POST" else None, instance=current)
    if request.method == "POST" and form.is_valid():
        services.clock_settings_update(actor=request.user, values=form.setting_values())  # type: ignore[arg-type]
        messages.success(request, _("Settings saved."))
        return redirect("circulation:clock_settings")
    return render(
        request,
        "circulation/clock_settings.html",
        {"form": form, "current": current, "time_zone": settings.TIME_ZONE},
        status=400 if form.is_bound else 200,
    )


# --- The leader's digest: one-click links, without signing in ------------------------------------

_REFUSED_STATUS = {
    digest.LinkRefused.FORGED: 400,
    digest.LinkRefused.OTHER_LEADER: 403,
    digest.LinkRefused.DECIDED: 409,
    digest.LinkRefused.USED: 410,
    digest.LinkRefused.EXPIRED: 410,
}


@never_cache
@require_http_methods(["GET", "POST"])
def digest_link(request: HttpRequest, token: str) -> HttpResponse:
    """A link of the leader's digest. GET shows what it will do and never acts (mail scanners open
    links); the page's button posts, with Django's CSRF check, and the service acts once."""
    viewer = request.user if request.user.is_authenticated else None
    try:
        if request.method == "POST":
            form = DigestNoteForm(request.POST)
            if not form.is_valid():
                link = digest.digest_link_read(token, viewer=viewer)  # type: ignore[arg-type]
                return _digest_page(request, "confirm", link.leader, {"link": link, "form": form}, 400)
            link = digest.digest_link_use(token=token, note=form.cleaned_data["note"], viewer=viewer)  # type: ignore[arg-type]
            return _digest_page(request, "done", link.leader, {"link": link})
        link = digest.digest_link_read(token, viewer=viewer)  # type: ignore[arg-type]
        return _digest_page(request, "confirm", link.leader, {"link": link, "form": DigestNoteForm()})
    except digest.LinkRefused as refused:
        return _digest_page(
            request, refused.reason, refused.leader, {"refused": refused}, _REFUSED_STATUS[refused.reason]
        )


def _digest_page(
    request: HttpRequest, page: str, leader: User | None, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    # In the leader's language, whatever the browser of the phone says; for a link nobody can read,
    # in the hub leader's.
    person = leader or hub_leader()
    language = person.language if person else settings.LANGUAGE_CODE
    with translation.override(language):
        response = render(
            request,
            "circulation/digest_link.html",
            {
                "page": page,
                "link_hours": settings.CERCLE.get("DIGEST_LINK_HOURS", 72),
                **context,
            },
            status=status,
        )
    response["Content-Language"] = language
    # The token is in the address: no other site learns it from a link on the page. Not "no-referrer",
    # which makes browsers send "Origin: null" with the form, and Django's CSRF check refuses that.
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response
