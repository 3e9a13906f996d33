"""The keys published with the source code, and the check that they are not in use.

The defaults below are in this repository for a laptop and the tests: anyone can read them, so
data sealed or vouchers signed with them are not protected. Production refuses to start with
any of them (config/settings/production.py) and `manage.py check --deploy` reports them
(tenants/checks.py), as Django does for an insecure SECRET_KEY. Standard library only: the
settings import it.
"""

from __future__ import annotations

import base64

DEVELOPMENT_KEYS = {
    "DJANGO_SECRET_KEY": "insecure-local-only-key-change-me-in-production",
    "SENTRA_PII_KEYS": "dev1:ZGV2LW9ubHkta2V5LWRvLW5vdC11c2UtaW4tcHJvZCE=",
    "SENTRA_PII_INDEX_KEY": "ZGV2LW9ubHktaW5kZXgta2V5LW5vdC1mb3ItcHJvZCE=",
    "SENTRA_VOUCHER_SIGNING_KEY": "ZGV2LW9ubHktdm91Y2hlci1rZXktbm90LXByb2QhISE=",
}
NEW_KEY_COMMAND = (
    'python -c "import base64, secrets; print(base64.b64encode(secrets.token_bytes(32)).decode())"'
)


def new_key_command(name: str) -> str:
    """How to make a key for the setting `name` (Django wants 50 characters or more)."""
    if name == "DJANGO_SECRET_KEY":
        return 'python -c "import secrets; print(secrets.token_urlsafe(50))"'
    return NEW_KEY_COMMAND


def _key_material(name: str, value: str) -> set[bytes]:
    """The secrets a setting holds, compared as bytes (padding or id may differ, the key not)."""
    if name == "DJANGO_SECRET_KEY":
        return {value.encode()}
    parts = (
        [pair.partition(":")[2] for pair in value.split(",")]
        if name == "SENTRA_PII_KEYS"
        else [value]
    )
    material = set()
    for part in parts:
        try:
            material.add(base64.b64decode(part.strip(), validate=True))
        except ValueError:
            material.add(part.strip().encode())
    return material


def development_keys_in(values: dict[str, str]) -> list[str]:
    """The names among `values` whose value is, or (for the key list) holds, a published key."""
    return [
        name
        for name, value in values.items()
        if name in DEVELOPMENT_KEYS
        and _key_material(name, value) & _key_material(name, DEVELOPMENT_KEYS[name])
    ]


def key_format_errors(values: dict[str, str]) -> list[str]:
    """What is wrong with the form of the base64 keys (each must be 32 bytes)."""
    errors = []
    for name, value in values.items():
        if name == "DJANGO_SECRET_KEY" or name not in DEVELOPMENT_KEYS:
            continue
        pairs = value.split(",") if name == "SENTRA_PII_KEYS" else [f":{value}"]
        for pair in pairs:
            key_id, colon, encoded = pair.strip().rpartition(":")
            if name == "SENTRA_PII_KEYS" and not (colon and key_id):
                errors.append(f"{name} must be id:base64 pairs separated by commas")
                continue
            try:
                size = len(base64.b64decode(encoded, validate=True))
            except ValueError:
                size = -1
            if size != 32:
                errors.append(f"{name} must hold base64 of 32 random bytes ({NEW_KEY_COMMAND})")
    return errors
