"""Settings for the test suite: the real settings, with a throwaway data dir and tasks run inline."""

import os
import tempfile

os.environ.setdefault("CERCLE_DATA_DIR", tempfile.mkdtemp(prefix="cercle-test-"))

from config.settings import *  # noqa: F403
from config.settings import HUEY

# The tests' Dovecot listens on 127.0.0.1 (tests/mailsync/test_private_hosts.py turns this off).
CERCLE = {**CERCLE, "MAIL_ALLOW_PRIVATE_HOSTS": True}  # noqa: F405

# Tests sign in with force_login or the test client's login(), which django-axes cannot follow;
# tests/accounts/test_login_guard.py turns it on.
AXES_ENABLED = False

# Tasks run synchronously when enqueued; tests of the worker start a real consumer.
HUEY = {**HUEY, "immediate": True}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# A file, not memory: threads (race tests) and the live server see the same database.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}  # noqa: F405
