"""Thin views for the triage: the queue and its gestures (keep, dismiss, restore), the brief, sender
rules, bulk dismissals, the quality page. Every view is for the triage roles (second, leader);
services check the role again."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cercle.accounts.permissions import TRIAGE_ROLES, role_required
from cercle.circulation import services as circulation
from cercle.circulation.forms import DecisionForm, DismissForm
from cercle.circulation.gestures import gesture_run, thread_for_page
from cercle.circulation.models import Request
from cercle.circulation.selectors import count_in_state, request_get_for_user
from cercle.circulation.states import DismissReason, State
from cercle.triage import selectors, services, tasks
from cercle.triage.forms import BriefForm, BulkDismissForm, RuleForm, UndoForm
from cercle.triage.models import Brief, RuleAction

# --- The queue and its gestures ------------------------------------------------------------


def queue_context(
    request: HttpRequest, selected_id: int | None = None, undo: dict[str, Any] | None = None
) -> dict[str, Any]:
    # The order the second chose (oldest first, or the machine's "serious" score) is kept on their account.
    order = selectors.queue_order_for(request.user)  # type: ignore[arg-type]
    queue = list(selectors.triage_queue(order=order))
    return {
        "queue": queue,
        "total": count_in_state(State.RECEIVED),
        "selected_id": selected_id or (queue[0].pk if queue else None),
        "reasons": DismissReason.choices,
        "order": order,
        "undo": undo,
    }


@never_cache  # Back must show the queue as it is now, not a copy still holding decided messages
@role_required(*TRIAGE_ROLES)
def queue(request: HttpRequest) -> HttpResponse:
    # An order in the address is the one shown, and becomes the person's order (a view preference,
    # harmless to set from a link, so the toggle stays a plain link).
    if request.GET.get("order") in selectors.TRIAGE_ORDERS:
        services.queue_order_set(actor=request.user, order=request.GET["order"])  # type: ignore[arg-type]
    return render(request, "triage/queue.html", queue_context(request))


@role_required(*TRIAGE_ROLES)
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    req = request_get_for_user(user=request.user, request_id=pk)  # type: ignore[arg-type]
    if not request.htmx:  # type: ignore[attr-defined]
        return redirect("circulation:detail", pk=req.pk)  # a bookmarked or shared preview: the full page
    return render(
        request,
        "triage/partials/_preview.html",
        {
            "r": req,
            "thread": thread_for_page(req),
            "reasons": DismissReason.choices,
            "panel": selectors.triage_panel(req),
        },
    )


def _queue_response(request: HttpRequest, selected_id: int | None = None) -> HttpResponse:
    """After a gesture from the queue: the refreshed queue for htmx, the queue page otherwise."""
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "triage/partials/_queue_body.html", queue_context(request, selected_id))
    return redirect("triage:queue")


def _decided(request: HttpRequest, req: Request, error: str | None, done: str) -> HttpResponse:
    """After a keep or a dismissal: the refreshed queue, and the confirmation with its Undo button."""
    if error:
        messages.error(request, error)
        return _queue_response(request)
    decision = selectors.decision_latest(actor=request.user, request=req)  # type: ignore[arg-type]
    if not request.htmx or decision is None:  # type: ignore[attr-defined]
        messages.success(request, done)
        return _queue_response(request)
    undo = {"event_id": decision.pk, "text": done, "seconds": services.undo_seconds()}
    return render(request, "triage/partials/_queue_body.html", queue_context(request, undo=undo))


@require_POST
@role_required(*TRIAGE_ROLES)
def keep(request: HttpRequest, pk: int) -> HttpResponse:
    req, error = gesture_run(request, pk, DecisionForm, circulation.request_keep)
    return _decided(request, req, error, _("Kept: “%(s)s” goes to the leader.") % {"s": req.subject})


@require_POST
@role_required(*TRIAGE_ROLES)
def dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    req, error = gesture_run(request, pk, DismissForm, circulation.request_dismiss)
    return _decided(request, req, error, _("Dismissed: “%(s)s”.") % {"s": req.subject})


@require_POST
@role_required(*TRIAGE_ROLES)
def undo(request: HttpRequest) -> HttpResponse:
    """The confirmation's Undo button (or `u`): the decision just made goes back to the queue, selected."""
    form = UndoForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Nothing to undo."))
        return _queue_response(request)
    try:
        req = services.decision_undo(actor=request.user, event_id=form.cleaned_data["event"])  # type: ignore[arg-type]
    except services.TriageError as exc:
        messages.error(request, exc.message)
        return _queue_response(request)
    messages.success(request, _("Undone: “%(s)s” is back in the triage queue.") % {"s": req.subject})
    return _queue_response(request, selected_id=req.pk)


@require_POST
@role_required(*TRIAGE_ROLES)
def restore(request: HttpRequest, pk: int) -> HttpResponse:
    _req, error = gesture_run(request, pk, DecisionForm, circulation.request_restore)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Back in the triage queue."))
    return redirect("circulation:detail", pk=pk)


# --- Rules, bulk dismissals, the brief, the quality page ----------------------------------


@require_POST
@role_required(*TRIAGE_ROLES)
def rule_create(request: HttpRequest, pk: int) -> HttpResponse:
    req = request_get_for_user(user=request.user, request_id=pk)  # type: ignore[arg-type]
    form = RuleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose who the rule is for and what it does."))
        return _queue_response(request)
    try:
        result = services.rule_create(
            actor=request.user,  # type: ignore[arg-type]
            request=req,
            scope=form.cleaned_data["scope"],
            action=form.cleaned_data["action"],
            reason=form.cleaned_data["reason"],
            apply_waiting=form.cleaned_data["apply_waiting"],
        )
    except services.TriageError as exc:
        messages.error(request, exc.message)
        return _queue_response(request)
    done = _("Rule created: %(rule)s.") % {"rule": result.rule.label}
    if result.applied:
        verb = (
            ngettext("%(n)d more waiting message kept.", "%(n)d more waiting messages kept.", result.applied)
            if result.rule.action == RuleAction.KEEP
            else ngettext(
                "%(n)d more waiting message dismissed.",
                "%(n)d more waiting messages dismissed.",
                result.applied,
            )
        )
        done += " " + verb % {"n": result.applied}
    if result.spared:
        done += " " + ngettext(
            "%(n)d from a known correspondent left for you.",
            "%(n)d from known correspondents left for you.",
            result.spared,
        ) % {"n": result.spared}
    if result.spared_person:
        done += " " + ngettext(
            "%(n)d that reads as a person writing left for you: never dismissed as spam automatically.",
            "%(n)d that read as a person writing left for you: never dismissed as spam automatically.",
            result.spared_person,
        ) % {"n": result.spared_person}
    messages.success(request, done)
    return _queue_response(request)


@require_POST
@role_required(*TRIAGE_ROLES)
def bulk_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    req = request_get_for_user(user=request.user, request_id=pk)  # type: ignore[arg-type]
    panel = selectors.triage_panel(req)
    form = BulkDismissForm(request.POST)
    if (
        panel.suggestion is None
        or not form.is_valid()
        or form.cleaned_data["sender_key"] != panel.suggestion.sender_key
    ):
        messages.error(request, _("The queue changed: nothing was dismissed. Look again."))
        return _queue_response(request)
    try:
        result = services.bulk_dismiss(
            actor=request.user,  # type: ignore[arg-type]
            sender_key=panel.suggestion.sender_key,
            reason=form.cleaned_data["reason"],
        )
    except services.TriageError as exc:
        messages.error(request, exc.message)
        return _queue_response(request)
    text = ngettext("%(n)d message dismissed.", "%(n)d messages dismissed.", result.dismissed) % {
        "n": result.dismissed
    }
    if result.spared:
        text += " " + ngettext(
            "%(n)d from a known correspondent left for you.",
            "%(n)d from known correspondents left for you.",
            result.spared,
        ) % {"n": result.spared}
    messages.success(request, text)
    return _queue_response(request)


@role_required(*TRIAGE_ROLES)
def brief(request: HttpRequest, pk: int) -> HttpResponse:
    req = request_get_for_user(user=request.user, request_id=pk)  # type: ignore[arg-type]
    instance = Brief.objects.filter(request=req).first() or services.brief_extract(request=req)
    partial = "triage/partials/_brief_form.html"
    if request.method == "POST":
        form = BriefForm(request.POST, instance=instance)
        if form.is_valid():
            data = form.cleaned_data
            saved = services.brief_update(
                actor=request.user,  # type: ignore[arg-type]
                request=req,
                fields=services.BriefFields(
                    person=data["person"],
                    organisation=data["organisation"],
                    role=data["role"],
                    need=data["need"],
                    goal=data["goal"],
                    deadline=data["deadline"],
                    urgency=data["urgency"],
                    budget=data["budget"],
                    language=data["language"],
                ),
            )
            if request.htmx:  # type: ignore[attr-defined]
                return render(
                    request,
                    "triage/partials/_brief.html",
                    # can_edit: the link to edit it again stays, and focus comes back to it.
                    {"brief": saved, "r": req, "saved": True, "can_edit": True},
                )
            messages.success(request, _("Brief saved: the leader will read it."))
            return redirect("circulation:detail", pk=req.pk)
    else:
        form = BriefForm(instance=instance)
    # A form with errors comes back with 200: htmx swaps only 2xx (and 409) answers into the page.
    template = partial if request.htmx else "triage/brief.html"  # type: ignore[attr-defined]
    return render(request, template, {"form": form, "r": req, "brief": instance})


@role_required(*TRIAGE_ROLES)
def rules(request: HttpRequest) -> HttpResponse:
    return render(request, "triage/rules.html", {"rules": selectors.rules_list()})


@require_POST
@role_required(*TRIAGE_ROLES)
def rule_delete(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule = selectors.rule_get(rule_id=rule_id)
    services.rule_deactivate(actor=request.user, rule=rule)  # type: ignore[arg-type]
    messages.success(request, _("Rule removed: %(rule)s.") % {"rule": rule.label})
    return redirect("triage:rules")


@role_required(*TRIAGE_ROLES)
def quality(request: HttpRequest) -> HttpResponse:
    min_decisions = int(settings.CERCLE.get("TRIAGE_MIN_DECISIONS", 30))
    return render(request, "triage/quality.html", {"q": selectors.quality(min_decisions=min_decisions)})


@require_POST
@role_required(*TRIAGE_ROLES)
def retrain(request: HttpRequest) -> HttpResponse:
    tasks.retrain(force=True)
    messages.success(request, _("Retraining started: the figures below change when it is done."))
    return redirect("triage:quality")
