from __future__ import annotations

from django.http import HttpRequest, HttpResponse
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
