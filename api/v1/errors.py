"""The error answers of API v1, documented in the OpenAPI schema: every operation lists the 4xx
and 503 it can give, each with the one error body (api/exception_handlers.py), so generated
clients and fuzzers learn them instead of meeting them."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="What went wrong, for programs: invalid, booking_not_found, slot_full, "
        "too_many_attempts, busy_try_again, try_again, ..."
    )
    message = serializers.CharField(help_text="The same for people, in the answer's language.")
    # DRF's metaclass takes declared fields out of the class body, so this does not shadow
    # Serializer.fields at run time; only the type checker sees the name twice.
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="With 400 invalid: each wrong field and its messages.",
    )
    details = serializers.DictField(required=False, help_text="More about some refusals.")


class ErrorSerializer(serializers.Serializer):
    error = ErrorBodySerializer()


_MEANING = {
    400: "The request is wrong: `fields` names each wrong field with its messages.",
    403: "Not signed in, or not allowed here.",
    404: "Not found: the organiser, the venue, the slot, or a booking with this voucher code "
    "and date of birth (the same answer for each: nothing tells them apart).",
    409: "Refused: `code` says why (slot_full, already_booked, not_eligible, ...), `message` "
    "says it to the person.",
    413: "The body is larger than the API takes.",
    415: "The body is not sent as application/json.",
    422: "idempotency_key_reused: this Idempotency-Key came with a different request before.",
    429: "Too many tries (wrong dates of birth, refused checks, booking attempts per client or "
    "NIK), or busy_try_again: the server has as many requests in progress as it can answer in "
    "time (docs/adr/0012). The Retry-After header says when to try again.",
    503: "try_again: the database is busy or out of reach. Nothing was written; the "
    "Retry-After header says when to try again.",
}


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    """The documented error answers of an operation (always 429 and 503: any request can meet
    a busy server or an outage)."""
    return {
        status: OpenApiResponse(ErrorSerializer, description=_MEANING[status])
        for status in sorted({*statuses, 429, 503})
    }
