"""System checks: fail early on configuration that would lose data or mail."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.checks import Error, Warning, register


@register()
def data_dir_writable(app_configs: Any, **kwargs: Any) -> list[Any]:
    data_dir = settings.DATA_DIR
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return [Error(f"CERCLE_DATA_DIR {data_dir} cannot be created: {exc}", id="cercle.E001")]
    if not os.access(data_dir, os.W_OK):
        return [Error(f"CERCLE_DATA_DIR {data_dir} is not writable.", id="cercle.E001")]
    return []


@register(deploy=True)
def production_mail_configured(app_configs: Any, **kwargs: Any) -> list[Any]:
    if settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"):
        return [
            Warning(
                "EMAIL_URL is not set: outgoing mail is written to files in the data dir, not sent.",
                hint="Set EMAIL_URL=smtp://user:password@host:587?starttls",
                id="cercle.W001",
            )
        ]
    return []
