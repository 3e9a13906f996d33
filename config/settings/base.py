"""Settings shared by every environment. https://docs.djangoproject.com/en/5.2/ref/settings/"""

from __future__ import annotations

import dj_database_url

from common.published_keys import DEVELOPMENT_KEYS
from config.env import (
    BASE_DIR,
    VAR_DIR,
    broker_transport_options,
    broker_url,
    env_bool,
    env_int,
    env_list,
    env_str,
    result_backend,
)

# The root domain serves the control plane; each organiser lives on <slug>.<ROOT_DOMAIN>.
ROOT_DOMAIN = env_str("SENTRA_ROOT_DOMAIN", "localhost")
# How people reach the site (scheme and port), used to print and build absolute links.
PUBLIC_SCHEME = env_str("SENTRA_PUBLIC_SCHEME", "http")
PUBLIC_PORT = env_str("SENTRA_PUBLIC_PORT", "8000")

SECRET_KEY = env_str("DJANGO_SECRET_KEY", DEVELOPMENT_KEYS["DJANGO_SECRET_KEY"])
DEBUG = False
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", [ROOT_DOMAIN, f".{ROOT_DOMAIN}"])

# --- Applications --------------------------------------------------------------------------
# https://django-tenants.readthedocs.io/en/latest/install.html
# Shared apps live in the public schema: the control plane, users, sessions, MFA.
SHARED_APPS = [
    "django_tenants",
    "tenants",
    "applications",
    # Before allauth and admin: its templates override theirs (layout, labelled sign-in form).
    "public_site",
    "organizer_pages",
    "booking_pages",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rest_framework",
    "drf_spectacular",
    "api",
    "documents",
]
# Tenant apps get a table set in every organiser's schema. Keep this lean: creating a tenant
# runs every one of their migrations.
TENANT_APPS = [
    "django.contrib.contenttypes",
    "organizers",
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Tenant"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_NAME = "public"
PUBLIC_SCHEMA_URLCONF = "config.urls_public"
ROOT_URLCONF = "config.urls_tenant"
DEFAULT_NOT_FOUND_TENANT_VIEW = "public_site.views.errors.tenant_not_found"
TENANT_HOST_CACHE_SECONDS = env_int("SENTRA_TENANT_HOST_CACHE_SECONDS", 30)
# How long a venue-day's slot list (with seats left) may be served from the cache.
SLOT_LIST_CACHE_SECONDS = env_int("SENTRA_SLOT_LIST_CACHE_SECONDS", 2)
# The rush front (api/front/): PostgreSQL connections per web process, besides Django's own
# (one per thread of SENTRA_WEB_THREADS). B1 rush on 2 cores, 4 runs each, alternating: 6 gave
# 2,877 bookings/s against 2,642 with 8 (p99 the same).
SENTRA_FRONT_DB_CONNECTIONS = env_int("SENTRA_FRONT_DB_CONNECTIONS", 6)
SENTRA_WEB_THREADS = env_int("SENTRA_WEB_THREADS", 4)
# Admission control (config/admission.py): requests one web worker may have in progress before
# it answers further booking-path requests "busy" at once (API 429, pages a waiting room)
# instead of queueing them: per front connection (the rush front's lane) and per Django thread
# (everything else). Figures in docs/adr/0012-drop-far-past-capacity.md.
SENTRA_ADMISSION_PER_CONNECTION = env_int("SENTRA_ADMISSION_PER_CONNECTION", 8)
SENTRA_ADMISSION_PER_THREAD = env_int("SENTRA_ADMISSION_PER_THREAD", 6)
# Below those bounds, the number the gate steers to: as many as keep the average time a request
# spends in progress at this many milliseconds (never fewer than the connections or threads);
# 0: off, the bounds alone. A fast machine queues more, a loaded one less (ADR 0012, session 8).
SENTRA_ADMISSION_TARGET_MS = env_int("SENTRA_ADMISSION_TARGET_MS", 80)
# Booking attempts per web worker (organizers/services/booking/attempt_limits.py): per client
# address in 10 s, per NIK in 60 s.
SENTRA_BOOKING_ATTEMPTS_PER_CLIENT = env_int("SENTRA_BOOKING_ATTEMPTS_PER_CLIENT", 30)
SENTRA_BOOKING_ATTEMPTS_PER_NIK = env_int("SENTRA_BOOKING_ATTEMPTS_PER_NIK", 10)
# Every request is answered within this many seconds, a frozen database's included: 503 "try
# again" (config/request_deadline.py; 0: no deadline). Above the slowest healthy request.
SENTRA_REQUEST_DEADLINE_SECONDS = env_int("SENTRA_REQUEST_DEADLINE_SECONDS", 15)
# The largest request body the web server reads (uploads: licences, photos, rosters of 5 MB).
SENTRA_WEB_MAX_BODY_BYTES = env_int("SENTRA_WEB_MAX_BODY_BYTES", 25 * 1024 * 1024)

MIDDLEWARE = [
    # Static files first: they belong to no organiser, and on a host that is no organiser's
    # the host middleware would answer "organiser not found" for the 404 page's own CSS.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # CSP (with this request's nonce), Permissions-Policy, no-store: before the host look-up,
    # so that even a failure there answers with them.
    "common.security_headers.SecurityHeadersMiddleware",
    # Before the host look-up (a query when the host is not known lately): a worker that has as
    # many requests in progress as it can answer in time refuses the booking path at once.
    "config.admission.AdmissionMiddleware",
    "tenants.middleware.TenantHostMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tenants.middleware.SessionTenantBindingMiddleware",
    "common.language.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "tenants.middleware.PlatformStaffMFAMiddleware",
    "tenants.middleware.TenantMembershipMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

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
                "public_site.context_processors.site",
                "public_site.context_processors.branding",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

# --- Database -------------------------------------------------------------------------------
# PostgreSQL only: django-tenants needs schemas. The launcher sets DATABASE_URL to the embedded
# server when none is given. https://docs.djangoproject.com/en/5.2/ref/settings/#databases
DATABASES = {
    "default": {
        **dj_database_url.parse(
            env_str("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/sentra"),
            conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
            conn_health_checks=True,
        ),
        # django-tenants' backend, without a SET search_path per request that changes nothing.
        "ENGINE": "tenants.postgresql_backend",
        # Django turns psycopg's prepared statements off for transaction-mode poolers, which
        # django-tenants cannot use anyway (search_path is per session). The ORM's client-side
        # cursors never prepare; only the hot statements in organizers/db.py do.
        "OPTIONS": {
            "prepare_threshold": 5,
            # An unreachable or stuck server fails the request (a 503 "try again", see
            # common/database_outage.py) instead of holding it for as long as it lasts: a
            # connection attempt gives up after DATABASE_CONNECT_TIMEOUT seconds, sent data
            # unacknowledged for DATABASE_TCP_USER_TIMEOUT_MS ends the connection, and the
            # server cancels a statement after DATABASE_STATEMENT_TIMEOUT_MS (0: never; a
            # one-off migration of a large table may set it so).
            "connect_timeout": env_int("DATABASE_CONNECT_TIMEOUT", 5),
            "tcp_user_timeout": env_int("DATABASE_TCP_USER_TIMEOUT_MS", 10_000),
            "options": f"-c statement_timeout={env_int('DATABASE_STATEMENT_TIMEOUT_MS', 30_000)}",
        },
    }
}
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)
TENANT_LIMIT_SET_CALLS = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------
# The default cache is tenant-keyed: a key set inside tenant A is a different key in tenant B.
# Deliberately global data (per-IP rate limits) goes to the "global" alias.
_redis_url = env_str("REDIS_URL", "")


def _cache_backend(name: str) -> dict[str, object]:
    # Without Redis, a file cache: the web server, the worker and beat are separate processes
    # and must see the same values (the worker heartbeat, for one).
    if _redis_url:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _redis_url}
    return {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache" / name),
    }


CACHES = {
    "default": {
        **_cache_backend("tenant"),
        # Tenant-keyed, except allauth's security counters (see tenants/cache.py).
        "KEY_FUNCTION": "tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "tenants.cache.reverse_key",
    },
    "global": {**_cache_backend("global"), "KEY_PREFIX": "global"},
}

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "tenants.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
# https://docs.allauth.org/en/latest/account/configuration.html
ACCOUNT_ADAPTER = "tenants.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
# Signing up on the root domain is an organiser's sign-up: the form adds the organisation.
ACCOUNT_SIGNUP_FORM_CLASS = "public_site.forms.OrganizerSignupForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Sentra] "
ACCOUNT_RATE_LIMITS: dict[str, str] | bool = {"login_failed": "10/m/ip,5/5m/key"}
# https://docs.allauth.org/en/latest/mfa/configuration.html
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Sentra"

# Cookies are host-only (no Domain attribute) and carry the __Host- prefix, which browsers
# accept only when Secure, Path=/ and no Domain: nothing is shared across subdomains.
SESSION_COOKIE_NAME = "__Host-sentra-session"
CSRF_COOKIE_NAME = "__Host-sentra-csrf"
LANGUAGE_COOKIE_NAME = "__Host-sentra-language"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
SESSION_COOKIE_DOMAIN = None
CSRF_COOKIE_DOMAIN = None
LANGUAGE_COOKIE_DOMAIN = None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365

# --- Internationalisation -------------------------------------------------------------------
# Bahasa Indonesia first, English second. https://docs.djangoproject.com/en/5.2/topics/i18n/
LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files --------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Files served at the site root by WhiteNoise (/favicon.ico, asked for by browsers on every host).
WHITENOISE_ROOT = BASE_DIR / "public_site" / "root"
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
# One storage interface (tenants.storage) over "default": local disk here, S3 in production.
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT)},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Licence documents and venue photos (documents/) ----------------------------------------
# The browser uploads straight to S3 with a presigned POST; a Celery task verifies the object.
# Production: AWS S3 (AWS_S3_ENDPOINT_URL empty). `./sentra run` and the tests: moto in server
# mode on this machine (config/launcher.py, tests/conftest.py), through the same boto3 calls.
SENTRA_S3_BUCKET = env_str("SENTRA_S3_BUCKET", "sentra-local")
SENTRA_S3_REGION = env_str("AWS_REGION", "ap-southeast-3")
SENTRA_S3_ENDPOINT_URL = env_str("AWS_S3_ENDPOINT_URL", "")
# Embedded and test servers start empty: create the bucket (and its CORS rule) on first use.
SENTRA_S3_CREATE_BUCKET = env_bool("SENTRA_S3_CREATE_BUCKET", False)
# Minutes a presigned POST (upload) or GET (view) link lives.
SENTRA_DOCUMENT_UPLOAD_SECONDS = env_int("SENTRA_DOCUMENT_UPLOAD_SECONDS", 600)
SENTRA_DOCUMENT_VIEW_SECONDS = env_int("SENTRA_DOCUMENT_VIEW_SECONDS", 300)
# clamd's address ("/run/clamav/clamd.ctl" or "host:3310"); empty: no virus scan (a documented
# no-op, docs/adr/0015-documents-straight-to-s3.md).
SENTRA_CLAMD_ADDRESS = env_str("SENTRA_CLAMD_ADDRESS", "")

# --- Email ----------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env_str("SENTRA_FROM_EMAIL", "Sentra <no-reply@sentra.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery ---------------------------------------------------------------------------------
# https://docs.celeryq.dev/en/stable/userguide/configuration.html
CELERY_BROKER_URL = broker_url()
CELERY_BROKER_TRANSPORT_OPTIONS = broker_transport_options()
CELERY_RESULT_BACKEND = result_backend()
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Liveness through the pool (config/worker_liveness.py, imported by the worker at start) sends
# to each worker's own queue.
CELERY_IMPORTS = ["config.worker_liveness"]
CELERY_WORKER_DIRECT = True
# A task running this long is stuck (delivery and housekeeping take seconds): the pool kills it,
# and the liveness check counts a pool busy within this limit as alive.
CELERY_TASK_TIME_LIMIT = env_int("SENTRA_TASK_TIME_LIMIT", 300)
# A pool child past this resident size (KiB) is replaced after its task, before the kernel's
# OOM killer picks one mid-task (which is how billiard's queue lock gets wedged).
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env_int("SENTRA_WORKER_MAX_MEMORY_KIB", 400_000)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# /healthz fails when no worker ran beat's one-minute heartbeat for this long (common/health.py).
WORKER_HEARTBEAT_STALE_SECONDS = env_int("SENTRA_WORKER_HEARTBEAT_STALE_SECONDS", 180)
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "heartbeat": {"task": "tenants.tasks.worker_heartbeat", "schedule": 60.0},
    "waitlist-offers-expire": {
        "task": "organizers.tasks.waitlist_offers_expire_all",
        "schedule": 60.0,
    },
    "idempotency-records-purge": {
        "task": "organizers.tasks.idempotency_records_purge_all",
        "schedule": 3600.0,
    },
    # The outbox (organizers.services.messages.outbox): re-send what a lost task left pending, and
    # record the reminders (the day before; the dose-2 window opening).
    "messages-sweep": {"task": "organizers.tasks.messages_sweep_all", "schedule": 60.0},
    "reminders-record": {"task": "organizers.tasks.reminders_record_all", "schedule": 900.0},
    # Roster imports whose worker died: failed, and their stored files deleted
    # (organizers.services.eligibility.roster_imports).
    "roster-imports-expire": {
        "task": "organizers.tasks.roster_imports_expire_all",
        "schedule": 300.0,
    },
    # Uploads never confirmed, and refused files: their objects deleted (documents.services).
    "documents-sweep": {"task": "documents.tasks.documents_sweep", "schedule": 900.0},
}
# tenant-schemas-celery: cache tenant lookups in the worker for a minute.
CELERY_TASK_TENANT_CACHE_SECONDS = 60

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "api.exception_handlers.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Sentra API",
    "DESCRIPTION": (
        "Booking API of an organiser's host (<slug>.<root domain>). Errors are "
        '{"error": {"code", "message", "fields"?, "details"?}}; 409 codes say why a booking '
        "was refused. POST /bookings accepts an Idempotency-Key header."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Request bodies get components of their own (BookingCreateRequest, ...), with what only
    # input has: a required text field is at least 1 character (DRF refuses "" unless blank is
    # allowed). tests/api/test_fuzzing.py sends what the schema allows.
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "DoseEnum": "organizers.models.Dose",
        # Programme.Kind is "kind" too: each choice set gets its own name.
        "OrganiserKindEnum": "applications.models.OrganiserApplication.Kind",
    },
}

# --- Security headers common to all environments --------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("SENTRA_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Personal data (NIK, date of birth) --------------------------------------------------------
# Keys outside the database. "id:base64(32 bytes)" pairs, newest first; the defaults here are for
# local runs and tests only and production refuses to start without its own.
SENTRA_PII_KEYS = env_str("SENTRA_PII_KEYS", DEVELOPMENT_KEYS["SENTRA_PII_KEYS"])
SENTRA_PII_INDEX_KEY = env_str("SENTRA_PII_INDEX_KEY", DEVELOPMENT_KEYS["SENTRA_PII_INDEX_KEY"])
# The e-voucher's QR token is signed with Ed25519 (organizers.services.vouchers.signed_token):
# base64 of the 32-byte private key seed. Anyone holding the public key checks a voucher without
# the database.
SENTRA_VOUCHER_SIGNING_KEY = env_str(
    "SENTRA_VOUCHER_SIGNING_KEY", DEVELOPMENT_KEYS["SENTRA_VOUCHER_SIGNING_KEY"]
)
