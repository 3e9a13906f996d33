"""Absolute links to a host (emails, printed URLs): scheme and port from settings."""

from __future__ import annotations

from django.conf import settings


def absolute_url(*, host: str, path: str = "/") -> str:
    port = f":{settings.PUBLIC_PORT}" if settings.PUBLIC_PORT else ""
    return f"{settings.PUBLIC_SCHEME}://{host}{port}{path}"
