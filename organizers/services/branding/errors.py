"""The one error of branding: a refused detail, named by the form field it belongs to."""

from __future__ import annotations

from tenants.errors import ApplicationError, UserText


class BrandingError(ApplicationError):
    """A refused branding detail; `extra` maps the form field to its message."""

    def __init__(self, message: UserText, *, code: str, field: str) -> None:
        super().__init__(message, code=code, extra={field: [message]})
