"""Creating, finding and revoking personal API tokens (the model's docstring says how they are kept)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cercle.accounts.models import User
from cercle.api.models import ApiToken, TokenScope

PREFIX = "crc_"
MAX_ACTIVE = 20  # per person: a token per tool, not a token per call
LAST_USE_EVERY = timedelta(minutes=1)  # "last used" is written at most this often


class TokenError(Exception):
    """A token that cannot be made, with a message for the person."""


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # shown once


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_create(*, user: User, name: str, scope: str) -> NewToken:
    name = " ".join(name.split())[:100]
    if not name:
        raise TokenError(_("Name the token after the tool that will use it."))
    if scope not in TokenScope.values:
        raise TokenError(_("Choose read only, or read and write."))
    if not user.is_active or not user.role:
        raise TokenError(_("Only the people of the hub can have tokens."))
    with transaction.atomic():
        if ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() >= MAX_ACTIVE:
            raise TokenError(
                _("You have %(count)s active tokens: revoke one you no longer use first.")
                % {"count": MAX_ACTIVE}
            )
        secret = PREFIX + secrets.token_urlsafe(32)
        token = ApiToken.objects.create(
            user=user, name=name, scope=scope, prefix=secret[: len(PREFIX) + 8], digest=_digest(secret)
        )
    return NewToken(token=token, secret=secret)


def token_revoke(*, user: User, token_id: int) -> ApiToken:
    """Revoke one of one's own tokens (an admin revokes anyone's from the admin site)."""
    token = ApiToken.objects.filter(pk=token_id, user=user).first()
    if token is None:
        raise TokenError(_("This token does not exist."))
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db()
    return token


def token_authenticate(secret: str) -> ApiToken | None:
    """The active token of an active person that this secret is, or None."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=_digest(secret), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USE_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
