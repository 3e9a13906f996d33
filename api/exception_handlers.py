"""One mapping from errors to HTTP for the API: every 4xx is
{"error": {"code": ..., "message": ..., "fields": {...}}}."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from common import database_outage
from common.database_outage import retry_after
from tenants.errors import ApplicationError


def application_error_body(exc: ApplicationError) -> dict[str, Any]:
    body: dict[str, Any] = {"code": exc.code, "message": str(exc.message)}
    if exc.extra:
        body["details"] = exc.extra
    return {"error": body}


def invalid_body(fields: dict[str, Any]) -> dict[str, Any]:
    """The 400 of a request whose fields are wrong: the messages per field."""
    return {"error": {"code": "invalid", "message": str(_("Invalid input.")), "fields": fields}}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        return Response(application_error_body(exc), status=exc.status_code)
    if (seconds := retry_after(exc)) is not None:
        headers = {"Retry-After": str(seconds)}
        return Response(database_outage.try_again_body(), status=503, headers=headers)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = invalid_body(fields)
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
        code = getattr(detail, "code", None) or exc.__class__.__name__.lower()
        response.data = {"error": {"code": code, "message": str(detail)}}
    return response
