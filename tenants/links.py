"""Absolute links to a host (emails, printed URLs): scheme and port from settings."""

from __future__ import annotations

from django.conf import settings


def absolute_url(*, host: str, path: str = "/") -> str:
    port = f":{settings.PUBLIC_PORT}" if settings.PUBLIC_PORT else ""
    return f"{settings.PUBLIC_SCHEME}://{host}{port}{path}"


def current_tenant_url(path: str = "/") -> str:
    """An absolute link to `path` on the current organiser's own host (inside its schema)."""
    from tenants.context import require_current_tenant
    from tenants.selectors import tenant_primary_host

    return absolute_url(host=tenant_primary_host(tenant=require_current_tenant()), path=path)
