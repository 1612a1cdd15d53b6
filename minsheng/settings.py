"""Minsheng settings: one file, every deployment difference comes from the environment.

Embedded default: SQLite in var/ and huey on SQLite, nothing else to start.
City scale: DATABASE_URL (PostgreSQL) and REDIS_URL (huey on Redis, shared cache).

Every setting the project reads is declared here, with its default; README.md's "Configuration" table
lists them. A value that cannot be read (a boolean "ture", a number "5x", weights that do not add up)
stops the start with ImproperlyConfigured naming the variable, instead of quietly becoming a default.
Importing this module creates nothing on disk: the commands that need var/ make it (Makefile, bin/serve).
"""

import math
import os
import re
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    """A boolean from the environment: 1/true/yes/on or 0/false/no/off in any case; unset or empty is the
    default. Anything else (a typo such as "ture") raises, rather than silently meaning False."""
    raw = os.environ.get(name, "")
    value = raw.strip().lower()
    if value == "":
        return default
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a boolean: use one of {', '.join(TRUE_WORDS)} or {', '.join(FALSE_WORDS)} "
        f"(any case), or leave it empty for the default ({str(default).lower()})")


def _env_number(name: str, default, parse, what: str, minimum, maximum):
    """A number from the environment read by `parse` (unset or empty: the default), from `minimum` to
    `maximum`; anything else raises naming the variable."""
    raw = os.environ.get(name, "")
    if raw.strip() == "":
        return default
    try:
        value = parse(raw.strip())
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise ImproperlyConfigured(f"{name}={raw!r} is not {what} (default {default})")
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r} must be at least {minimum} (default {default})")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name}={raw!r} must be at most {maximum} (default {default})")
    return value


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    return _env_number(name, default, int, "a whole number", minimum, maximum)


def env_float(name: str, default: float, *, minimum: float | None = None) -> float:
    return _env_number(name, default, float, "a number", minimum, None)


def env_weights(name: str, default: str, *, count: int = 3) -> tuple[float, ...]:
    """`count` non-negative numbers, comma separated, that add up to 1 (unset or empty: the default)."""
    raw = os.environ.get(name, "")
    text = raw.strip() or default
    try:
        weights = tuple(float(w) for w in text.split(","))
    except ValueError:
        weights = ()
    if (len(weights) != count or not all(math.isfinite(w) and w >= 0 for w in weights)
            or abs(sum(weights) - 1) > 1e-9):
        raise ImproperlyConfigured(
            f"{name}={raw!r} must be {count} non-negative numbers, comma separated, adding up to 1 "
            f"(default {default})")
    return weights


def env_ascending(name: str, default: str) -> tuple[int, ...]:
    """Whole numbers above 0, comma separated, each larger than the one before (unset or empty: the default)."""
    raw = os.environ.get(name, "")
    text = raw.strip() or default
    try:
        numbers = tuple(int(n) for n in text.split(","))
    except ValueError:
        numbers = ()
    if not numbers or numbers[0] < 1 or any(b <= a for a, b in zip(numbers, numbers[1:], strict=False)):
        raise ImproperlyConfigured(
            f"{name}={raw!r} must be whole numbers above 0, comma separated, each larger than the one before "
            f"(default {default})")
    return numbers


BASE_DIR = Path(__file__).resolve().parent.parent
# SQLite files, huey's SQLite queue, collected static files, default media. Made by `make` and bin/serve
# (`mkdir -p`), never here: importing the settings has no side effects.
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", "insecure-dev-key-set-SECRET_KEY-in-production")
ALLOWED_HOSTS = env_str("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in env_str("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
CSRF_FAILURE_VIEW = "core.views.csrf_failure"  # an expired form: a page in Chinese that keeps what was typed

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # the API docs' Swagger UI from static files, not a CDN (the Content-Security-Policy allows only 'self')
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "huey.contrib.djhuey",
    "core",
    "places",
    "people",
    "sites",
    "needs",
    "offers",
    "volunteering",
    "meetings",
    "mediation",
    "ledger",
    "interop",
    "rosters",
    "minsheng",  # the top: the home page (templates, translations)
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.SecurityHeadersMiddleware",  # Content-Security-Policy, Permissions-Policy
    "core.api.JsonErrorsMiddleware",  # every error under /api/ in the API's JSON shape
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "core.middleware.NulRefusingMiddleware",  # a 400 page for a NUL character anywhere in a page's request
]

ROOT_URLCONF = "minsheng.urls"
WSGI_APPLICATION = "minsheng.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "minsheng.context_processors.roles",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            # Django's SQLite backend with writers queued on a lock file (core/sqlite/base.py).
            "ENGINE": "core.sqlite",
            "NAME": env_str("SQLITE_PATH", str(VAR_DIR / "minsheng.sqlite3")),
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so two writers queue on busy_timeout
                # instead of failing with "database is locked" when one upgrades a read lock.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA busy_timeout=20000; PRAGMA foreign_keys=ON;"
                ),
            },
            # A file, not memory, so that concurrency tests use real connections; one per test process,
            # so that two runs in one checkout do not share it.
            "TEST": {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Background work ------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL and (_worker := os.environ.get("PYTEST_XDIST_WORKER", "")).startswith("gw"):
    # `make test` runs the suite in a process per core and every test empties the cache: each process gets the
    # Redis database after the previous one's (REDIS_URL's for the first).
    _base, _index = re.fullmatch(r"(.*?)(?:/(\d+))?/?", REDIS_URL).groups()
    REDIS_URL = f"{_base}/{(int(_index or 0) + int(_worker[2:])) % 16}"
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.PriorityRedisHuey",
        "name": "minsheng",
        "url": REDIS_URL,
        "immediate": False,
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": REDIS_URL}}
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "minsheng",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": env_bool("HUEY_IMMEDIATE", False),
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The SQLite files (the database, its test copy, huey's queue) need their directory before Django opens
# them, and huey opens its queue while the apps load. Importing the settings creates nothing, so a missing
# directory is named here rather than left to sqlite3's "unable to open database file".
_sqlite_dirs = set() if DATABASE_URL and REDIS_URL else {VAR_DIR}
if not DATABASE_URL:
    _sqlite_dirs.add(Path(DATABASES["default"]["NAME"]).parent)
_missing = sorted(str(d) for d in _sqlite_dirs if not d.is_dir())
if _missing:
    raise ImproperlyConfigured(
        f"No directory {' or '.join(_missing)} (VAR_DIR / SQLITE_PATH) for the SQLite files: `make` and "
        f"bin/serve create it (mkdir -p $VAR_DIR/static); elsewhere create it before starting Django")

# --- Auth -----------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_float("AXES_COOLOFF_HOURS", 0.5, minimum=0)  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 30, minimum=1)

# --- Language and time ----------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
FORMAT_MODULE_PATH = ["minsheng.formats"]  # dates as each language writes them (DATE_FORMAT, MONTH_DAY_FORMAT)
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS: list = []  # each app keeps its translations in <app>/locale
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Files ----------------------------------------------------------------------------------
STATIC_URL = "/static/"
# whitenoise warns on every request when STATIC_ROOT is missing: `make` and bin/serve create it.
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Uploaded files are answered by a view that checks who may see them (a private need's photos: only those who
# may open the need). Empty: the view streams the file itself (the embedded default). Behind nginx: the path
# of an `internal` location serving MEDIA_ROOT (deploy/nginx.conf: /protected-media/), and the view answers
# with X-Accel-Redirect to it, so that nginx sends the file.
MEDIA_ACCEL_REDIRECT = env_str("MEDIA_ACCEL_REDIRECT", "")
WHITENOISE_USE_FINDERS = DEBUG
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 100_000, minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- The apps' own settings ----------------------------------------------------------------
# Uploaded photos (core/photos.py): the largest accepted file, in bytes (8 MiB).
PHOTO_MAX_BYTES = env_int("PHOTO_MAX_BYTES", 8 * 1024 * 1024, minimum=1)
# … and the most pixels (width × height, read from the file's header before anything is decoded): a small file
# can hold a huge image (a 77 KB PNG of 8900 × 8900 took a worker from 162 to 988 MB when it was decoded).
PHOTO_MAX_PIXELS = env_int("PHOTO_MAX_PIXELS", 40_000_000, minimum=1)
# The needs loop (needs/): how many days the resident has to rate a resolved need, and to reopen it
# (after that the need closes as not rated, or the grid worker's follow-up call records the grade).
NEEDS_RATE_DAYS = env_int("NEEDS_RATE_DAYS", 7, minimum=1)
# The most people one need may affect (needs/actions.py submit, the form and the API): more is a typing mistake,
# not a need; at most what the database column holds (2,147,483,647).
NEEDS_AFFECTED_MAX = env_int("NEEDS_AFFECTED_MAX", 100_000, minimum=1, maximum=2_147_483_647)
# Public and resident submissions, a token bucket per client (needs/ratelimit.py): this many at once,
# refilled at this many per hour.
NEEDS_SUBMIT_BURST = env_int("NEEDS_SUBMIT_BURST", 5, minimum=1)
NEEDS_SUBMIT_PER_HOUR = env_float("NEEDS_SUBMIT_PER_HOUR", 10, minimum=0)
# Where notifications go once the action commits (core/notify.py): a class with send(recipient, subject,
# text), the recipient an account or the contact someone without an account left on their need.
NEEDS_NOTIFY_GATEWAY = env_str("NEEDS_NOTIFY_GATEWAY", "core.notify.EmailGateway")
# The public tracking page (/needs/track/, needs/views.py): look-ups of a reference, a token bucket per client
# as for submissions, so that references cannot be guessed by trying many.
NEEDS_TRACK_BURST = env_int("NEEDS_TRACK_BURST", 20, minimum=1)
NEEDS_TRACK_PER_HOUR = env_float("NEEDS_TRACK_PER_HOUR", 60, minimum=0)
# The call-back list (回访, needs/selectors.py): a need not rated within NEEDS_RATE_DAYS stays on it this many
# days more, for the grid worker's follow-up call.
NEEDS_CALLBACK_DAYS = env_int("NEEDS_CALLBACK_DAYS", 30, minimum=1)
# The offers list's bookings (offers/): how long a place freed for the first on the waiting list is held for
# them (then it goes to the next), and how many hours before the start a confirmed booking is reminded of.
OFFERS_PLACE_HOLD_HOURS = env_int("OFFERS_PLACE_HOLD_HOURS", 12, minimum=1)
OFFERS_REMIND_HOURS = env_int("OFFERS_REMIND_HOURS", 24, minimum=1)
# Volunteering (volunteering/): the star levels' thresholds in certified hours (local schemes differ), the days a
# volunteer may query certified hours, the years records are kept (never deleted automatically: what the
# retention note states), and how many minutes before the start check-in opens.
VOLUNTEER_STAR_HOURS = env_ascending("VOLUNTEER_STAR_HOURS", "100,300,600,1000,1500")
VOLUNTEER_QUERY_DAYS = env_int("VOLUNTEER_QUERY_DAYS", 30, minimum=1)
VOLUNTEER_RECORD_YEARS = env_int("VOLUNTEER_RECORD_YEARS", 10, minimum=10)
VOLUNTEER_CHECKIN_EARLY_MINUTES = env_int("VOLUNTEER_CHECKIN_EARLY_MINUTES", 30, minimum=0, maximum=24 * 60)
# Mediation (mediation/): the days a dispute should be settled in from its intake (one month by default), and the
# days after the outcome is fed back when the follow-up (回访) falls due.
MEDIATION_SETTLE_DAYS = env_int("MEDIATION_SETTLE_DAYS", 30, minimum=1)
MEDIATION_FOLLOW_UP_DAYS = env_int("MEDIATION_FOLLOW_UP_DAYS", 14, minimum=1)
# SMS (interop/sms.py): the backend — console (the number masked, the demo's), file (one JSON line per message
# in SMS_FILE_DIR), http (a generic gateway: POST to SMS_HTTP_URL with the bearer SMS_HTTP_TOKEN, which its
# reply callback must also send) or a provider's class by dotted path; the signature every text begins with.
SMS_BACKEND = env_str("SMS_BACKEND", "console")
SMS_FILE_DIR = Path(env_str("SMS_FILE_DIR", str(VAR_DIR / "sms")))
SMS_HTTP_URL = env_str("SMS_HTTP_URL", "")
SMS_HTTP_TOKEN = env_str("SMS_HTTP_TOKEN", "")
SMS_HTTP_TIMEOUT = env_float("SMS_HTTP_TIMEOUT", 10, minimum=0.1)  # seconds
SMS_SIGNATURE = env_str("SMS_SIGNATURE", "【民生】")
# Open311 GeoReport v2 (interop/open311.py): the jurisdiction_id a client may send (any other is refused), and
# each client application's token bucket for filing requests: this many at once, refilled at this many per hour.
OPEN311_JURISDICTION = env_str("OPEN311_JURISDICTION", "gongxingdun.lanzhou")
OPEN311_BURST = env_int("OPEN311_BURST", 60, minimum=1)
OPEN311_PER_HOUR = env_float("OPEN311_PER_HOUR", 600, minimum=0)
# Signed webhooks (interop/webhooks.py): whether a subscription may target a private, loopback, link-local or
# reserved address (tests and a receiver on the same network; refused by default, at subscription and at send),
# and the seconds to wait for a receiver before the try counts as failed.
WEBHOOKS_ALLOW_PRIVATE = env_bool("WEBHOOKS_ALLOW_PRIVATE", False)
WEBHOOKS_TIMEOUT = env_float("WEBHOOKS_TIMEOUT", 10, minimum=0.1)  # seconds
# The address QR posters point to and print (places/posters.py), e.g. https://minsheng.example.cn: empty, the
# address the request that makes them came in by (behind nginx, the public one; set it when staff print from
# an address residents' phones cannot reach).
POSTERS_BASE_URL = env_str("POSTERS_BASE_URL", "").rstrip("/")
if POSTERS_BASE_URL and not re.fullmatch(r"https?://[^/\s?#]+(/[^\s?#]*)?", POSTERS_BASE_URL):
    raise ImproperlyConfigured(f"POSTERS_BASE_URL={POSTERS_BASE_URL!r} is not an http:// or https:// address "
                               "(default: empty, the request's own)")
# The ledger's composite score (ledger/conf.py): the weights of the response, resolution and
# satisfaction rates, the proportions Beijing's 接诉即办 uses by default.
LEDGER_WEIGHTS = env_weights("LEDGER_WEIGHTS", "0.1,0.45,0.45")
# Backups (core/backup.py, `manage.py backup` / `restore`): where they go by default, and the nightly one
# (core/tasks.py) — whether it runs, at which hour of TIME_ZONE's day, and how many of the newest it keeps.
BACKUP_DIR = Path(env_str("BACKUP_DIR", str(VAR_DIR / "backups")))
BACKUP_ENABLED = env_bool("BACKUP_ENABLED", True)
BACKUP_HOUR = env_int("BACKUP_HOUR", 3, minimum=0, maximum=23)
BACKUP_KEEP = env_int("BACKUP_KEEP", 14, minimum=1)

# Signed checkpoints of the event chains (core/checkpoints.py, docs/verifiable-history.md): the Ed25519 key, as
# base64 of its 32 bytes in CHECKPOINT_KEY or a PEM file (`manage.py checkpoint_key` makes it), and how often the
# huey consumer signs the chains' heads (minutes; 0: only on demand, `manage.py checkpoint`).
CHECKPOINT_KEY = env_str("CHECKPOINT_KEY", "")
CHECKPOINT_KEY_FILE = Path(env_str("CHECKPOINT_KEY_FILE", str(VAR_DIR / "checkpoint-key.pem")))
CHECKPOINT_EVERY_MINUTES = env_int("CHECKPOINT_EVERY_MINUTES", 60, minimum=0, maximum=1440)

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "minsheng@localhost")

# Behind nginx: the client's address and scheme come from the proxy's headers (django-axes locks out, and the
# submission limit counts, by client address: without this every client would share the proxy's).
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
AXES_CLIENT_IP_CALLABLE = "core.network.client_ip"
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Security headers and sessions --------------------------------------------------------
# Content-Security-Policy and Permissions-Policy: core/middleware.py; the rest is Django's SecurityMiddleware.
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Served over HTTPS (SECURE_COOKIES): browsers are told to use nothing else for a year, subdomains included.
# Off otherwise, so that a development server on http:// is never remembered as HTTPS-only. Django sends the
# header only on a secure request (behind nginx, BEHIND_PROXY makes X-Forwarded-Proto count).
SECURE_HSTS_SECONDS = 365 * 24 * 3600 if SESSION_COOKIE_SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_REFERRER_POLICY = "same-origin"  # another site never learns which page of ours linked to it
# How long a sign-in lasts, in hours (counted from the login or the session's last change); then log in again.
SESSION_COOKIE_AGE = env_int("SESSION_HOURS", 12, minimum=1) * 3600

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
