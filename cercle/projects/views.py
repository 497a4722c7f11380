from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cercle.accounts.permissions import ROUTE_ROLES, may, may_run_project, role_required
from cercle.accounts.selectors import users_with_role
from cercle.circulation import services as circulation
from cercle.circulation.errors import CirculationError
from cercle.circulation.forms import CloseForm, DecisionForm
from cercle.circulation.gestures import gesture_run
from cercle.circulation.states import Outcome, State
from cercle.projects import selectors, services
from cercle.projects.forms import MeetingForm, StepForm, TeamForm, UpdateForm
from cercle.projects.models import Project
from cercle.projects.selectors import project_get_for_user


@never_cache
@role_required(*ROUTE_ROLES)
def overview(request: HttpRequest) -> HttpResponse:
    """Every project, in progress or closed, with its value and how long it waited for a project lead:
    for the leader (and the second) who no longer read every message."""
    outcome = request.GET.get("outcome", "")
    if outcome not in selectors.OUTCOME_FILTERS:
        outcome = ""
    period = request.GET.get("period", "year")
    if period not in selectors.PERIODS:
        period = "year"
    return render(
        request,
        "projects/overview.html",
        {
            "o": selectors.projects_overview(outcome=outcome, period=period),
            "outcome": outcome,
            "period": period,
            "outcomes": [
                ("", _("All")),
                ("open", _("In progress")),
                (Outcome.WON, _("Won")),
                (Outcome.LOST, _("Lost")),
                (Outcome.NO_GO, _("Abandoned")),
            ],
            "periods": [
                ("month", _("This month")),
                ("quarter", _("This quarter")),
                ("year", _("This year")),
                ("last_year", _("Last year")),
                ("all", _("All time")),
            ],
        },
    )


def _team_choices(project: Project) -> list[tuple[int, str]]:
    return [(u.pk, u.display_name) for u in services.project_team_candidates(project=project)]


@never_cache  # it shows mail and people: no copy in a shared or browser cache
@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_get_for_user(user=request.user, request_id=pk)  # type: ignore[arg-type]
    can_edit = services.project_can_edit(user=request.user, project=project)  # type: ignore[arg-type]
    # The team works in the project; the lead (or the second and the leader, for them) also kicks it
    # off, closes it and builds the team: the same rule as the services (accounts/permissions.py).
    can_run = can_edit and may_run_project(request.user, lead_id=project.lead_id)
    team_choices = _team_choices(project)
    can_build_team = bool(can_run and team_choices)
    typed = request.session.pop(_typed_key(pk), {})  # what a refused form held, shown once
    return render(
        request,
        "projects/detail.html",
        {
            "p": project,
            "r": project.request,
            "can_edit": can_edit,
            "can_run": can_run,
            "can_build_team": can_build_team,
            "updates": project.updates.select_related("author")[:30],
            "meeting_form": MeetingForm(
                initial={"when": typed.get("meeting", {}).get("when") or project.first_meeting_at}
            ),
            "update_form": UpdateForm(initial=typed.get("update", {})),
            "step_form": StepForm(initial=typed.get("step", {})),
            "team_form": TeamForm(member_choices=team_choices),
            "close_form": CloseForm(initial={"expected_state": project.request.state}),
            "close_warnings": services.project_close_warnings(project=project) if can_run else [],
            "can_reopen": project.request.state == State.CLOSED
            and (project.lead_id == request.user.pk or may(request.user, "validate")),
            "outcomes": Outcome.choices,
        },
    )


def _run(request: HttpRequest, pk: int, form_class: type, action: str) -> HttpResponse:
    project = project_get_for_user(user=request.user, request_id=pk)  # type: ignore[arg-type]
    kwargs = {"member_choices": _team_choices(project)} if form_class is TeamForm else {}
    form = form_class(request.POST, **kwargs)
    if not form.is_valid():
        _keep_typed(request, pk, action, form)
        messages.error(request, _errors_named(form))
        return redirect("projects:detail", pk=pk)
    try:
        if action == "meeting":
            services.project_set_meeting(actor=request.user, project=project, when=form.cleaned_data["when"])  # type: ignore[arg-type]
        elif action == "update":
            services.project_add_update(actor=request.user, project=project, text=form.cleaned_data["text"])  # type: ignore[arg-type]
        elif action == "step":
            services.checklist_add(actor=request.user, project=project, label=form.cleaned_data["label"])  # type: ignore[arg-type]
        elif action == "team":
            member = users_with_role("member").get(pk=form.cleaned_data["member"])
            services.project_add_member(actor=request.user, project=project, member=member)  # type: ignore[arg-type]
    except (CirculationError, PermissionDenied) as exc:
        _keep_typed(request, pk, action, form)
        messages.error(request, getattr(exc, "message", None) or str(exc))
    else:
        messages.success(request, _("Saved."))
    return redirect("projects:detail", pk=pk)


def _typed_key(pk: int) -> str:
    return f"project-typed:{pk}"


def _keep_typed(request: HttpRequest, pk: int, action: str, form: forms.Form) -> None:
    """A refused form's text comes back in it on the page (the redirect would lose it)."""
    if action in ("meeting", "update", "step"):
        request.session[_typed_key(pk)] = {action: {name: request.POST.get(name, "") for name in form.fields}}


def _errors_named(form: forms.Form) -> str:
    """Each error with its field's name: several forms share the page, "This field is required." alone
    does not say which."""
    return "; ".join(
        _("%(field)s: %(error)s") % {"field": form.fields[name].label, "error": " ".join(errors)}
        for name, errors in form.errors.items()
    )


@require_POST
@login_required
def meeting(request: HttpRequest, pk: int) -> HttpResponse:
    return _run(request, pk, MeetingForm, "meeting")


@require_POST
@login_required
def update(request: HttpRequest, pk: int) -> HttpResponse:
    return _run(request, pk, UpdateForm, "update")


@require_POST
@login_required
def step(request: HttpRequest, pk: int) -> HttpResponse:
    return _run(request, pk, StepForm, "step")


@require_POST
@login_required
def team(request: HttpRequest, pk: int) -> HttpResponse:
    return _run(request, pk, TeamForm, "team")


@require_POST
@login_required
def toggle_step(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    project = project_get_for_user(user=request.user, request_id=pk)  # type: ignore[arg-type]
    try:
        item = services.checklist_toggle(actor=request.user, project=project, item_id=item_id)  # type: ignore[arg-type]
    except CirculationError as exc:
        messages.error(request, exc.message)
        return redirect("projects:detail", pk=pk)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "projects/partials/_step.html", {"item": item, "p": project, "can_edit": True})
    return redirect("projects:detail", pk=pk)


@require_POST
@login_required
def close(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the outcome; with first steps open or the first meeting to come, only once confirmed."""
    project = project_get_for_user(user=request.user, request_id=pk)  # type: ignore[arg-type]
    form = CloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("projects:detail", pk=pk)
    try:
        services.project_close(
            actor=request.user,  # type: ignore[arg-type]
            project=project,
            outcome=form.cleaned_data["outcome"],
            value=form.cleaned_data["value"],
            note=form.cleaned_data["note"],
            expected_state=form.cleaned_data["expected_state"] or None,
            confirmed=request.POST.get("confirm") == "1",
        )
    except services.CloseNeedsConfirmation as exc:
        messages.error(
            request, _("Not closed: %(why)s Tick “Close it all the same” to confirm.") % {"why": exc.message}
        )
        return redirect("projects:detail", pk=pk)
    except CirculationError as exc:
        messages.error(request, exc.message)
        return redirect("projects:detail", pk=pk)
    messages.success(request, _("Outcome recorded."))
    return redirect("projects:detail", pk=pk)


@require_POST
@login_required
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    """A closed project starts again: the lead or the leader (the services check it)."""
    _req, error = gesture_run(request, pk, DecisionForm, circulation.request_reopen)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Project reopened."))
    return redirect("projects:detail", pk=pk)
