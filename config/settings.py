"""Minka settings, read from the environment.

MINKA_ENV chooses the mode:
- ``development`` (default): DEBUG on, SQLite under var/, a per-machine secret
  generated into var/secret_key so nothing insecure is ever committed.
- ``production``: DEBUG off unless asked, HTTPS-only cookies, and Minka refuses
  to start without a real SECRET_KEY from the environment.

DATABASE_URL selects the database (PostgreSQL in production); without it the
site runs on a SQLite file under var/.
"""

import os
import secrets
from decimal import Decimal, InvalidOperation
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("MINKA_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

MINKA_VERSION = "0.1.0"


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "si", "sí"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


MINKA_ENV = os.environ.get("MINKA_ENV", "development").strip().lower()
if MINKA_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("MINKA_ENV must be 'development' or 'production'.")
PRODUCTION = MINKA_ENV == "production"


def weak_secret(key: str) -> str:
    """Why a secret is too weak for production, or "" if it is not: at least 50 characters, at least 20
    different ones (a random key of 50 has about 35), not Django's «django-insecure» placeholder."""
    if key.startswith("django-insecure"):
        return "it is Django's 'django-insecure' placeholder"
    if len(key) < 50:
        return f"it has {len(key)} characters, fewer than 50"
    if len(set(key)) < 20:
        return f"it has only {len(set(key))} different characters, fewer than 20"
    return ""


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY", "")
    if PRODUCTION:
        if problem := weak_secret(key):
            raise ImproperlyConfigured(
                f"Production mode needs a real SECRET_KEY in the environment (50 or more random characters): "
                f"{'it is missing' if not key else problem}. Make one with: "
                "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
            )
        return key
    if key:
        return key
    # Local use: a random key kept beside the SQLite file, never in the repository.
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", default=not PRODUCTION)
# With DEBUG on, Django's technical error pages (code, settings) go only to requests from this machine;
# MINKA_DEBUG_REMOTE=1 shows them to any address (toolkit/security.py).
MINKA_DEBUG_REMOTE = env_bool("MINKA_DEBUG_REMOTE", False)
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "config.apps.MinkaAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_htmx",
    "simple_history",
    "import_export",
    "django_tasks",
    "django_tasks_db",
    # RQ's worker command (manage.py rqworker) for MINKA_TASKS=rq; harmless when tasks use the database.
    "django_rq",
    "toolkit",
    "coop",
    "ledger",
    "acopio",
    "sales",
    "fund",
    "assemblies",
    "certification",
    "api",
    "config",
    # django-ninja: only its Swagger UI files (served by Minka, no CDN) and its template.
    "ninja",
]

MIDDLEWARE = [
    # Content-Security-Policy, and no indexing or keeping of the verification pages (toolkit/security.py).
    "toolkit.security.ContentSecurityPolicyMiddleware",
    # With DEBUG on, Django's technical pages only for requests from this machine (MINKA_DEBUG_REMOTE).
    "toolkit.security.DebugOnlyLocalMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Which device (authenticator or recovery code) verified this session, if any (django-otp).
    "django_otp.middleware.OTPMiddleware",
    # A browser made a voting booth opens only /cabina/ (assemblies/booth.py).
    "assemblies.booth.BoothOnlyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Signs out a session left unused for MINKA_IDLE_MINUTES (toolkit/sessions.py).
    "toolkit.sessions.IdleSessionMiddleware",
    # Administration, board and treasury enter a code from their phone first (toolkit/two_factor.py).
    "toolkit.two_factor.TwoFactorMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Minka's «página no encontrada» also with DEBUG on (config/middleware.py says why).
    "config.middleware.NotFoundPageMiddleware",
    # Last, so it sees failed sign-ins after authentication ran.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
# A form refused for its CSRF token gets Minka's «acceso denegado» page, in Spanish, not Django's.
CSRF_FAILURE_VIEW = "config.views.csrf_failure"
WSGI_APPLICATION = "config.wsgi.application"

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
                "django.template.context_processors.i18n",
                "config.context_processors.minka",
                "config.navigation.menu",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'minka.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while a clerk writes; IMMEDIATE avoids
    # "database is locked" upgrades inside write transactions.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# A read replica (PostgreSQL streaming replication) at DATABASE_REPLICA_URL serves the read-only report
# queries (certifier portal, reports: toolkit/replica.py); everything else, and every write, stays on
# the primary. Without it everything goes to "default".
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60"))
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
MINKA_REPORT_DATABASE = "replica" if "replica" in DATABASES else "default"
DATABASE_ROUTERS = ["toolkit.replica.ReportReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Failed sign-ins (toolkit/signin.py): 5 failures for one username from one address lock that pair for
# 15 minutes (never the username alone, which anyone could lock from anywhere); MINKA_ADDRESS_FAILURE_LIMIT
# failures from one address, whatever the usernames, lock the address. The sign-in page says how long to wait.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "toolkit.signin.MinkaAxesHandler"
AXES_LOCKOUT_CALLABLE = "toolkit.signin.locked_out"
AXES_CLIENT_IP_CALLABLE = "toolkit.signin.client_address"
MINKA_ADDRESS_FAILURE_LIMIT = int(os.environ.get("MINKA_ADDRESS_FAILURE_LIMIT", "20"))
# Two-step sign-in (toolkit/two_factor.py): administration, the board, the treasury and superusers enter a
# code from an authenticator app (or a recovery code) after their password. On unless MINKA_TWO_FACTOR=0,
# in production too; `quickstart`'s demonstration turns it off unless the environment sets it, and
# `check --deploy` warns when production runs without it. A wrong code locks the next try for 1, 2, 4, 8…
# seconds (django-otp's throttling, per device).
MINKA_TWO_FACTOR = env_bool("MINKA_TWO_FACTOR", True)
OTP_TOTP_ISSUER = "Minka"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# The reverse proxies (addresses or networks, comma-separated) whose X-Forwarded-For is believed; a
# request from any other peer is counted by its own address whatever its headers say.
MINKA_TRUSTED_PROXIES = env_list("MINKA_TRUSTED_PROXIES", [])

LANGUAGE_CODE = "es"
LANGUAGES = [("es", "Español"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/Lima"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Background work (printing every member's statement, audit packs, minutes, letters, exports) goes to a
# queue that workers take tasks from:
# - MINKA_TASKS=database (default): the database queue, run by `python manage.py db_worker` (quickstart
#   starts one);
# - MINKA_TASKS=rq: Redis at REDIS_URL, run by `python manage.py rqworker default` on any number of
#   machines (django-tasks' RQ backend; deploy/systemd/minka-rqworker.service);
# - MINKA_TASKS=immediate runs tasks in the request.
MINKA_TASKS = os.environ.get("MINKA_TASKS", "database")
if MINKA_TASKS not in {"database", "rq", "immediate"}:
    raise ImproperlyConfigured("MINKA_TASKS must be database, rq or immediate.")
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "rq": "django_tasks_rq.RQBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
        }[MINKA_TASKS]
    }
}
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
# A task is given up (and reported as failed, never left half-done: see certification/printing.py) after
# MINKA_RQ_TIMEOUT seconds; a failed job stays in RQ's failed registry, which /salud/ counts, for a week.
RQ_QUEUES = {
    "default": {
        "URL": REDIS_URL,
        "DEFAULT_TIMEOUT": int(os.environ.get("MINKA_RQ_TIMEOUT", "3600")),
    }
}
RQ = {"JOB_CLASS": "django_tasks_rq.backend.Job"}
RQ_SHOW_ADMIN_LINK = False

# Where the files Minka makes and keeps go (statements, audit packs, minutes, voting letters, exports,
# uploads waiting for «confirm»): MINKA_MEDIA_ROOT, or the data folder. With several web machines it is
# one directory they all mount (NFS or similar), so any machine serves what any worker wrote.
MINKA_MEDIA_ROOT = os.environ.get("MINKA_MEDIA_ROOT", "")

# Sessions live in the database, so any web machine serves any signed-in user; MINKA_SESSIONS=redis keeps
# them in Redis (REDIS_URL) instead.
MINKA_SESSIONS = os.environ.get("MINKA_SESSIONS", "database")
if MINKA_SESSIONS == "redis":
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "sessions": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL},
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    SESSION_CACHE_ALIAS = "sessions"
elif MINKA_SESSIONS != "database":
    raise ImproperlyConfigured("MINKA_SESSIONS must be database or redis.")

# The traceability import may carry tens of thousands of rows.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10000
# Uploads: a file larger than MINKA_UPLOAD_MAX_MB is refused by the upload field (toolkit.uploads) before
# it is read; above FILE_UPLOAD_MAX_MEMORY_SIZE Django spools it to a temporary file instead of memory.
# A request body that is not a file upload (form fields) is capped by DATA_UPLOAD_MAX_MEMORY_SIZE.
MINKA_UPLOAD_MAX_MB = int(os.environ.get("MINKA_UPLOAD_MAX_MB", "30"))
# A checked import file waits for «confirm» under var/uploads (MINKA_UPLOAD_DIR) and is deleted when the
# import is confirmed, or after this many hours if it never is (at the next upload, or by
# `manage.py purge_uploads`, which a daily cron may run).
MINKA_UPLOAD_MAX_AGE_HOURS = int(os.environ.get("MINKA_UPLOAD_MAX_AGE_HOURS", "24"))
FILE_UPLOAD_HANDLERS = [
    "toolkit.uploads.SizeLimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Spreadsheets: an xlsx that unpacks to more than this is refused before it is parsed (zip bombs), and
# so is a sheet with more rows than MINKA_IMPORT_MAX_ROWS (split the file). The defaults leave room for
# what Minka is sized for: a 20,000-member register (39,027 plot rows with polygons) unpacks to ~67 MB,
# a delivery import to 100,000 rows (bench/results/import.md, acopio.md).
MINKA_XLSX_MAX_UNCOMPRESSED = int(os.environ.get("MINKA_XLSX_MAX_UNCOMPRESSED", str(200 * 1024 * 1024)))
MINKA_IMPORT_MAX_ROWS = int(os.environ.get("MINKA_IMPORT_MAX_ROWS", "100000"))

# /salud/ (config/health.py) answers 503 when a task has waited this long while no db_worker ran any task,
# or when the folder under MINKA_VAR_DIR has less free space than this.
MINKA_HEALTH_TASK_WAIT_MINUTES = int(os.environ.get("MINKA_HEALTH_TASK_WAIT_MINUTES", "15"))
MINKA_HEALTH_MIN_FREE_MB = int(os.environ.get("MINKA_HEALTH_MIN_FREE_MB", "1024"))

SESSION_COOKIE_HTTPONLY = True
# A session ends when the browser closes, and after MINKA_IDLE_MINUTES without use (toolkit/sessions.py).
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
MINKA_IDLE_MINUTES = int(os.environ.get("MINKA_IDLE_MINUTES", "30"))
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # A monitor on the server itself asks http://127.0.0.1:8000/salud/ without the proxy's HTTPS.
    SECURE_REDIRECT_EXEMPT = [r"^salud/$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# A contract's tonnes must match the dry weight of the lots it ships within this share, in per cent
# (sales.services.ship_contract): the administrator sets it for the cooperative; 0.5 unless told.
try:
    MINKA_CONTRACT_TONNES_TOLERANCE_PERCENT = Decimal(
        os.environ.get("MINKA_CONTRACT_TONNES_TOLERANCE_PERCENT", "0.5").strip()
    )
except InvalidOperation:
    MINKA_CONTRACT_TONNES_TOLERANCE_PERCENT = Decimal("NaN")
if not (
    MINKA_CONTRACT_TONNES_TOLERANCE_PERCENT.is_finite() and 0 <= MINKA_CONTRACT_TONNES_TOLERANCE_PERCENT < 100
):
    raise ImproperlyConfigured(
        "MINKA_CONTRACT_TONNES_TOLERANCE_PERCENT must be a per cent from 0 to under 100."
    )

# Cooperative-level settings shown on documents.
MINKA_COOP_NAME = os.environ.get("MINKA_COOP_NAME", "Cooperativa Agraria Cacaotera Chazuta")
# Where members and auditors reach Minka: the QR codes of documents printed in the background point here.
MINKA_PUBLIC_URL = os.environ.get("MINKA_PUBLIC_URL", "http://127.0.0.1:8000")
FORMAT_MODULE_PATH = ["config.formats"]
# Keys the short codes printed beside receipt and document numbers (toolkit/verification.py). Changing it
# changes every code already on paper: set it once in production and keep it when SECRET_KEY is rotated.
MINKA_VERIFICATION_SECRET = os.environ.get("MINKA_VERIFICATION_SECRET", "") or SECRET_KEY
# The institutions' API (api/): calls allowed per key and minute (429 beyond), rows per page, and
# the secret the anonymous member codes are made with (set once in production, like the one above).
MINKA_API_CALLS_PER_MINUTE = int(os.environ.get("MINKA_API_CALLS_PER_MINUTE", "120"))
MINKA_API_PAGE_SIZE = int(os.environ.get("MINKA_API_PAGE_SIZE", "500"))
MINKA_API_MAX_PAGE_SIZE = int(os.environ.get("MINKA_API_MAX_PAGE_SIZE", "2000"))
MINKA_API_ANONYMOUS_SECRET = os.environ.get("MINKA_API_ANONYMOUS_SECRET", "") or MINKA_VERIFICATION_SECRET
if PRODUCTION and (_problem := weak_secret(MINKA_VERIFICATION_SECRET)):
    raise ImproperlyConfigured(f"MINKA_VERIFICATION_SECRET is too weak for production: {_problem}.")
