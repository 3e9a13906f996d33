"""Cache keys: tenant-keyed by default, global for account-security counters.

django-tenants' `make_key` puts the schema in front of every key, so a value cached inside
tenant A is invisible in tenant B. allauth's login and MFA rate limits and its "TOTP code
already used" markers must *not* be per host: a person's account is the same on every host, and
per-host counters would give an attacker five guesses per organiser. allauth uses the default
cache and names its keys "allauth…", so those keys are made global here.
"""

from __future__ import annotations

from django_tenants.cache import make_key as tenant_make_key
from django_tenants.cache import reverse_key as tenant_reverse_key

GLOBAL_KEY_PREFIXES = ("allauth",)


def make_key(key: str, key_prefix: str, version: int) -> str:
    if key.startswith(GLOBAL_KEY_PREFIXES):
        return f"global:{key_prefix}:{version}:{key}"
    return tenant_make_key(key, key_prefix, version)


def reverse_key(key: str) -> str:
    return tenant_reverse_key(key)
