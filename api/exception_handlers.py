"""One mapping from errors to HTTP for the API: every 4xx is
{"error": {"code": ..., "message": ..., "fields": {...}}}."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from tenants.errors import ApplicationError


def application_error_body(exc: ApplicationError) -> dict[str, Any]:
    body: dict[str, Any] = {"code": exc.code, "message": str(exc.message)}
    if exc.extra:
        body["details"] = exc.extra
    return {"error": body}


def invalid_body(fields: dict[str, Any]) -> dict[str, Any]:
    """The 400 of a request whose fields are wrong: the messages per field."""
    return {"error": {"code": "invalid", "message": str(_("Invalid input.")), "fields": fields}}


TRY_AGAIN_HEADERS = {"Retry-After": "1"}


def try_again_body(exc: Exception) -> dict[str, Any] | None:
    """The 503 body when PostgreSQL gave up one of two colliding transactions (a deadlock or a
    serialization failure: nothing was written, a retry will do); None for any other error."""
    if isinstance(exc, OperationalError) and getattr(exc.__cause__, "sqlstate", None) in (
        "40P01",  # deadlock detected
        "40001",  # serialization failure
    ):
        return {"error": {"code": "try_again", "message": str(_("Busy. Please try again."))}}
    return None


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        return Response(application_error_body(exc), status=exc.status_code)
    if (busy := try_again_body(exc)) is not None:
        return Response(busy, status=503, headers=TRY_AGAIN_HEADERS)
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
