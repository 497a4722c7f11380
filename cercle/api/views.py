"""The "API tokens" page: create (the secret shown once), list with last use, revoke. Every person of
the hub manages their own; a token acts with its person's role."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cercle.accounts.models import User
from cercle.api.models import ApiToken, TokenScope
from cercle.api.tokens import TokenError, token_create, token_revoke
from cercle.core.crypto import decrypt, encrypt


class TokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name (the tool that will use it)"), max_length=100)
    scope = forms.ChoiceField(
        label=gettext_lazy("Scope"), choices=TokenScope.choices, initial=TokenScope.READ
    )


# The new token's secret, between the creating POST and the page that shows it once (post, redirect,
# get: reloading that page creates nothing). Encrypted in the session, and removed as it is shown.
_SHOWN_ONCE = "api_token_shown_once"


@never_cache
@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = token_create(user=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except TokenError as error:
            form.add_error(None, str(error))
        else:
            request.session[_SHOWN_ONCE] = encrypt(made.secret)
            return redirect("api_tokens:tokens")
    kept = request.session.pop(_SHOWN_ONCE, None) if request.method == "GET" else None
    secret = decrypt(kept) if kept else None
    user: User = request.user  # type: ignore[assignment]  # login_required
    mine = ApiToken.objects.filter(user=user).order_by("revoked_at", "-created_at")[:100]
    response = render(request, "api/tokens.html", {"form": form, "secret": secret, "tokens": mine})
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@login_required
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        token = token_revoke(user=request.user, token_id=pk)  # type: ignore[arg-type]
    except TokenError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Token “%(name)s” (%(prefix)s…) revoked: it no longer works.")
            % {"name": token.name, "prefix": token.prefix},
        )
    return redirect("api_tokens:tokens")
