"""Django settings for the Kinetrace clinic app.

Environment:

* ``DATABASE_URL`` - any dj-database-url URL (``postgres://...``); default: SQLite file
  ``var/kinetrace.sqlite3`` in the repository (or ``$KINETRACE_VAR_DIR``).
* ``KINETRACE_DEBUG`` - ``1`` for development (a fixed dev secret key is then allowed).
* ``KINETRACE_SECRET_KEY`` / ``DJANGO_SECRET_KEY`` - required unless debugging.
* ``KINETRACE_ALLOWED_HOSTS`` - comma-separated; default loopback only.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("KINETRACE_VAR_DIR", PACKAGE_DIR.parents[2] / "var"))

DEBUG = os.environ.get("KINETRACE_DEBUG", "") == "1"
SECRET_KEY = os.environ.get("KINETRACE_SECRET_KEY") or os.environ.get("DJANGO_SECRET_KEY") or ""
if not SECRET_KEY:
    # pytest (>= 8.2) sets PYTEST_VERSION: the test suite runs on the development key too.
    if not (DEBUG or os.environ.get("PYTEST_VERSION")):
        raise ImproperlyConfigured("Set KINETRACE_SECRET_KEY (or KINETRACE_DEBUG=1 for a development key).")
    SECRET_KEY = "kinetrace-development-only-key-do-not-use-in-production-0123456789"

ALLOWED_HOSTS = [h for h in os.environ.get("KINETRACE_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "ninja",  # serves the API docs' Swagger files locally (no CDN)
    "django_tasks",
    "django_tasks_db",
    "kinetrace.web.apps.WebConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "kinetrace.web.views.proms.PatientModeMiddleware",
]

ROOT_URLCONF = "kinetrace.web.urls"
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
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = os.environ.get("KINETRACE_HTTPS", "") == "1"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "patients"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

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
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"axes": {"handlers": ["console"], "level": "WARNING"}},
}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
