"""The one application error type. Interfaces map it to HTTP in one place each
(api.exception_handlers for the API, public_site views for HTML)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

# A message for a person: a str, or gettext_lazy's lazy string translated when it is shown
# (_StrPromise is the stubs' name for that lazy string; it does not exist at run time).
UserText: TypeAlias = "str | _StrPromise"


class ApplicationError(Exception):
    """A rule of the domain refused the request. `code` is machine-readable; `message` is
    already translated (gettext_lazy) for the person who sees it."""

    status_code = 400

    def __init__(
        self, message: UserText, *, code: str = "invalid", extra: dict | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.extra = extra or {}


class NotFoundError(ApplicationError):
    """Does not exist, or is not yours: callers cannot tell the two apart on purpose."""

    status_code = 404

    def __init__(self, message: UserText | None = None, *, code: str = "not_found") -> None:
        super().__init__(message or _("Not found."), code=code)


class ConflictError(ApplicationError):
    status_code = 409
