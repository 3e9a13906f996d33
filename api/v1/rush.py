"""The two endpoints opening hour hammers, without DRF's per-request machinery: POST
/api/v1/bookings and GET /api/v1/venues/<id>/slots.

For the booking, Profiling under load showed DRF's serializer set-up
(a deep copy of every declared field for every request), request wrapping and content
negotiation costing as much as the booking itself. Here the same DRF fields validate the body
(same rules, same translated messages), built once per process; the JSON in and out is plain
Django. The DRF view classes keep both endpoints in the OpenAPI schema and route here. Measured
with ./sentra bench: about a quarter more bookings a second and a third of the p99.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
import time
from collections.abc import Callable
from typing import Any, TypeGuard

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import EmailValidator
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.fields import empty

from api.exception_handlers import TRY_AGAIN_HEADERS, application_error_body, try_again_body
from api.idempotency import HEADER, idempotent
from api.v1 import serializers as s
from api.v1.parsers import MAX_BODY_BYTES
from organizers.models import Sex
from organizers.nik import nik_problems
from organizers.personal_data import mask_nik
from organizers.selectors import slot_day_json
from organizers.services import bookings, capacity
from tenants.context import current_schema_name
from tenants.errors import ApplicationError, NotFoundError

# Bound once per language (validating with them keeps no state): DRF formats some messages,
# such as "at least 16 characters", once when the field is bound, in the language active then.
_FIELDS_BY_LANGUAGE: dict[str, Any] = {}


def _fields() -> Any:
    language = get_language() or settings.LANGUAGE_CODE
    fields = _FIELDS_BY_LANGUAGE.get(language)
    if fields is None:
        fields = _FIELDS_BY_LANGUAGE[language] = s.BookingCreateSerializer().fields
    return fields


_EXTRA_CHECKS: dict[str, Callable[[Any], Any]] = {
    "nik": s.nik_check,
    "date_of_birth": s.date_of_birth_check,
}


def _error(status: int, code: str, message: str, **extra: Any) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message, **extra}}, status=status)


def _validate(payload: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    data: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, field in _fields().items():
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


# --- The plain-Python gate of the rush front (api/front.py) ---------------------------------------

_SURROGATES = re.compile("[\ud800-\udfff]")
ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_PLAIN_TEXT_LIMITS = {"phone": 30, "address": 500, "employee_number": 40}


def _plain_text(value: object, *, limit: int, blank: bool) -> TypeGuard[str]:
    """A string DRF's CharField would keep exactly as it is: no surrounding whitespace to trim,
    no NUL or lone surrogate, within the length."""
    return (
        type(value) is str
        and (blank or value != "")
        and len(value) <= limit
        and value == value.strip()
        and "\x00" not in value
        and not _SURROGATES.search(value)
    )


def booking_fields_plain(payload: object) -> dict[str, Any] | None:
    """The fields of a first-dose booking body that is valid as it stands, checked without DRF
    (a tenth of the cost); None for anything else: a body this gate is not sure of, valid or
    not, goes to the full path (booking_create), which decides and words the answer.

    The rule: this never accepts a body that BookingCreateSerializer, the NIK rules and the
    date-of-birth check would refuse or change (tests/api/v1/test_rush_plain.py compares the
    two on thousands of bodies). So it takes only exact JSON types (an int, not "7" or 7.0),
    text with nothing to trim, and ISO dates."""
    if type(payload) is not dict:
        return None
    get = payload.get
    programme_id, slot_id = get("programme_id"), get("slot_id")
    if not (type(programme_id) is int and 1 <= programme_id <= s.MAX_ID):
        return None
    if not (type(slot_id) is int and 1 <= slot_id <= s.MAX_ID):
        return None
    if type(get("dose")) is not int or get("dose") != 1 or get("reserve_next_dose", False) is not \
            False or get("invite_token", "") != "":  # fmt: skip
        return None
    nik, born, name = get("nik"), get("date_of_birth"), get("full_name")
    if type(nik) is not str or not s.NIK_RE.fullmatch(nik):
        return None
    if type(born) is not str or not ISO_DAY.fullmatch(born):
        return None
    if not _plain_text(name, limit=200, blank=False):
        return None
    sex, language, email = get("sex", ""), get("language", "id"), get("email", "")
    if type(sex) is not str or sex not in _SEXES:
        return None
    if type(language) is not str or language not in _SPOKEN:
        return None
    fields = {"phone": "", "address": "", "employee_number": ""}
    for field, limit in _PLAIN_TEXT_LIMITS.items():
        value = get(field, "")
        if not _plain_text(value, limit=limit, blank=True):
            return None
        fields[field] = value
    if email != "" and not _plain_email(email):
        return None
    try:
        date_of_birth = s.date_of_birth_check(dt.date.fromisoformat(born))
    except (ValueError, serializers.ValidationError):
        return None
    if nik_problems(nik, date_of_birth=date_of_birth, sex=sex):
        return None
    return {
        "programme_id": programme_id, "slot_id": slot_id, "dose": 1, "nik": nik,
        "date_of_birth": date_of_birth, "full_name": name, "email": email, "sex": sex,
        "language": get("language"), **fields,
    }  # fmt: skip


def _plain_email(value: object) -> bool:
    if not _plain_text(value, limit=320, blank=False):
        return False
    try:
        _EMAIL(value)
    except DjangoValidationError:
        return False
    return True


_EMAIL = EmailValidator()
_SEXES = {"", *(code for code, _name in Sex.choices)}


def _language(payload: object) -> str:
    """The booker's language: the body's `language` when it is one we speak, else the
    request's (the language cookie; Bahasa Indonesia by default)."""
    chosen = payload.get("language") if isinstance(payload, dict) else None
    return chosen if chosen in _SPOKEN else request_language()


_SPOKEN = {code for code, _name in settings.LANGUAGES}


def request_language() -> str:
    """The active language as one of settings.LANGUAGES (what a booking records)."""
    active = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return active if active in _SPOKEN else settings.LANGUAGE_CODE


def booking_create(request: HttpRequest) -> JsonResponse:
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY_BYTES:
        return _error(413, "body_too_large", _("The request body is too large."))
    if not (request.content_type or "").startswith("application/json"):
        return _error(415, "unsupported_media_type", _("Send the booking as JSON."))
    try:
        payload = json.loads(request.body or b"{}")
    except (ValueError, RecursionError):  # RecursionError: thousands of nested brackets
        return _error(400, "parse_error", _("The request body is not valid JSON."))
    language = _language(payload)
    with translation.override(language):
        return _booking_create(request, payload, language)


def _booking_create(request: HttpRequest, payload: object, language: str) -> JsonResponse:
    if not isinstance(payload, dict):
        return _error(400, "invalid", _("Invalid input."), fields={"non_field_errors": [
            _("Send an object with the booking's fields.")]})  # fmt: skip
    data, errors = _validate(payload)
    if not errors:
        nik_errors = s.nik_rule_errors(data)
        if nik_errors:
            errors["nik"] = nik_errors
    if errors:
        return _error(400, "invalid", _("Invalid input."), fields=errors)

    def respond() -> tuple[int, Any]:
        booking = bookings.booking_place(
            programme_id=data["programme_id"], slot_id=data["slot_id"], dose=data["dose"],
            person=capacity.Person(
                nik=data["nik"], date_of_birth=data["date_of_birth"],
                full_name=data["full_name"], phone=data["phone"], email=data["email"],
                sex=data["sex"], address=data["address"],
                employee_number=data["employee_number"], language=language,
            ),
            reserve_next_dose=data["reserve_next_dose"],
            invite_token=data["invite_token"] or None,
            address=request.META.get("REMOTE_ADDR", ""),
        )  # fmt: skip
        return 201, s.booking_representation(booking, nik_masked=mask_nik(data["nik"]))

    try:
        status, body, replayed = idempotent(
            scope="bookings.create", key=request.headers.get(HEADER), body=request.body,
            respond=respond,
        )  # fmt: skip
    except ApplicationError as exc:
        return JsonResponse(application_error_body(exc), status=exc.status_code)
    except OperationalError as exc:
        if (busy := try_again_body(exc)) is None:
            raise
        return JsonResponse(busy, status=503, headers=TRY_AGAIN_HEADERS)
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


_SLOT_QUERY_BY_LANGUAGE: dict[str, dict[str, serializers.Field]] = {}
# Rendered day pages, per process: (tenant schema, venue, day, programme) -> (expiry, JSON).
_SLOT_PAGES: dict[tuple[str, int, dt.date, int | None], tuple[float, bytes]] = {}
_SLOT_PAGES_BYTES = 0
_SLOT_PAGES_LOCK = threading.Lock()


def _slot_query_fields() -> dict[str, serializers.Field]:
    language = get_language() or settings.LANGUAGE_CODE
    fields = _SLOT_QUERY_BY_LANGUAGE.get(language)
    if fields is None:
        fields = _SLOT_QUERY_BY_LANGUAGE[language] = {
            "date": serializers.DateField(),
            "programme": serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1),
        }
    return fields


def venue_slots(request: HttpRequest, venue_id: int) -> HttpResponse:
    """A venue's slots on a day (its local date) with the seats left. At opening hour
    thousands ask the same question: each process keeps the rendered answer for
    SLOT_LIST_CACHE_SECONDS per tenant, venue and day (a couple of seconds; the booking itself
    always decides on the live counter), so a cached answer costs no query and no JSON work."""
    query: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, field in _slot_query_fields().items():
        try:
            query[name] = field.run_validation(request.GET.get(name, empty))
        except serializers.ValidationError as exc:
            errors[name] = [str(message) for message in exc.detail]
        except serializers.SkipField:
            query[name] = None
    if errors:
        return _error(400, "invalid", _("Invalid input."), fields=errors)
    day, programme = query["date"], query["programme"]
    if not day_may_hold_slots(day):
        return JsonResponse([], safe=False)
    key = (current_schema_name(), venue_id, day, programme)
    cached = slot_page_known(key)
    if cached is not None:
        return HttpResponse(cached, content_type="application/json")
    body = slot_day_json(venue_id=venue_id, day=day, programme_id=programme, now=timezone.now())
    if body is None:
        return JsonResponse(application_error_body(NotFoundError(code="venue_not_found")),
                            status=404)  # fmt: skip
    encoded = body.encode()
    slot_page_keep(key, encoded)
    return HttpResponse(encoded, content_type="application/json")


def day_may_hold_slots(day: dt.date) -> bool:
    """False for far-off days: they hold no slots, and their time zone arithmetic overflows."""
    return dt.date(2000, 1, 1) <= day <= dt.date(9000, 1, 1)


def slot_page_known(key: tuple) -> bytes | None:
    """A day's rendered slot list kept by this process and still fresh, else None."""
    cached = _SLOT_PAGES.get(key)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    return None


def slot_page_keep(key: tuple, body: bytes) -> None:
    if settings.SLOT_LIST_CACHE_SECONDS:
        _slot_page_keep(key, body, expires=time.monotonic() + settings.SLOT_LIST_CACHE_SECONDS)


_SLOT_PAGES_MAX_BYTES = 8 * 1024 * 1024


def _slot_page_keep(key: tuple, body: bytes, *, expires: float) -> None:
    """Keep a rendered day, within a byte budget per process: expired days go first, then
    the oldest kept (a crawler asking for every day cannot grow the process; busy days come
    back on their next request). One lock: the server's threads and the rush front share
    the pages."""
    global _SLOT_PAGES_BYTES
    with _SLOT_PAGES_LOCK:
        previous = _SLOT_PAGES.pop(key, None)
        if previous is not None:
            _SLOT_PAGES_BYTES -= len(previous[1])
        if _SLOT_PAGES_BYTES + len(body) > _SLOT_PAGES_MAX_BYTES:
            now = time.monotonic()
            for old in [k for k, (until, _body) in _SLOT_PAGES.items() if until <= now]:
                _SLOT_PAGES_BYTES -= len(_SLOT_PAGES.pop(old)[1])
            while _SLOT_PAGES and _SLOT_PAGES_BYTES + len(body) > _SLOT_PAGES_MAX_BYTES:
                _SLOT_PAGES_BYTES -= len(_SLOT_PAGES.pop(next(iter(_SLOT_PAGES)))[1])
        _SLOT_PAGES[key] = (expires, body)
        _SLOT_PAGES_BYTES += len(body)
