"""The reliability command's platform (benchmarks/reliability/): the rush benchmark's
production-like settings, with mail sent over SMTP to the command's own mail server, and the
cache where production keeps it (Redis, when the command runs one: the broker's server)."""

from config.settings import base
from config.settings.bench import *

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = env_int("SENTRA_EMAIL_PORT", 25)
EMAIL_TIMEOUT = 10
CACHES = base.CACHES
# What made a request fail (a 500's traceback), on the command's output; the rest quiet.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False}},
    "root": {"level": "WARNING", "handlers": ["console"]},
}
