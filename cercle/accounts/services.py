"""Writes on a person's account."""

from __future__ import annotations

from django.conf import settings

from cercle.accounts.models import User


def user_language_set(*, user: User, language: str) -> bool:
    """Remember the language a person chose on screen: Cercle writes them e-mails and first steps in it."""
    if language not in dict(settings.LANGUAGES) or user.language == language:
        return False
    User.objects.filter(pk=user.pk).update(language=language)
    user.language = language
    return True
