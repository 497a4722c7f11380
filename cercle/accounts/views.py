from __future__ import annotations

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.contrib.auth.views import LoginView, PasswordResetView
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from cercle.accounts.models import User
from cercle.accounts.services import user_language_set
from cercle.core import ratelimit


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Django's language switch, and a signed-in person's choice is kept on their account too."""
    response = set_language(request)
    if isinstance(request.user, User):  # signed in
        user_language_set(user=request.user, language=request.POST.get("language", ""))
    return response


class SignInView(LoginView):
    """Sign-in; the language the person signs in with is kept on the account, so the e-mails Cercle
    writes to them follow the language they use it in."""

    template_name = "accounts/login.html"

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        user = form.get_user()
        if isinstance(user, User):
            user_language_set(user=user, language=translation.get_language() or "")
        return response


class LimitedPasswordResetView(PasswordResetView):
    """The reset form, limited: a few mails an hour from one connection and for one address, so that it
    cannot be used to flood someone's mailbox (nor to probe addresses by timing)."""

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        limit: int = settings.PASSWORD_RESET_LIMIT_PER_HOUR
        email = form.cleaned_data["email"]
        from_here = ratelimit.hit(self.request, scope="pwreset-ip", limit=limit)
        for_address = ratelimit.hit(self.request, scope="pwreset-to", limit=limit, subject=email)
        if not (from_here and for_address):
            form.add_error(None, _("Too many requests for a new password: try again in an hour."))
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        return super().form_valid(form)
