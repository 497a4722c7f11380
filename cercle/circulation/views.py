"""Thin views: parse, call a service, render. Roles are checked here and again in the services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cercle.accounts.models import Role
from cercle.accounts.permissions import OVERSEE_ROLES, TRIAGE_ROLES, VALIDATE_ROLES, role_required
from cercle.circulation import selectors, services
from cercle.circulation.errors import CirculationError
from cercle.circulation.forms import CloseForm, DecisionForm, DismissForm
from cercle.circulation.models import Request
from cercle.circulation.states import DismissReason, State
from cercle.intake.mail.attachments import (
    MISSING,
    AttachmentUnavailable,
    attachment_content_type,
    attachment_filename,
    attachment_name,
    attachment_open,
    attachments_listed,
)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    role = request.user.role  # type: ignore[union-attr]
    target = {
        Role.SECOND: "circulation:triage",
        Role.LEADER: "circulation:validation",
        Role.MEMBER: "circle:opportunities",
    }.get(role, "circulation:dashboard")
    return redirect(target)


# --- Triage (the second) -----------------------------------------------------------------


def triage_context(request: HttpRequest, selected_id: int | None = None) -> dict[str, Any]:
    # The order the second chose (oldest first, or the machine's "serious" score) sticks for the session.
    order = request.session.get("triage_order", "age")
    queue = list(selectors.triage_queue(order=order))
    return {
        "queue": queue,
        "total": selectors.count_in_state(State.RECEIVED),
        "selected_id": selected_id or (queue[0].pk if queue else None),
        "reasons": DismissReason.choices,
        "order": order,
    }


@never_cache  # Back must show the queue as it is now, not a copy still holding decided messages
@role_required(*TRIAGE_ROLES)
def triage(request: HttpRequest) -> HttpResponse:
    if request.GET.get("order") in selectors.TRIAGE_ORDERS:
        request.session["triage_order"] = request.GET["order"]
    return render(request, "circulation/triage.html", triage_context(request))


@role_required(*TRIAGE_ROLES)
def triage_preview(request: HttpRequest, pk: int) -> HttpResponse:
    from cercle.triage.selectors import triage_panel

    req = selectors.request_get_for_user(user=request.user, request_id=pk)  # type: ignore[arg-type]
    if not request.htmx:  # type: ignore[attr-defined]
        return redirect("circulation:detail", pk=req.pk)  # a bookmarked or shared preview: the full page
    return render(
        request,
        "circulation/partials/_preview.html",
        {"r": req, "thread": _thread(req), "reasons": DismissReason.choices, "panel": triage_panel(req)},
    )


def _thread(req: Request) -> list[Any]:
    # The raw bytes stay in the database (they can be large): the page only needs to know they exist.
    has_raw = ExpressionWrapper(Q(raw_compressed__isnull=False), output_field=BooleanField())
    return list(req.messages.defer("raw_compressed").annotate(has_raw=has_raw).order_by("sent_at", "id")[:50])


def _act(
    request: HttpRequest, pk: int, form_class: type[DecisionForm], action: Callable[..., Any], **extra: Any
) -> tuple[Request, str | None]:
    """Run one decision; returns the request and an error message for the actor, if any."""
    req = selectors.request_get_for_user(user=request.user, request_id=pk)  # type: ignore[arg-type]
    form = form_class(request.POST)
    if not form.is_valid():
        errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        return req, errors
    data = {k: v for k, v in form.cleaned_data.items() if k not in ("value",)}
    data["expected_state"] = data.get("expected_state") or None
    data.update(extra)
    if "value" in form.cleaned_data:
        data["value"] = form.cleaned_data["value"]
    try:
        action(actor=request.user, request=req, **data)
    except CirculationError as exc:
        return req, exc.message
    return req, None


def _triage_response(request: HttpRequest, req: Request, error: str | None, done: str) -> HttpResponse:
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "circulation/partials/_triage_body.html", triage_context(request))
    return redirect("circulation:triage")


@require_POST
@role_required(*TRIAGE_ROLES)
def keep(request: HttpRequest, pk: int) -> HttpResponse:
    req, error = _act(request, pk, DecisionForm, services.request_keep)
    return _triage_response(request, req, error, _("Kept: “%(s)s” goes to the leader.") % {"s": req.subject})


@require_POST
@role_required(*TRIAGE_ROLES)
def dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    req, error = _act(request, pk, DismissForm, services.request_dismiss)
    return _triage_response(request, req, error, _("Dismissed: “%(s)s”.") % {"s": req.subject})


@require_POST
@role_required(*TRIAGE_ROLES)
def restore(request: HttpRequest, pk: int) -> HttpResponse:
    _req, error = _act(request, pk, DecisionForm, services.request_restore)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Back in the triage queue."))
    return redirect("circulation:detail", pk=pk)


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
    req, error = _act(request, pk, DecisionForm, services.request_approve)
    return _validation_response(
        request, req, error, _("Approved: the requester is reassured and the second will route it.")
    )


@require_POST
@role_required(*VALIDATE_ROLES)
def decline(request: HttpRequest, pk: int) -> HttpResponse:
    req, error = _act(request, pk, DecisionForm, services.request_decline)
    return _validation_response(request, req, error, _("Declined."))


@require_POST
@role_required(*VALIDATE_ROLES)
def defer(request: HttpRequest, pk: int) -> HttpResponse:
    req, error = _act(request, pk, DecisionForm, services.request_defer)
    return _validation_response(request, req, error, _("Set aside for later."))


# --- Any role allowed to see the request --------------------------------------------------


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    req = selectors.request_get_for_user(user=request.user, request_id=pk)  # type: ignore[arg-type]
    events = req.events.select_related("actor").order_by("at", "id")
    thread = _thread(req)
    for message in thread:
        message.files = attachments_listed(message.attachments)
    return render(
        request,
        "circulation/detail.html",
        {"r": req, "events": events, "thread": thread, "reasons": DismissReason.choices},
    )


@login_required
def attachment(request: HttpRequest, pk: int, message_pk: int, index: int) -> HttpResponse:
    """One attachment of a message of the request, as a download that a browser never renders."""
    req, entry = selectors.message_attachment_for_user(
        user=request.user,  # type: ignore[arg-type]
        request_id=pk,
        message_id=message_pk,
        index=index,
    )
    try:
        handle = attachment_open(entry)
    except AttachmentUnavailable as exc:
        return render(
            request,
            "circulation/attachment_unavailable.html",
            {"r": req, "name": attachment_name(entry), "reason": exc.label},
            status=410 if exc.reason == MISSING else 404,
        )
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment_filename(entry),
        content_type=attachment_content_type(entry),
    )
    # Belt and braces: even opened in place, it cannot sniff its way to HTML nor run anything.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def message_original(request: HttpRequest, pk: int, message_pk: int) -> HttpResponse:
    """The message exactly as received (or sent), as an .eml download: to forward it, or to keep it."""
    message = selectors.message_for_user(
        user=request.user,  # type: ignore[arg-type]
        request_id=pk,
        message_id=message_pk,
    )
    raw = message.raw
    if raw is None:
        raise Http404(_("This message was not received by mail: there is no original to download."))
    response = HttpResponse(raw, content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="message-{message.pk}.eml"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@login_required
def close(request: HttpRequest, pk: int) -> HttpResponse:
    _req, error = _act(request, pk, CloseForm, services.request_close)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Outcome recorded."))
    return redirect("projects:detail", pk=pk)


@require_POST
@login_required
def kick_off(request: HttpRequest, pk: int) -> HttpResponse:
    _req, error = _act(request, pk, DecisionForm, services.request_kick_off)
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
    return render(request, "circulation/dashboard.html", {"d": selectors.dashboard(window_days=window)})
