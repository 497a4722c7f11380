"""Cercle settings: every value comes from the environment, with defaults that run out of the box.

See `.env.example` for the full list. The embedded default is SQLite + huey on SQLite in
`CERCLE_DATA_DIR`; set DATABASE_URL / REDIS_URL for PostgreSQL / Redis.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _

from config.env import (
    email_settings_from_url,
    env_bool,
    env_int,
    env_list,
    env_str,
    load_dotenv,
    secret_key_from,
)

BASE_DIR = Path(__file__).resolve().parent.parent
load_dotenv(BASE_DIR / ".env")
DATA_DIR = Path(env_str("CERCLE_DATA_DIR", str(BASE_DIR / "data"))).resolve()
PRODUCTION = env_str("CERCLE_ENV", "development") == "production"

# Off unless asked for (DEBUG=1 when working on Cercle): `make run` serves real users, whose mail it
# holds, and a debug page shows settings and every URL.
DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = secret_key_from(DATA_DIR)
# Secrets at rest (mail passwords): Fernet key(s), comma-separated; derived from SECRET_KEY when empty.
ENCRYPTION_KEY = env_str("ENCRYPTION_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "axes",
    "huey.contrib.djhuey",
    # In the order of the layers (lowest first): see docs/architecture.md and `make contracts`.
    "cercle.core",
    "cercle.accounts",
    "cercle.outbox",
    "cercle.network",
    "cercle.circulation",
    "cercle.triage",
    "cercle.intake",
    "cercle.mailsync",
    "cercle.projects",
    "cercle.circle",
    "cercle.people",
    "cercle.api",
    "cercle.demo",
    "ninja",  # the API's browsable docs, served from its own static files (no CDN)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Database settings read by many rows of a page (the clocks' limits) are read once per request.
    "cercle.core.memo.RequestMemoMiddleware",
    "axes.middleware.AxesMiddleware",  # last: it answers for a locked-out sign-in
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "cercle" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "cercle.core.context_processors.cercle",
            ],
        },
    }
]

# --- Database: SQLite (WAL) in the data dir unless DATABASE_URL says otherwise.
DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
else:
    DATABASES = {
        "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(DATA_DIR / "cercle.sqlite3")}
    }
SQLITE_PAGE_BYTES = 32 * 1024
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the worker write while pages read; IMMEDIATE avoids the
        # "database is locked" upgrade deadlock between two writers. Pages of 32 KB (SQLITE_PAGE_BYTES)
        # for a new database only (an existing one keeps its own): a message's row (its text and its
        # compressed source, several KB) then fits in one page instead of a chain of overflow pages,
        # and an import's commits write a fraction of the pages (docs/subsystems/intake.md).
        "init_command": (
            f"PRAGMA page_size={SQLITE_PAGE_BYTES}; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA busy_timeout=10000;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (rate limits): Redis when available, else a file cache shared by web and worker.
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    }

# --- Background work: huey on SQLite in the data dir, or on Redis.
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "cercle",
        "url": REDIS_URL,
        "immediate": False,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "cercle",
        "filename": str(DATA_DIR / "huey.sqlite3"),
        "immediate": False,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
# Guessing passwords (django-axes): after AXES_FAILURE_LIMIT wrong passwords in a row for one username,
# or from one address, sign-in is refused for AXES_COOLOFF_TIME, with a page that says so and until when.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("CERCLE_LOGIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("CERCLE_LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own: the account, and the address
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_VERBOSE = False
# Password-reset mails asked for, per hour: from one address (IP), and for one e-mail address.
PASSWORD_RESET_LIMIT_PER_HOUR = env_int("CERCLE_PASSWORD_RESET_LIMIT", 5)
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Languages: French first, English second.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "cercle" / "locale"]
# Dates and times in each reader's language and typography (cercle/core/formats/<language>/formats.py).
FORMAT_MODULE_PATH = ["cercle.core.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("TIME_ZONE", "Europe/Paris")

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "cercle" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = DATA_DIR / "media"
# Without collectstatic (the embedded default), serve straight from the apps' static folders.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG and not PRODUCTION
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # empty here (finders serve); whitenoise wants it

# --- Outgoing mail: SMTP from EMAIL_URL, else written to files in the data dir (nothing lost).
EMAIL_URL = env_str("EMAIL_URL", "")
if EMAIL_URL:
    globals().update(email_settings_from_url(EMAIL_URL))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(DATA_DIR / "sent-mail")
# The defaults of the hub's sender: the Settings page overrides them (outbox.HubIdentity).
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Cercle <cercle@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Cercle's own knobs.
CERCLE: dict[str, Any] = {
    # How long a request may wait at each stage before it is flagged (hours).
    "STAGE_LIMITS_HOURS": {
        "received": env_int("CERCLE_LIMIT_RECEIVED_HOURS", 24),
        "kept": env_int("CERCLE_LIMIT_KEPT_HOURS", 48),
        "deferred": env_int("CERCLE_LIMIT_DEFERRED_HOURS", 168),
        "approved": env_int("CERCLE_LIMIT_APPROVED_HOURS", 24),
        "offered": env_int("CERCLE_LIMIT_OFFERED_HOURS", 48),
        "accepted": env_int("CERCLE_LIMIT_ACCEPTED_HOURS", 168),
        # Not a state: from the project lead's naming to a first meeting set in the project.
        "first_meeting": env_int("CERCLE_LIMIT_FIRST_MEETING_HOURS", 336),
    },
    # The clocks (circulation/escalation.py): after a stage's limit, a reminder to whoever holds the
    # request; this many hours later an escalation to the second, as many again to the leader. The
    # leader's digest (circulation/digest.py): local time, days (0 = Monday), its links' lifetime. All
    # but the last are defaults of the clocks' settings page.
    "ESCALATION_DELAY_HOURS": env_int("CERCLE_ESCALATION_DELAY_HOURS", 24),
    "DIGEST_TIME": env_str("CERCLE_DIGEST_TIME", "08:00"),
    "DIGEST_DAYS": env_str("CERCLE_DIGEST_DAYS", "0,1,2,3,4"),
    "DIGEST_LINK_HOURS": env_int("CERCLE_DIGEST_LINK_HOURS", 72),
    "ANSWER_TARGET_HOURS": env_int("CERCLE_ANSWER_TARGET_HOURS", 48),
    # How long a member has to answer an offer before it moves on to the next one (the routing page
    # may set another time for each routing): short enough that one member and the next fit within
    # the answer target above.
    "OFFER_ANSWER_HOURS": env_int("CERCLE_OFFER_ANSWER_HOURS", 24),
    # The currency of outcome values (ISO code): amounts are shown "4 500 €" / "€4,500".
    "CURRENCY": env_str("CERCLE_CURRENCY", "EUR"),
    "OUTBOX_MAX_ATTEMPTS": env_int("CERCLE_OUTBOX_MAX_ATTEMPTS", 8),
    "FORM_RATE_LIMIT": env_int("CERCLE_FORM_RATE_LIMIT", 5),  # submissions per IP per hour
    "MAX_BODY_CHARS": env_int("CERCLE_MAX_BODY_CHARS", 200_000),
    # Mail import: attachments larger than this (bytes) are listed but not written to disk.
    "MAX_ATTACHMENT_BYTES": env_int("CERCLE_MAX_ATTACHMENT_BYTES", 20 * 1024 * 1024),
    # A message to more people than this is no personal exchange: no interaction is recorded.
    "INTERACTION_MAX_RECIPIENTS": env_int("CERCLE_INTERACTION_MAX_RECIPIENTS", 10),
    # The network (network/strength.py, network/noise rules): who counts as a contact, the Dunbar
    # layers' sizes, the weekly keep-in-touch plan.
    "NETWORK": {
        # Count anyone who wrote person-to-person, even if nobody answered (default: only people the
        # hub wrote to, chose, or is connected with on LinkedIn).
        "COUNT_INBOUND_ONLY": env_bool("CERCLE_NETWORK_COUNT_INBOUND_ONLY", False),
        "LAYERS": [5, 15, 50, 150],
        "KEEP_IN_TOUCH_PER_WEEK": env_int("CERCLE_KEEP_IN_TOUCH_PER_WEEK", 5),
        # Not more than once in this many days to the same person ("don't become living spam").
        "MIN_DAYS_BETWEEN_CONTACTS": env_int("CERCLE_MIN_DAYS_BETWEEN_CONTACTS", 14),
    },
    "HUB_NAME": env_str("CERCLE_HUB_NAME", "Cercle"),
    # The API (cercle/api): requests per token, in ninja's rate format ("120/m", "10/s", "5000/h").
    "API_RATE": env_str("CERCLE_API_RATE", "120/m"),
    # Where answers to the hub's mail go (Reply-To), unless the Settings page names another; empty: the
    # leader's address for mail in the leader's name, the sender's for the rest.
    "REPLY_TO": env_str("CERCLE_REPLY_TO", ""),
    # The leader's weekly status mail per project in progress: a project without a status update nor a
    # step done for this many days is "stalled" and named even in a week without news.
    "PROJECT_STALLED_DAYS": env_int("CERCLE_PROJECT_STALLED_DAYS", 14),
    # IMAP sync: how often the worker looks at each mailbox, and how many messages per fetch.
    "MAIL_SYNC_MINUTES": env_int("CERCLE_MAIL_SYNC_MINUTES", 1),
    "MAIL_SYNC_BATCH": env_int("CERCLE_MAIL_SYNC_BATCH", 100),
    "MAIL_TIMEOUT_SECONDS": env_int("CERCLE_MAIL_TIMEOUT_SECONDS", 30),
    # The worker listens to each inbox (IMAP IDLE) so that new mail arrives within seconds; the sync above
    # stays as the safety net. Off: every-minute checks only. The listener re-issues IDLE this often
    # (RFC 2177: servers may drop a client idle for 30 minutes).
    "MAIL_IDLE": env_bool("CERCLE_MAIL_IDLE", default=True),
    "MAIL_IDLE_RENEW_MINUTES": env_int("CERCLE_MAIL_IDLE_RENEW_MINUTES", 25),
    # "Test the connection" on the mailbox page: the worker gives up on a silent server after this.
    "MAIL_TEST_TIMEOUT_SECONDS": env_int("CERCLE_MAIL_TEST_TIMEOUT_SECONDS", 5),
    # Mailboxes on loopback, link-local or private addresses (a mail server on the same machine or LAN):
    # refused unless allowed, so that a mailbox form cannot probe the hub's own network (169.254.169.254…).
    "MAIL_ALLOW_PRIVATE_HOSTS": env_bool("CERCLE_MAIL_ALLOW_PRIVATE_HOSTS", default=False),
    # Webhooks (docs/webhooks.md) toward such addresses are refused too, when an endpoint is saved and at
    # each delivery, unless allowed (a receiver on the same machine or LAN).
    "WEBHOOKS_ALLOW_PRIVATE": env_bool("CERCLE_WEBHOOKS_ALLOW_PRIVATE", default=False),
    # Background jobs that must run one at a time (a mailbox's sync, the triage) hold a lease that their
    # process renews every third of this; a killed worker's lease expires after it (core/leases.py).
    "LEASE_SECONDS": env_int("CERCLE_LEASE_SECONDS", 60),
    # Triage: the hub's own model starts after this many decisions by the second (keep + dismiss),
    # retrains (hourly) once this many new ones were made, and learns from at most this many.
    "TRIAGE_MIN_DECISIONS": env_int("CERCLE_TRIAGE_MIN_DECISIONS", 30),
    "TRIAGE_RETRAIN_MIN_NEW": env_int("CERCLE_TRIAGE_RETRAIN_MIN_NEW", 10),
    "TRIAGE_MAX_EXAMPLES": env_int("CERCLE_TRIAGE_MAX_EXAMPLES", 5000),
}

# --- Content-Security-Policy on every page: scripts only from our own files (no inline script, no
# handler attribute, no eval). Styles may be inline (style attributes in the templates). Images may come
# from anywhere only for a mail's frame, whose own policy blocks them until someone allows its sender
# (cercle/mail/html.py): the frame inherits this policy, so this one must not be stricter for images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "cid:", "https:", "http:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Security: safe defaults; production turns on the HTTPS-only settings.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"refusals_in_one_line": {"()": "cercle.core.logging.RefusalsInOneLine"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["refusals_in_one_line"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
