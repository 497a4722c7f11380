"""Secrets at rest (mail account passwords): Fernet (AES-128-CBC + HMAC-SHA256) from `cryptography`.

The key comes from ``ENCRYPTION_KEY`` when set (a Fernet key, or several separated by commas: the
first encrypts, all decrypt — that is how a key is rotated), otherwise it is derived from
``SECRET_KEY`` with HKDF. Changing SECRET_KEY without setting ENCRYPTION_KEY to the old derived key
makes stored passwords unreadable: the account pages then ask for the password again.
"""

from __future__ import annotations

import base64
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


class SecretUnreadable(Exception):
    """A stored secret cannot be decrypted with the current keys."""


def derive_key(secret_key: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"cercle-secrets-at-rest", info=b"fernet")
    return base64.urlsafe_b64encode(hkdf.derive(secret_key.encode()))


@cache
def _fernet(keys: str, secret_key: str) -> MultiFernet:
    if keys:
        return MultiFernet([Fernet(k.strip().encode()) for k in keys.split(",") if k.strip()])
    return MultiFernet([Fernet(derive_key(secret_key))])


def _current() -> MultiFernet:
    return _fernet(getattr(settings, "ENCRYPTION_KEY", ""), settings.SECRET_KEY)


def encrypt(plain: str) -> str:
    return _current().encrypt(plain.encode()).decode() if plain else ""


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _current().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable("the stored secret cannot be decrypted with the current key") from exc
