"""Settings for the Healthcare System API, read from the environment.

Every variable is listed in the contract's "Running the service" table and in `.env.example`.
The defaults suit a developer's laptop (SQLite); production refuses to start without a secret key.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from corsheaders.defaults import default_headers
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    return float(value) if value else default


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off "
            "(set DJANGO_DEBUG=1 for local development)."
        )
    # Only ever used with DEBUG on, on a developer's machine.
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1")

INSTALLED_APPS = [
    # First: an earlier app's management command wins, and users overrides `createsuperuser`.
    "users",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "doctors",
    "appointments",
    "admin_panel",
    "notifications",
]

# A streaming replica for the reads of safe requests (healthcare/db/router.py). Unset (the
# default): no router, no middleware, every query on `default` as before.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "").strip()

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # Before CommonMiddleware, whose APPEND_SLASH would redirect (or, for a POST, fail).
    "healthcare.api.middleware.APITrailingSlashMiddleware",
    "healthcare.api.middleware.ClientIPMiddleware",
    *(["healthcare.db.router.ReadYourWritesMiddleware"] if DATABASE_REPLICA_URL else []),
    "healthcare.api.middleware.NoStoreAPIResponsesMiddleware",
    "healthcare.api.middleware.DebugErrorPagesAsJSONMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "healthcare.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The ReDoc page without outside fonts (healthcare/api/views.py RedocView).
        "DIRS": [BASE_DIR / "healthcare" / "api" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "healthcare.wsgi.application"

# Database: SQLite in the project by default, PostgreSQL through DATABASE_URL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=600,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend plus a health check of persistent connections that needs no round trip.
    DATABASES["default"]["ENGINE"] = "healthcare.db.postgresql"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock up front, and the busy timeout makes
    # concurrent writers queue instead of failing with "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )


def _postgresql_only(alias: str, config: dict) -> dict:
    if config["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured(f"The {alias} database must be PostgreSQL.")
    # The same round-trip-free health check as the primary's.
    config["ENGINE"] = "healthcare.db.postgresql"
    return config


# The replica serves reads only while its replay is at most this far behind the primary.
REPLICA_MAX_LAG_SECONDS = env_float("REPLICA_MAX_LAG_SECONDS", 5.0)
DATABASE_ROUTERS: list[str] = []
if DATABASE_REPLICA_URL:
    if DATABASES["default"]["ENGINE"] != "healthcare.db.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs DATABASE_URL on PostgreSQL.")
    DATABASES["replica"] = _postgresql_only(
        "replica",
        dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=600, conn_health_checks=True),
    )
    # A replica that doesn't answer must not hold a request for long: its reads move to the
    # primary (the router's lag check fails fast).
    DATABASES["replica"].setdefault("OPTIONS", {})["connect_timeout"] = 2
    # Tests read the replica's alias from the test database itself.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["healthcare.db.router.ReplicaRouter"]

# PgBouncer in transaction mode (`DATABASE_POOLER=pgbouncer-transaction`) hands each transaction
# whichever server connection is free, so nothing may span transactions on one: no server-side
# cursors (a `.iterator()` cursor would outlive its transaction) and no session state (Django sets
# none beyond the time zone, which PgBouncer tracks per client). Connections to PgBouncer stay
# persistent: they are cheap client slots, and PgBouncer holds the few server connections.
DATABASE_POOLER = os.environ.get("DATABASE_POOLER", "").strip()
if DATABASE_POOLER not in {"", "pgbouncer-transaction"}:
    raise ImproperlyConfigured("DATABASE_POOLER must be unset or 'pgbouncer-transaction'.")
if DATABASE_POOLER:
    for _alias, _config in DATABASES.items():
        if _config["ENGINE"] != "healthcare.db.postgresql":
            raise ImproperlyConfigured(f"DATABASE_POOLER needs PostgreSQL (database {_alias}).")
        _config["DISABLE_SERVER_SIDE_CURSORS"] = True

AUTH_USER_MODEL = "users.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]

# Argon2id (memory-hard) at OWASP's minimum parameters for every new or changed password
# (users/hashers.py says why not Django's). PBKDF2 stays listed so older hashes still verify;
# Django re-hashes them with Argon2 at the user's next sign-in.
PASSWORD_HASHERS = [
    "users.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        # Our user has no username/first_name/last_name: compare with the fields it does have.
        "OPTIONS": {"user_attributes": ("full_name", "email", "mobile_number")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Dhaka")
USE_I18N = True
USE_TZ = True

PHONE_REGION = os.environ.get("PHONE_REGION", "BD").upper()

# The clinic and its booking policy (shown by GET /api/clinic/; read in healthcare/clinic.py).
CLINIC_NAME = os.environ.get("CLINIC_NAME", "Clinic")
CURRENCY = os.environ.get("CURRENCY", "BDT")
# A patient books (and is shown) only slots starting more than this many minutes from now.
BOOKING_MIN_NOTICE_MINUTES = env_int("BOOKING_MIN_NOTICE_MINUTES", 0)
# Slots dated after today + this many days are neither listed nor bookable.
BOOKING_HORIZON_DAYS = env_int("BOOKING_HORIZON_DAYS", 60)
# A patient cancels only while the start is more than this many minutes away.
CANCEL_CUTOFF_MINUTES = env_int("CANCEL_CUTOFF_MINUTES", 0)

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Request bodies are capped so a bad client can't make the server buffer megabytes.
DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000

# Cache: Redis when REDIS_URL is set (shared by every worker, so throttles hold), else local memory.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's Redis backend, keeping its clients, with the throttles' counter.
            "BACKEND": "healthcare.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "healthcare",
            # A cache that stops answering must not hold requests: the throttles then fail
            # open, or closed for sign-in and registration (healthcare/api/throttling.py).
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

THROTTLE_RATES = {
    "login_number": os.environ.get("THROTTLE_LOGIN_NUMBER", "5/min"),
    "login_ip": os.environ.get("THROTTLE_LOGIN_IP", "30/min"),
    "register": os.environ.get("THROTTLE_REGISTER", "30/min"),
    "anon": os.environ.get("THROTTLE_ANON", "300/min"),
    "user": os.environ.get("THROTTLE_USER", "1200/min"),
    "book": os.environ.get("THROTTLE_BOOK", "30/min"),
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "users.authentication.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "healthcare.api.pagination.StandardPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": [
        "healthcare.api.renderers.FastJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # DRF's JSON parser with a nesting cap, so deep `[[[…]]]` is a 400, not a RecursionError.
    "DEFAULT_PARSER_CLASSES": ["healthcare.api.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": [
        # DRF's, failing open when the cache is down.
        "healthcare.api.throttling.AnonRateThrottle",
        "healthcare.api.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": THROTTLE_RATES,
    "EXCEPTION_HANDLER": "healthcare.api.exceptions.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DATE_FORMAT": "%Y-%m-%d",
    "TIME_FORMAT": "%H:%M",
    "TIME_INPUT_FORMATS": ["%H:%M", "%H:%M:%S"],
    "COERCE_DECIMAL_TO_STRING": True,
    # How many proxies' X-Forwarded-For entries DRF's throttles trust for the client IP.
    "NUM_PROXIES": env_int("DJANGO_TRUSTED_PROXIES", 0),
}

DJANGO_TRUSTED_PROXIES = env_int("DJANGO_TRUSTED_PROXIES", 0)

# A refresh token presented again this long after its rotation revokes its whole family
# (users/tokens.py); sooner, it is a retry or a second tab, and only that request gets a 401.
JWT_REUSE_GRACE_SECONDS = env_int("JWT_REUSE_GRACE_SECONDS", 10)

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env_int("JWT_ACCESS_MINUTES", 15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env_int("JWT_REFRESH_DAYS", 7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "SIGNING_KEY": os.environ.get("JWT_SIGNING_KEY") or SECRET_KEY,
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Healthcare System API",
    "DESCRIPTION": "Appointment booking for clinics: patients, doctors, schedules and bookings.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/",
    # Paths carry their /api/ prefix: the server is this host, wherever the schema is served.
    "SERVERS": [{"url": "/", "description": "This host"}],
    # One tag per operation, each described (docs/api.md has the walk-through).
    "TAGS": [
        {"name": "auth", "description": "Register, sign in, refresh the token pair, sign out."},
        {"name": "profile", "description": "The signed-in user's own account."},
        {"name": "doctors", "description": "The public doctors directory and bookable slots."},
        {"name": "appointments", "description": "Booking, reading and cancelling appointments."},
        {"name": "admin-panel", "description": "Clinic administration (role `admin` only)."},
        {
            "name": "notifications",
            "description": "Email and SMS about appointments: preferences, and the outbox.",
        },
        {"name": "service", "description": "Health check for load balancers and monitors."},
        {"name": "clinic", "description": "The clinic: time zone, booking policy, closures."},
        {"name": "calendar", "description": "A secret iCalendar feed of your appointments."},
    ],
    # Error responses (400/401/403/404/413/415/429) documented once for every operation.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "healthcare.api.schema.document_error_responses",
        "healthcare.api.openapi.lint_clean",
    ],
    # Stable names for choice sets that share a field name (else hashed names and a warning).
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "users.models.Role",
        "SelfRegistrationRoleEnum": ["patient", "doctor"],
        "AppointmentStatusEnum": "appointments.models.AppointmentStatus",
        "AuditActionEnum": "admin_panel.models.AuditAction",
        "NotificationStatusEnum": "notifications.models.NotificationStatus",
        "NotificationChannelEnum": "notifications.models.Channel",
        "NotificationEventEnum": "notifications.models.Event",
        "HealthStatusEnum": ["ok", "degraded", "error"],
        "HealthCheckEnum": ["ok", "unavailable"],
    },
}

CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS")
# `make run` (DEBUG on) lets a front end's dev server on this machine call the API from any port
# (Vite's 5173, webpack's 3000, ...) with nothing to configure; production allows only the list.
CORS_DEV_ORIGIN_REGEXES = [
    r"^http://localhost(:[0-9]+)?$",
    r"^http://127\.0\.0\.1(:[0-9]+)?$",
    r"^http://\[::1\](:[0-9]+)?$",
]
CORS_ALLOWED_ORIGIN_REGEXES = CORS_DEV_ORIGIN_REGEXES if DEBUG else []
CORS_URLS_REGEX = r"^/api/.*$"
# Headers browser code may read: the throttles' wait, an idempotent replay, the auth challenge.
CORS_EXPOSE_HEADERS = ["Retry-After", "Idempotent-Replayed", "WWW-Authenticate"]
# Browsers may send the retry key of POST actions cross-origin (contract v1.1).
CORS_ALLOW_HEADERS = (*default_headers, "idempotency-key")

# Production security: on whenever DEBUG is off.
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

LOGIN_URL = "/api-auth/login/"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        "django.request": {"level": "ERROR"},
    },
}


# Notifications (contract v1.1): email and SMS backends from URLs, the task queue (Celery).
def _email_settings(url: str) -> dict:
    """`console:` (the default), `smtp://[user:pass@]host:port` or `smtp+tls://…` (STARTTLS)."""
    from urllib.parse import unquote, urlsplit

    if url in {"", "console:"}:
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    parts = urlsplit(url)
    if parts.scheme not in {"smtp", "smtp+tls", "smtps"} or not parts.hostname:
        raise ImproperlyConfigured("EMAIL_URL must be console:, smtp://… or smtp+tls://…")
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": parts.port or (465 if parts.scheme == "smtps" else 587),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": parts.scheme == "smtp+tls",
        "EMAIL_USE_SSL": parts.scheme == "smtps",
    }


def env_int_list(name: str, default: str) -> list[int]:
    return [int(item) for item in env_list(name, default)]


EMAIL_URL = os.environ.get("EMAIL_URL", "console:").strip()
globals().update(_email_settings(EMAIL_URL))
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "clinic@localhost")
SMS_URL = os.environ.get("SMS_URL", "console:").strip()
SMS_TOKEN = os.environ.get("SMS_TOKEN", "")
SMS_MAX_PER_HOUR = env_int("SMS_MAX_PER_HOUR", 10)
REMINDER_OFFSETS_MINUTES = env_int_list("REMINDER_OFFSETS_MINUTES", "1440,120")
NOTIFY_RETRY_SECONDS = env_int_list("NOTIFY_RETRY_SECONDS", "10,60,300,1800,7200")
NOTIFY_KEEP_DAYS = env_int("NOTIFY_KEEP_DAYS", 90)
WEBHOOK_ALLOW_PRIVATE = env_bool("WEBHOOK_ALLOW_PRIVATE", False)
# No broker (the `make run` default): delivery runs in-process right after each commit, and
# `make run` starts a small scheduler thread for the periodic tasks (notifications/scheduler.py).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "").strip() or REDIS_URL
NOTIFY_INPROCESS_SCHEDULER = env_bool("NOTIFY_INPROCESS_SCHEDULER", False)
# The queue tasks go to and workers read (`celery -A healthcare worker` reads it by default):
# deployments sharing one Redis each keep their own.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "").strip() or "celery"
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A broker that is down must not hold the request that enqueues: the row stays pending and the
# sweep sends it later.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "notifications-sweep": {"task": "notifications.tasks.sweep", "schedule": 60.0},
    "notifications-prune": {"task": "notifications.tasks.prune", "schedule": 24 * 60 * 60.0},
}
