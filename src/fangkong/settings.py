"""The one settings module. Every knob comes from the environment through the
typed helpers in ``fangkong.lib.env``; see docs/operations.md for the list."""

from __future__ import annotations

import sys
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from fangkong.lib.env import env_bool, env_int, env_list, env_networks, env_optional, env_path, env_str
from fangkong.lib.secrets import demo_keys

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = env_path("FANGKONG_VAR_DIR", PROJECT_DIR / "var")

TESTING = "pytest" in sys.modules or env_bool("FANGKONG_TESTING", False)
# demo: keys generated into var/, DEBUG off unless asked. production: keys must be given.
MODE = env_str("FANGKONG_MODE", "demo", choices=("demo", "production"))

if MODE == "production":
    SECRET_KEY = env_str("FANGKONG_SECRET_KEY")
    DATA_KEY = env_str("FANGKONG_DATA_KEY")
else:
    _keys = demo_keys(VAR_DIR / "secrets.json")
    SECRET_KEY = env_optional("FANGKONG_SECRET_KEY") or _keys["SECRET_KEY"]
    DATA_KEY = env_optional("FANGKONG_DATA_KEY") or _keys["DATA_KEY"]
if len(DATA_KEY) < 40:
    raise ImproperlyConfigured("FANGKONG_DATA_KEY must be 32 random bytes, urlsafe-base64 encoded")

DEBUG = env_bool("FANGKONG_DEBUG", False)
ALLOWED_HOSTS = env_list("FANGKONG_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("FANGKONG_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_htmx",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "fangkong.core",
    "fangkong.regions",
    "fangkong.accounts",
    "fangkong.audit",
    "fangkong.people",
    "fangkong.ledgers",
    "fangkong.approvals",
    "fangkong.checkpoints",
    "fangkong.screening",
    "fangkong.followups",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After whitenoise: static files keep their long cache; everything else is no-store.
    "fangkong.core.middleware.PrivateResponseHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "fangkong.core.middleware.ChineseByDefaultMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "fangkong.core.middleware.SessionIdleRefreshMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "fangkong.core.middleware.DomainErrorMiddleware",
    "fangkong.audit.denials.DeniedAuditMiddleware",
    # Axes last: it needs the authenticated user and must see every login attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "fangkong.urls"
WSGI_APPLICATION = "fangkong.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fangkong.accounts.context_processors.acting",
            ],
            "builtins": ["fangkong.core.templatetags.fangkong"],
        },
    }
]

# --- database: SQLite by default (WAL, busy timeout), PostgreSQL when DATABASE_URL is set.
_database_url = env_optional("DATABASE_URL")
if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_URL must be a postgres:// URL")
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_path("FANGKONG_SQLITE_PATH", VAR_DIR / "fangkong.sqlite3"),
            "OPTIONS": {
                "timeout": 30,
                "transaction_mode": "IMMEDIATE",
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536;"
                    # REPLACE's deletions fire DELETE triggers (the audit trail's).
                    " PRAGMA recursive_triggers=ON;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- accounts and sessions
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, the signed-in user loaded without compiling a query each time.
    "fangkong.accounts.backends.PasswordBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Hashing cost is not what the tests test; argon2 itself is tested in accounts.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:login"
# Idle timeout: the session expires 30 minutes after the last request.
SESSION_COOKIE_AGE = env_int("FANGKONG_IDLE_TIMEOUT_SECONDS", 30 * 60, minimum=60)
# The expiry is pushed forward by core.middleware.SessionIdleRefreshMiddleware at
# most once a minute, not by a session write on every request.
SESSION_SAVE_EVERY_REQUEST = False
# Django's database sessions, loaded without compiling a query each time.
SESSION_ENGINE = "fangkong.accounts.sessions"
SESSION_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("FANGKONG_SECURE_COOKIES", MODE == "production")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Reverse proxies whose X-Forwarded-For is believed (core.http.client_ip): the
# addresses or networks of the proxies in front of `fangkong serve`.
FANGKONG_TRUSTED_PROXIES = env_networks("FANGKONG_TRUSTED_PROXIES")
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): scripts only from this server's own
# files, never inline (no inline <script>, no on...= handlers, no javascript:
# links: static/js/fangkong.js does that work), no eval. Styles may be inline
# (style="width:40%" progress bars; htmx's indicator style). Nothing is loaded
# from elsewhere: the platform runs on an intranet with no CDN.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Lockout after 5 failed attempts per username (django-axes), 30 minutes.
AXES_FAILURE_LIMIT = env_int("FANGKONG_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# The brief locks a username after 5 failures. Checkpoints share one NAT address,
# so locking by IP would lock a whole checkpoint out: W006 is deliberate here.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_ENABLE_ACCESS_FAILURE_LOG = False

# --- language and time
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["fangkong.formats"]
USE_THOUSAND_SEPARATOR = False  # only where a template asks (intcomma), never in codes and ids

# --- static files: served by the app itself (whitenoise); no CDN on a government intranet.
STATIC_URL = "/static/"
STATIC_ROOT = env_path("FANGKONG_STATIC_ROOT", VAR_DIR / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": VAR_DIR / "media"}},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
if TESTING:
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    WHITENOISE_USE_FINDERS = True
    WHITENOISE_AUTOREFRESH = True
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FANGKONG_IMPORT_MAX_BYTES = env_int("FANGKONG_IMPORT_MAX_BYTES", 40 * 1024 * 1024, minimum=1024)
FANGKONG_IMPORT_MAX_ROWS = env_int("FANGKONG_IMPORT_MAX_ROWS", 200_000, minimum=10)
# Imports at or above this many rows run as a background task with a progress bar.
FANGKONG_IMPORT_BACKGROUND_ROWS = env_int("FANGKONG_IMPORT_BACKGROUND_ROWS", 2000, minimum=1)
# Time budgets for reading an upload: inside a request (the first look and a
# small import run while the user waits) and in the background task. Past it
# the upload is refused / the job ends failed, saying why (lib/excel.Budget).
FANGKONG_IMPORT_REQUEST_SECONDS = env_int("FANGKONG_IMPORT_REQUEST_SECONDS", 20, minimum=1)
FANGKONG_IMPORT_TASK_SECONDS = env_int("FANGKONG_IMPORT_TASK_SECONDS", 20 * 60, minimum=10)

# --- background work: django-tasks with its database backend (no extra server).
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend" if TESTING else "django_tasks_db.DatabaseBackend",
    }
}

# --- logging: no personal data ever; see fangkong.core.logging.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "fangkong.core.logging.RedactPersonalData"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact"], "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": env_str("FANGKONG_LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False}},
}

# The city this deployment serves: destinations must lie under it.
FANGKONG_CITY_CODE = env_str("FANGKONG_CITY_CODE", "4106")
# The public self-report page's limits per client address. Mobile carriers put
# many phones behind one public address (carrier-grade NAT): the daily limit
# must leave room for a whole neighbourhood returning on the same day; the
# per-minute limit stops a script. Repeated reports of one person merge anyway.
FANGKONG_SELF_REPORT_PER_MINUTE = env_int("FANGKONG_SELF_REPORT_PER_MINUTE", 5, minimum=1)
FANGKONG_SELF_REPORT_PER_DAY = env_int("FANGKONG_SELF_REPORT_PER_DAY", 200, minimum=1)
# Reveals of full ID numbers and phones, per user, counted in the audit trail
# (so across all server processes); past the daily alert threshold the
# inspectors get an "alert" entry (fangkong.people.reveals).
FANGKONG_REVEALS_PER_MINUTE = env_int("FANGKONG_REVEALS_PER_MINUTE", 10, minimum=1)
FANGKONG_REVEALS_PER_HOUR = env_int("FANGKONG_REVEALS_PER_HOUR", 60, minimum=1)
FANGKONG_REVEAL_ALERT_PER_DAY = env_int("FANGKONG_REVEAL_ALERT_PER_DAY", 100, minimum=1)
FANGKONG_DEMO_PASSWORD = env_str("FANGKONG_DEMO_PASSWORD", "Fangkong-2020")
