"""The pages' side of the access gateways: their NotFoundError is the page's 404."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.http import Http404

from tenants.errors import NotFoundError


@contextmanager
def not_found_is_404() -> Iterator[None]:
    """Inside: a gateway's NotFoundError ("missing" or "not yours", alike) becomes Http404."""
    try:
        yield
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
