from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cercle.accounts.models import Role
from cercle.accounts.permissions import NETWORK_ALL_ROLES, NETWORK_ROLES, may, role_required
from cercle.network.paths import introduction_paths
from cercle.people import selectors as people_selectors
from cercle.people.introductions import selectors, services
from cercle.people.introductions.forms import FavourForm, IntroduceForm, ThanksForm


@never_cache
@role_required(*NETWORK_ALL_ROLES)
def introduce(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Introduce me": choose the connector and say why; then edit the drafted request and send it."""
    user = request.user
    target = people_selectors.contact_get_for_user(user=user, pk=pk)  # type: ignore[arg-type]
    leader = user if user.role == Role.LEADER else None  # type: ignore[union-attr]
    # The connectors the path search ranks first (network/paths.py), the chosen one pre-selected.
    paths = introduction_paths(target_id=target.pk)
    chosen = request.GET.get("connector", "")
    best = paths[0].intermediaries[0].pk if paths else None
    initial = {
        "beneficiary": leader.pk if leader else None,
        "connector": int(chosen) if chosen.isdigit() else best,
    }
    form = IntroduceForm(request.POST or None, initial=initial, target=target, user=user)  # type: ignore[arg-type]
    context: dict[str, Any] = {"c": target, "form": form, "step": "choose", "paths": paths}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        connector, beneficiary = data["connector"], data["beneficiary"]
        try:
            services.introduction_check(target=target, connector=connector, beneficiary=beneficiary)
        except services.IntroductionError as error:
            form.add_error(None, str(error))
            return render(request, "people/introductions/introduce.html", context)
        context.update(step="edit", connector=connector, ledger=selectors.ledger_of(connector))
        if request.POST.get("action") == "send" and data["subject"] and data["body"]:
            try:
                services.introduction_start(
                    actor=user,  # type: ignore[arg-type]
                    target=target,
                    purpose=data["purpose"],
                    subject=data["subject"],
                    body=data["body"],
                    connector=connector,
                    beneficiary=beneficiary,
                )
            except services.IntroductionError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("The request is on its way to %(name)s, in their language.")
                    % {"name": connector.display_name},
                )
                return redirect("people:detail", target.pk)
        else:
            draft = services.introduction_draft(
                target=target, connector=connector, beneficiary=beneficiary, purpose=data["purpose"]
            )
            form = IntroduceForm(
                {**request.POST.dict(), "subject": draft.subject, "body": draft.body},
                target=target,
                user=user,  # type: ignore[arg-type]
            )
            form.is_valid()
            context["form"] = form
    return render(request, "people/introductions/introduce.html", context)


@never_cache
@role_required(*NETWORK_ROLES)
def introduction_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    full = may(user, "network_all")
    return render(
        request,
        "people/introductions/list.html",
        {
            "introductions": selectors.introductions_visible_to(user)[:200],  # type: ignore[arg-type]
            "thanks_due": list(selectors.thanks_due()[:100]) if full else [],
        },
    )


@require_POST
@role_required(*NETWORK_ALL_ROLES)
def favour_add(request: HttpRequest, pk: int) -> HttpResponse:
    contact = people_selectors.contact_get_for_user(user=request.user, pk=pk)  # type: ignore[arg-type]
    form = FavourForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what the help was."))
        return redirect("people:detail", contact.pk)
    try:
        services.favour_record(actor=request.user, contact=contact, **form.cleaned_data)  # type: ignore[arg-type]
    except services.IntroductionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Noted in the ledger."))
    return redirect("people:detail", contact.pk)


@never_cache
@role_required(*NETWORK_ALL_ROLES)
def favour_thank(request: HttpRequest, pk: int) -> HttpResponse:
    """The thanks: GET shows the draft; "mark thanked" or "send" (the edited draft, through the outbox)."""
    favour = selectors.favour_get_for_user(user=request.user, pk=pk)  # type: ignore[arg-type]
    if request.method == "POST":
        form = ThanksForm(request.POST)
        form.is_valid()
        send = request.POST.get("action") == "send"
        try:
            services.favour_thank(actor=request.user, favour=favour, send=send, **form.cleaned_data)  # type: ignore[arg-type]
        except services.IntroductionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Thanks sent.") if send else _("Marked as thanked."))
            return redirect("people:detail", favour.contact_id)
    else:
        draft = services.thanks_draft(favour=favour)
        form = ThanksForm(initial={"subject": draft.subject, "body": draft.body})
    return render(request, "people/introductions/thanks.html", {"favour": favour, "form": form})


_REFUSED_STATUS = {
    services.LinkRefused.FORGED: 400,
    services.LinkRefused.EXPIRED: 410,
    services.LinkRefused.USED: 409,
}


def introduction_link(request: HttpRequest, token: str) -> HttpResponse:
    """A connector's or a target's one-click answer. GET shows what it will do and never acts (mail
    scanners open links); the page's button posts and the service acts once."""
    try:
        if request.method == "POST":
            link = services.introduction_answer(token=token)
            return _link_page(request, "done", link.language, {"link": link})
        link = services.link_read(token)
        return _link_page(request, "confirm", link.language, {"link": link})
    except services.LinkRefused as refused:
        return _link_page(
            request, refused.reason, refused.language, {"refused": refused}, _REFUSED_STATUS[refused.reason]
        )


def _link_page(
    request: HttpRequest, page: str, language: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    # In the language of the person who received the link, whatever their browser says.
    with translation.override(language or settings.LANGUAGE_CODE):
        response = render(
            request,
            "people/introductions/link.html",
            {"page": page, "hub_name": settings.CERCLE["HUB_NAME"], **context},
            status=status,
        )
    response["Content-Language"] = language
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response
