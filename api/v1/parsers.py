"""Request bodies for the public API: small JSON only."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser

from tenants.errors import ApplicationError

MAX_BODY_BYTES = 16 * 1024


class BodyTooLargeError(APIException):
    status_code = 413
    default_detail = _("The request body is too large.")
    default_code = "body_too_large"


class UnsupportedMediaTypeError(ApplicationError):
    status_code = 415


def json_required(content_type: str) -> None:
    """A body sent as anything but JSON is refused (415) before it is read."""
    if not content_type.startswith("application/json"):
        raise UnsupportedMediaTypeError(
            _("Send the booking as JSON."), code="unsupported_media_type"
        )


def body_size_check(meta: dict[str, Any]) -> None:
    """A body declared larger than MAX_BODY_BYTES is refused (413) before it is read."""
    if int(meta.get("CONTENT_LENGTH") or 0) > MAX_BODY_BYTES:
        raise BodyTooLargeError()


def parse_error() -> ParseError:
    return ParseError(_("The request body is not valid JSON."))


class SmallJSONParser(JSONParser):
    """Refuses bodies over 16 KiB before reading them: a booking is a few hundred bytes. A body
    that is not JSON gets one plain message (not the parser's own, which quotes it)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        request = (parser_context or {}).get("request")
        if request is not None:
            body_size_check(request.META)
        try:
            return super().parse(stream, media_type, parser_context)
        except ParseError:
            raise parse_error() from None
        except RecursionError:  # thousands of nested brackets
            raise parse_error() from None
