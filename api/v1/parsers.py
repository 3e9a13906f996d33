"""Request bodies for the public API: small JSON only."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import APIException
from rest_framework.parsers import JSONParser

MAX_BODY_BYTES = 16 * 1024


class BodyTooLargeError(APIException):
    status_code = 413
    default_detail = _("The request body is too large.")
    default_code = "body_too_large"


class SmallJSONParser(JSONParser):
    """Refuses bodies over 16 KiB before reading them: a booking is a few hundred bytes."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        request = (parser_context or {}).get("request")
        length = int(request.META.get("CONTENT_LENGTH") or 0) if request is not None else 0
        if length > MAX_BODY_BYTES:
            raise BodyTooLargeError()
        return super().parse(stream, media_type, parser_context)
