from __future__ import annotations

from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from cercle.accounts.models import User
from cercle.accounts.services import user_language_set


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
