"""The rush benchmark's server: production-like (DEBUG off, persistent connections, quiet
logs) on the local machine over plain HTTP."""

from config.settings.base import *

DEBUG = False
ALLOWED_HOSTS = ["localhost", ".localhost", "127.0.0.1"]
DATABASES["default"]["CONN_MAX_AGE"] = None
DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "bench-tenant",
        "KEY_FUNCTION": "tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "tenants.cache.reverse_key",
    },
    "global": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "g"},
}
# The bench's worker writes the e-vouchers it delivers to files (benchmarks/rush/processes.py).
EMAIL_BACKEND = env_str(
    "SENTRA_BENCH_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend"
)
EMAIL_FILE_PATH = env_str("SENTRA_BENCH_EMAIL_DIR", str(VAR_DIR / "bench-mail"))
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
WHITENOISE_AUTOREFRESH = True  # no collectstatic for a benchmark; nothing static is asked for
