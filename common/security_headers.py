"""The headers every answer carries, besides Django's SecurityMiddleware and X-Frame-Options:

- Content-Security-Policy. Pages: scripts only from this host (there is no inline script),
  style elements only from this host or with this request's nonce (`request.csp_nonce`: the
  organiser's colours in _brand_head.html, the try-again page), style attributes allowed (the
  fill bars set a width; an injected style attribute cannot run anything), no plugins, no
  <base>, forms post only here, and no other site may frame us (`frame-ancestors 'none'`).
  Anything else (JSON, files): `default-src 'none'; frame-ancestors 'none'`.
- Permissions-Policy: the camera on our own pages only (check-in scans the e-voucher's QR
  code), nothing else a page could ask for.
- Cache-Control: no-store unless the view chose its own caching. Booking pages, a booking's
  answers on the API and the organiser's lists show people's data on shared phones and
  computers: nothing is kept in a browser's or a proxy's cache.

The rush front (api/front/) adds the same headers to its answers by running
`security_headers_add` over a probe answer (api.front.requests.fixed_headers), so its bytes stay
Django's.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'nonce-{nonce}'; "
    "style-src-attr 'unsafe-inline'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
OTHER_POLICY = "default-src 'none'; frame-ancestors 'none'"
# Only features browsers know: an unknown one is a console error on every page (Chromium has
# no "bluetooth" or "interest-cohort" feature any more).
PERMISSIONS_POLICY = "camera=(self), microphone=(), geolocation=(), payment=(), usb=(), serial=()"


def security_headers_add(response: HttpResponse, *, nonce: str | None) -> HttpResponse:
    """Add the headers above to `response` unless the view set its own."""
    page = response.get("Content-Type", "").startswith("text/html")
    policy = PAGE_POLICY.format(nonce=nonce) if page and nonce else OTHER_POLICY
    response.headers.setdefault("Content-Security-Policy", policy)
    response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    response.headers.setdefault("Cache-Control", "no-store")
    return response


class SecurityHeadersMiddleware:
    """Early in the chain, so that a nonce exists even when a later middleware fails (the
    try-again page of a database outage uses it)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = secrets.token_urlsafe(16)
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        return security_headers_add(self.get_response(request), nonce=nonce)
