"""Settings for pytest. The test command (./sentra test) picks the database and the broker."""

from config.settings.base import *

DEBUG = False
# In-process tests read mail.outbox; the Celery worker the suite starts writes files instead,
# which the tests read like a person would.
EMAIL_BACKEND = env_str(
    "SENTRA_TEST_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend"
)
EMAIL_FILE_PATH = env_str("SENTRA_TEST_EMAIL_DIR", str(VAR_DIR / "mail"))
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_HOSTS = ["*"]
ACCOUNT_RATE_LIMITS = False
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Static files straight from the apps (no collectstatic) for the suite's server processes.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Tests change tenants (review status) and expect the next request to see it.
TENANT_HOST_CACHE_SECONDS = 0
# One key space per pytest-xdist worker (tests/worker_env.py names it) in the one Redis
# database of the run: cache keys carry the worker's name and clear() deletes only those; the
# broker's keys carry it too, so one worker's Celery worker never takes the other's tasks.
if env_str("REDIS_URL", ""):
    for _alias in CACHES:
        CACHES[_alias]["BACKEND"] = "tests.worker_cache.WorkerRedisCache"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **CELERY_BROKER_TRANSPORT_OPTIONS,
        "global_keyprefix": f"{env_str('SENTRA_TEST_WORKER', 'main')}|",
    }
