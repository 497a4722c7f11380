"""A CSV file kept between its upload and its column mapping.

Kept in the data dir under a random name (never the sender's file name), and reachable only from the
session that uploaded it: the session holds the tokens it may use. Files older than a day are removed
whenever a new one arrives, and a file is removed once imported.
"""

from __future__ import annotations

import re
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase

SESSION_KEY = "people_import_uploads"
MAX_AGE_SECONDS = 24 * 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def _folder() -> Path:
    return Path(settings.DATA_DIR) / "people-imports"


def _path(token: str) -> Path | None:
    return _folder() / f"{token}.csv" if _TOKEN.match(token) else None


def _tidy() -> None:
    folder = _folder()
    if not folder.is_dir():
        return
    limit = time.time() - MAX_AGE_SECONDS
    for old in folder.glob("*.csv"):
        try:
            if old.stat().st_mtime < limit:
                old.unlink()
        except OSError:  # removed meanwhile by another request
            pass


def upload_keep(session: SessionBase, *, data: bytes, name: str) -> str:
    """Keep these bytes for this session; the token names them in the next step's address."""
    _tidy()
    folder = _folder()
    folder.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(24)
    path = folder / f"{token}.csv"
    path.write_bytes(data)
    path.chmod(0o600)
    kept = dict(session.get(SESSION_KEY, {}))
    kept[token] = {"name": name[:200], "at": int(time.time())}
    session[SESSION_KEY] = kept
    return token


def upload_name(session: SessionBase, token: str) -> str:
    return str(session.get(SESSION_KEY, {}).get(token, {}).get("name", ""))


def upload_read(session: SessionBase, token: str) -> bytes | None:
    """The bytes kept under this token for this session; None if unknown, expired or imported."""
    if token not in session.get(SESSION_KEY, {}):
        return None
    path = _path(token)
    if path is None:
        return None
    try:
        return path.read_bytes()
    except OSError:
        return None


def upload_discard(session: SessionBase, token: str) -> None:
    kept = dict(session.get(SESSION_KEY, {}))
    if kept.pop(token, None) is not None:
        session[SESSION_KEY] = kept
    path = _path(token)
    if path is not None:
        path.unlink(missing_ok=True)
