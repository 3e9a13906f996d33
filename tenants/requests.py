"""The organiser of a request on its host, typed."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.http import HttpRequest
    from rest_framework.request import Request

    from tenants.models import Tenant


def request_tenant(request: HttpRequest | Request) -> Tenant:
    """The host's organiser, which django-tenants' middleware set on the request (the URLconf
    of organiser hosts is reached with one only). For the type checker: Django's HttpRequest
    does not declare the attribute."""
    tenant: Tenant = request.tenant  # type: ignore[union-attr]  # set at run time, see above
    return tenant
