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


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        return Response(application_error_body(exc), status=exc.status_code)
    if isinstance(exc, OperationalError) and getattr(exc.__cause__, "sqlstate", None) in (
        "40P01",  # deadlock detected
        "40001",  # serialization failure
    ):
        # PostgreSQL gave up one of two colliding transactions; nothing was written.
        return Response(
            {"error": {"code": "try_again", "message": str(_("Busy. Please try again."))}},
            status=503,
            headers={"Retry-After": "1"},
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = {
            "error": {"code": "invalid", "message": _("Invalid input."), "fields": fields}
        }
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
        code = getattr(detail, "code", None) or exc.__class__.__name__.lower()
        response.data = {"error": {"code": code, "message": str(detail)}}
    return response
