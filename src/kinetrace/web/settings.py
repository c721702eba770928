"""Django settings for the Kinetrace clinic app.

Environment:

* ``DATABASE_URL`` - any dj-database-url URL (``postgres://...``); default: SQLite file
  ``var/kinetrace.sqlite3`` in the repository (or ``$KINETRACE_VAR_DIR``).
* ``KINETRACE_DEBUG`` - ``1`` for development (a fixed dev secret key is then allowed).
* ``KINETRACE_SECRET_KEY`` / ``DJANGO_SECRET_KEY`` - required unless debugging.
* ``KINETRACE_ALLOWED_HOSTS`` - comma-separated; default loopback only.
* ``KINETRACE_HTTPS`` - ``1`` in production behind a TLS reverse proxy: HSTS, SSL redirect,
  secure cookies, ``X-Forwarded-Proto`` trusted (see docs/deploy.md).
* ``KINETRACE_TRUSTED_PROXY`` - ``1`` when a reverse proxy sets ``X-Forwarded-For`` (login
  throttling then uses the client address the proxy saw).
* ``KINETRACE_DEMO`` - ``1`` allows ``load_demo`` (a demo clinic with a published password).

The secret key is read from the environment, else from ``var/secret_key`` (the file
``scripts/run`` writes once).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("KINETRACE_VAR_DIR", PACKAGE_DIR.parents[2] / "var"))

DEBUG = os.environ.get("KINETRACE_DEBUG", "") == "1"
HTTPS = os.environ.get("KINETRACE_HTTPS", "") == "1"
DEMO = os.environ.get("KINETRACE_DEMO", "") == "1"
SECRET_KEY_FILE = VAR_DIR / "secret_key"


def _secret_key() -> str:
    key = os.environ.get("KINETRACE_SECRET_KEY") or os.environ.get("DJANGO_SECRET_KEY") or ""
    if not key and SECRET_KEY_FILE.is_file():
        key = SECRET_KEY_FILE.read_text(encoding="utf-8").strip()
    if key:
        return key
    # pytest (>= 8.2) sets PYTEST_VERSION: the test suite runs on the development key too.
    if DEBUG or os.environ.get("PYTEST_VERSION"):
        return "kinetrace-development-only-key-do-not-use-in-production-0123456789"
    raise ImproperlyConfigured(
        f"no secret key: set KINETRACE_SECRET_KEY, or run scripts/run once (it writes {SECRET_KEY_FILE}), "
        "or KINETRACE_DEBUG=1 for a development key"
    )


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = [h for h in os.environ.get("KINETRACE_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "ninja",  # serves the API docs' Swagger files locally (no CDN)
    "django_tasks",
    "django_tasks_db",
    "kinetrace.web.apps.WebConfig",
]

MIDDLEWARE = [
    "kinetrace.web.security.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "kinetrace.web.uploads.UploadLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "kinetrace.web.security.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "kinetrace.web.views.proms.PatientModeMiddleware",
]

ROOT_URLCONF = "kinetrace.web.urls"
FORM_RENDERER = "kinetrace.web.renderer.FormRenderer"  # Jinja2 for Django's widgets, Django templates otherwise
WSGI_APPLICATION = "kinetrace.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'kinetrace.sqlite3'}",
        conn_max_age=int(os.environ.get("KINETRACE_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrency on the embedded default: WAL (readers never block the writer), a busy timeout
    # (a writer waits for the lock instead of failing with "database is locked"), and every
    # transaction.atomic() starts with BEGIN IMMEDIATE (takes the write lock up front, so a read
    # inside a transaction cannot fail when it later writes).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL",
            "transaction_mode": "IMMEDIATE",
            "timeout": int(os.environ.get("KINETRACE_SQLITE_TIMEOUT", "30")),
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Accounts: argon2 first, short sessions that end with the browser, login throttling (axes).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
# Per account (whatever the address: a guessing run from many addresses) AND per address
# (whatever the account: password spraying). `kinetrace web axes_reset_username NAME` unlocks.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
# Every failed login is also kept as a log row (AccessFailureLog; the counters above are reset
# by a successful login from the same address, the log is not).
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_CLIENT_IP_CALLABLE = "kinetrace.web.security.client_ip"
TRUSTED_PROXY = os.environ.get("KINETRACE_TRUSTED_PROXY", "") == "1"
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
if HTTPS:  # production behind a TLS-terminating reverse proxy (docs/deploy.md)
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("KINETRACE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = os.environ.get("KINETRACE_HSTS_PRELOAD", "1") == "1"
    CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("KINETRACE_TRUSTED_ORIGINS", "").split(",") if o]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "patients"
LOGOUT_REDIRECT_URL = "login"

# Content-Security-Policy (django-csp): scripts only from the app itself (htmx and app.js are
# static files; no inline script), no plugins, no framing. Inline *styles* are allowed: the
# templates set widths (ranking bars) and htmx injects its indicator style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "media-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Two-factor authentication (django-otp: TOTP devices and static recovery codes).
OTP_TOTP_ISSUER = "Kinetrace"
KINETRACE_2FA_EXEMPT_URLS = (
    "login",
    "logout",
    "static",
    "home",
    "account_2fa",
    "account_2fa_verify",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
)
# Password-reset mail: the console by default (development); set KINETRACE_EMAIL_HOST for SMTP.
EMAIL_HOST = os.environ.get("KINETRACE_EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = int(os.environ.get("KINETRACE_EMAIL_PORT", "587"))
EMAIL_USE_TLS = True
EMAIL_HOST_USER = os.environ.get("KINETRACE_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("KINETRACE_EMAIL_PASSWORD", "")
DEFAULT_FROM_EMAIL = os.environ.get("KINETRACE_EMAIL_FROM", "kinetrace@localhost")

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
# Uploads: the size limit is enforced while the body is read (kinetrace.web.uploads).
FILE_UPLOAD_HANDLERS = [
    "kinetrace.web.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
KINETRACE_UPLOAD_MAX_BYTES = 2 * 1024 * 1024  # a case file; every route without its own limit

# Per-process cache for computed workbench states and page fragments; keys carry the episode's
# revision (bumped by every change), so a worker never serves a stale analysis.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "kinetrace",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    }
}

KINETRACE_WORKBENCH_CACHE_SECONDS = int(os.environ.get("KINETRACE_WORKBENCH_CACHE_SECONDS", "3600"))

# Background work (video analysis) goes through Django's task framework (django-tasks backport)
# with the database backend: a request only enqueues; `python -m kinetrace.web db_worker` runs it.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
#: Dotted path of a zero-argument factory returning a pose backend for video analysis
#: (None: the video package's default, MediaPipe). Tests point it at a fake.
KINETRACE_POSE_BACKEND = os.environ.get("KINETRACE_POSE_BACKEND") or None
VIDEO_MAX_BYTES = 300 * 1024 * 1024
KINETRACE_UPLOAD_LIMITS = {"videos": VIDEO_MAX_BYTES}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
#: A running video task that has not reported for this long is taken as dead (its worker was
#: killed): its row is marked failed (kinetrace.web.tasks.reap_stale_videos).
KINETRACE_TASK_LEASE_SECONDS = int(os.environ.get("KINETRACE_TASK_LEASE_SECONDS", "120"))

#: How long audit rows are kept (8 years: the usual minimum for adult health records in the UK;
#: set to the clinic's own rule). Deleted only by `kinetrace web prune_audit`.
KINETRACE_AUDIT_RETENTION_DAYS = int(os.environ.get("KINETRACE_AUDIT_RETENTION_DAYS", str(8 * 366)))

# Server errors: one line per error with the request id, method, route and the exception's type
# and frames; no request body, query string, or exception message (they can carry patient data).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "kinetrace.web.security.RequestIdFilter"}},
    "formatters": {"safe": {"()": "kinetrace.web.security.SafeFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": "safe"}},
    "loggers": {
        "axes": {"handlers": ["console"], "level": "WARNING"},
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "kinetrace": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
