"""Production: PostgreSQL, Redis, S3, SES (SMTP) behind HTTPS. Every secret comes from the
environment; a missing one stops start-up with a clear message."""

from common.published_keys import development_keys_in, key_format_errors
from config.env import ConfigurationError, env_bool, env_int, env_list, env_str
from config.settings.base import *

# Fail fast when the services production needs are not configured (no silent local fallbacks).
env_str("DATABASE_URL")
env_str("REDIS_URL")
SENTRA_PII_KEYS = env_str("SENTRA_PII_KEYS")
SENTRA_PII_INDEX_KEY = env_str("SENTRA_PII_INDEX_KEY")
SENTRA_VOUCHER_SIGNING_KEY = env_str("SENTRA_VOUCHER_SIGNING_KEY")

# Without it every real host would be "organiser not found" while /healthz said all is well.
ROOT_DOMAIN = env_str("SENTRA_ROOT_DOMAIN")

DEBUG = False
SECRET_KEY = env_str("DJANGO_SECRET_KEY")

# The development keys are published with the source code: with them anyone could read the
# sealed NIKs and forge e-vouchers. Refuse them, and keys of the wrong form, before serving.
_KEYS = {
    "DJANGO_SECRET_KEY": SECRET_KEY,
    "SENTRA_PII_KEYS": SENTRA_PII_KEYS,
    "SENTRA_PII_INDEX_KEY": SENTRA_PII_INDEX_KEY,
    "SENTRA_VOUCHER_SIGNING_KEY": SENTRA_VOUCHER_SIGNING_KEY,
}
if development_keys_in(_KEYS):
    raise ConfigurationError(
        f"{', '.join(development_keys_in(_KEYS))}: the development key published with Sentra's "
        "source code; set your own."
    )
if key_format_errors(_KEYS):
    raise ConfigurationError("; ".join(key_format_errors(_KEYS)))
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", [ROOT_DOMAIN, f".{ROOT_DOMAIN}"])
# Same-host POSTs need no entry here. No wildcard over the organisers' subdomains: it would let
# one organiser's origin post to another's.
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
PUBLIC_SCHEME = "https"
PUBLIC_PORT = ""

# https://docs.djangoproject.com/en/5.2/howto/deployment/checklist/
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True

# Object storage: S3 through boto3 (django-storages). AWS_S3_ENDPOINT_URL points at any
# S3-compatible API (the test suite uses a local one).
STORAGES = {
    "default": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("SENTRA_S3_BUCKET"),
            "region_name": env_str("AWS_REGION", "ap-southeast-3"),
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL", "") or None,
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 300,
            "file_overwrite": False,
            "object_parameters": {"ServerSideEncryption": "AES256"},
        },
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# The documents' bucket (documents.object_store): the same bucket, never created by the app.
SENTRA_S3_BUCKET = env_str("SENTRA_S3_BUCKET")
SENTRA_S3_CREATE_BUCKET = False

# Email through SES's SMTP interface.
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = env_str("EMAIL_HOST", "email-smtp.ap-southeast-3.amazonaws.com")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = True
# Seconds before a silent mail server counts as down (the outbox retries later): without it a
# worker would wait forever on a hung connection.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
