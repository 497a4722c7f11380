"""Matchmaking on the screens: the suggestions with their reason, dismiss, and approve (edit the question
to the person with the need, then send it: the hub's introduction starts). Leader and second only."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cercle.accounts.permissions import NETWORK_ALL_ROLES, role_required
from cercle.people import matchmaking
from cercle.people.introductions.selectors import ledger_of
from cercle.people.models import Match, MatchState

SHOWN = 100


class MatchMailForm(forms.Form):
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=300)
    body = forms.CharField(
        label=gettext_lazy("The question to the person with the need"),
        widget=forms.Textarea(attrs={"rows": 14}),
    )


def _match(pk: int) -> Match:
    match = Match.objects.select_related("seeker", "provider", "request").filter(pk=pk).first()
    if match is None:
        raise Http404
    return match


@never_cache
@role_required(*NETWORK_ALL_ROLES)
def match_list(request: HttpRequest) -> HttpResponse:
    suggestions = list(matchmaking.matches_open()[:SHOWN])
    return render(request, "people/matches/list.html", {"suggestions": suggestions, "shown": SHOWN})


@require_POST
@role_required(*NETWORK_ALL_ROLES)
def match_refresh(request: HttpRequest) -> HttpResponse:
    report = matchmaking.matches_refresh()
    messages.success(
        request,
        _("Suggestions brought up to date: %(created)s new, %(removed)s no longer true.")
        % {"created": report.created, "removed": report.removed},
    )
    return redirect("people:matches")


@require_POST
@role_required(*NETWORK_ALL_ROLES)
def match_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        matchmaking.match_dismiss(actor=request.user, match=_match(pk))  # type: ignore[arg-type]
    except matchmaking.MatchError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Dismissed: this suggestion will not come back."))
    return redirect("people:matches")


@never_cache
@role_required(*NETWORK_ALL_ROLES)
def match_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the drafted question in the seeker's language, to edit. POST: send it."""
    match = _match(pk)
    if match.state != MatchState.OPEN:
        messages.error(request, _("This suggestion was already dealt with."))
        return redirect("people:matches")
    if request.method == "POST":
        form = MatchMailForm(request.POST)
        if form.is_valid():
            try:
                matchmaking.match_approve(actor=request.user, match=match, **form.cleaned_data)  # type: ignore[arg-type]
            except matchmaking.MatchError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("The question is on its way to %(name)s, in their language.")
                    % {"name": match.seeker.display_name},
                )
                return redirect("people:matches")
    else:
        draft = matchmaking.match_draft(match)
        form = MatchMailForm(initial={"subject": draft.subject, "body": draft.body})
    context = {"m": match, "form": form, "ledger": ledger_of(match.provider)}
    return render(request, "people/matches/approve.html", context)


urlpatterns = [
    path("matches/", match_list, name="matches"),
    path("matches/refresh/", match_refresh, name="match_refresh"),
    path("matches/<int:pk>/dismiss/", match_dismiss, name="match_dismiss"),
    path("matches/<int:pk>/approve/", match_approve, name="match_approve"),
]
