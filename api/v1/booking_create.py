"""POST /api/v1/bookings without DRF's per-request machinery.

This is the endpoint opening hour hammers. Profiling under load showed DRF's serializer set-up
(a deep copy of every declared field for every request), request wrapping and content
negotiation costing as much as the booking itself. Here the same DRF fields validate the body
(same rules, same translated messages), built once per process; the JSON in and out is plain
Django. BookingCreateView keeps the endpoint in the OpenAPI schema and routes POSTs here.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.fields import empty

from api.exception_handlers import application_error_body
from api.idempotency import HEADER, idempotent
from api.v1 import serializers as s
from api.v1.parsers import MAX_BODY_BYTES
from organizers.personal_data import mask_nik
from organizers.services import capacity
from tenants.errors import ApplicationError

_FIELDS = s.BookingCreateSerializer().fields  # bound once; validating with them keeps no state
_EXTRA_CHECKS = {"nik": s.nik_check, "date_of_birth": s.date_of_birth_check}


def _error(status: int, code: str, message: str, **extra: Any) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message, **extra}}, status=status)


def _validate(payload: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    data: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, field in _FIELDS.items():
        try:
            value = field.run_validation(payload.get(name, empty))
            if name in _EXTRA_CHECKS:
                value = _EXTRA_CHECKS[name](value)
        except serializers.ValidationError as exc:
            errors[name] = [str(message) for message in exc.detail]
            continue
        except serializers.SkipField:
            continue
        data[name] = value
    return data, errors


def booking_create(request: HttpRequest) -> JsonResponse:
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY_BYTES:
        return _error(413, "body_too_large", _("The request body is too large."))
    if not (request.content_type or "").startswith("application/json"):
        return _error(415, "unsupported_media_type", _("Send the booking as JSON."))
    try:
        payload = json.loads(request.body or b"{}")
    except ValueError:
        return _error(400, "parse_error", _("The request body is not valid JSON."))
    if not isinstance(payload, dict):
        return _error(400, "invalid", _("Invalid input."), fields={"non_field_errors": [
            _("Send an object with the booking's fields.")]})  # fmt: skip
    data, errors = _validate(payload)
    if errors:
        return _error(400, "invalid", _("Invalid input."), fields=errors)

    def respond() -> tuple[int, Any]:
        booking = capacity.booking_create(
            programme_id=data["programme_id"], slot_id=data["slot_id"], dose=data["dose"],
            person=capacity.Person(
                nik=data["nik"], date_of_birth=data["date_of_birth"],
                full_name=data["full_name"], phone=data["phone"], email=data["email"],
            ),
            reserve_next_dose=data["reserve_next_dose"],
        )  # fmt: skip
        return 201, s.booking_representation(booking, nik_masked=mask_nik(data["nik"]))

    try:
        status, body, replayed = idempotent(
            scope="bookings.create", key=request.headers.get(HEADER), body=request.body,
            respond=respond,
        )  # fmt: skip
    except ApplicationError as exc:
        return JsonResponse(application_error_body(exc), status=exc.status_code)
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response
