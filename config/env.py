"""Small helpers to read configuration from the environment (12-factor, defaults that run)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def secret_key_from(data_dir: Path) -> str:
    """Return SECRET_KEY from the environment, or one generated once into the data dir.

    The file is created with 0600 so that a first run needs nothing edited and the key
    survives restarts (sessions and signed links stay valid).
    """
    from_env = os.environ.get("SECRET_KEY")
    if from_env:
        return from_env
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def email_settings_from_url(url: str) -> dict[str, object]:
    """Translate EMAIL_URL (smtp://user:pass@host:port, smtps://..., ?starttls) into Django settings."""
    parsed = urlparse(url)
    query = parse_qs(parsed.query, keep_blank_values=True)
    scheme = parsed.scheme.lower()
    if scheme not in {"smtp", "smtps", "submission"}:
        raise ValueError(f"EMAIL_URL: unsupported scheme {parsed.scheme!r} (use smtp:// or smtps://)")
    use_ssl = scheme == "smtps"
    use_tls = scheme == "submission" or "starttls" in query or "tls" in query
    default_port = 465 if use_ssl else (587 if use_tls else 25)
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parsed.hostname or "localhost",
        "EMAIL_PORT": parsed.port or default_port,
        "EMAIL_HOST_USER": unquote(parsed.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
        "EMAIL_USE_SSL": use_ssl,
        "EMAIL_USE_TLS": use_tls,
        "EMAIL_TIMEOUT": 20,
    }


def load_dotenv(path: Path) -> None:
    """Read KEY=VALUE lines from a .env file; real environment variables win. Empty values are skipped."""
    if not path.is_file():
        return
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        key, value = key.strip(), value.strip().strip('"').strip("'")
        if value and key not in os.environ:
            os.environ[key] = value
