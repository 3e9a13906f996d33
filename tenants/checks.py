"""`manage.py check --deploy`: the keys published with the source code are not for people's data.

Production settings refuse them at start-up (config/settings/production.py); this check says the
same to anyone who runs Django's deployment checklist with other settings, as Django's own
security.W009 does for an insecure SECRET_KEY.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

from common.published_keys import development_keys_in, key_format_errors, new_key_command


@checks.register(checks.Tags.security, deploy=True)
def published_keys_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    keys = {
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "SENTRA_PII_KEYS": settings.SENTRA_PII_KEYS,
        "SENTRA_PII_INDEX_KEY": settings.SENTRA_PII_INDEX_KEY,
        "SENTRA_VOUCHER_SIGNING_KEY": settings.SENTRA_VOUCHER_SIGNING_KEY,
    }
    published: list[checks.CheckMessage] = [
        checks.Error(
            f"{name} is the development key published with Sentra's source code: anyone can "
            "read what it seals or forge what it signs.",
            hint=f"Set {name} to a key of your own: {new_key_command(name)}",
            id="sentra.E001",
        )
        for name in development_keys_in(keys)
    ]
    malformed = [checks.Error(error, id="sentra.E002") for error in key_format_errors(keys)]
    return published + malformed
