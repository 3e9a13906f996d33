"""Reading the environment (12-factor). Every setting that differs between machines comes from here.

Kept free of Django imports so that the launcher (`config.launcher`) can use it before Django
is configured.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SENTRA_VAR_DIR", BASE_DIR / "var"))


class ConfigurationError(RuntimeError):
    """A required environment variable is missing or malformed."""


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None or value == "":
        if default is None:
            raise ConfigurationError(f"Environment variable {name} is required.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ConfigurationError(f"Environment variable {name} must be true or false, not {value!r}.")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ConfigurationError(f"Environment variable {name} must be a whole number.") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def filesystem_broker_dir() -> Path:
    """Folder of the server-less Celery broker used when no REDIS_URL is configured."""
    return VAR_DIR / "broker"


def broker_url() -> str:
    """Redis when REDIS_URL is set (production, CI); otherwise kombu's filesystem transport.

    The filesystem transport needs no server, works across processes on one machine and is a
    real broker for Celery: the worker and beat of the one-command run use it.
    """
    redis_url = os.environ.get("REDIS_URL")
    if redis_url:
        return redis_url
    return "filesystem://"


def broker_transport_options() -> dict[str, object]:
    if os.environ.get("REDIS_URL"):
        return {"visibility_timeout": 3600}
    folder = filesystem_broker_dir()
    for sub in ("queue", "processed"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "processed_folder": str(folder / "processed"),
        "store_processed": False,
    }


def result_backend() -> str:
    redis_url = os.environ.get("REDIS_URL")
    if redis_url:
        return redis_url
    folder = VAR_DIR / "results"
    folder.mkdir(parents=True, exist_ok=True)
    return f"file://{folder}"


def redacted_url(url: str) -> str:
    """A URL safe to print: the password is replaced."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url
