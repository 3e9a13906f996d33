"""The rush lane: the two endpoints opening hour hammers (POST /api/v1/bookings and GET
/api/v1/venues/<id>/slots) skip the middleware they have no use for.

They are public, cookie-less JSON endpoints: no session, no signed-in user, no CSRF token, no
flash messages, no allauth or membership checks. Profiling the booking under load showed the
full middleware stack and URL resolution costing about as much as the booking itself. This
middleware sits right after TenantHostMiddleware (which has chosen the tenant and its schema)
and answers those two requests itself, keeping what still matters: the HTTPS redirect and
security headers (SecurityMiddleware, X-Frame-Options) and the language from the cookie.
Every other request, and any other method on these paths, takes the full stack.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.security import SecurityMiddleware
from django.utils import translation

from api.v1 import rush
from common.language import language_activate, language_mark

SLOTS_PATH = re.compile(r"^/api/v1/venues/([0-9]{1,18})/slots$")  # also the rush front's


def _never_called(request: HttpRequest) -> HttpResponse:  # pragma: no cover
    raise AssertionError("the rush lane answers by itself")


class RushLaneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.security = SecurityMiddleware(_never_called)
        self.frame_options = XFrameOptionsMiddleware(_never_called)
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        view = self._view(request)
        if view is None:
            return self.get_response(request)
        redirect = self.security.process_request(request)
        if redirect is not None:
            return redirect
        language = language_activate(request, self.supported)
        try:
            response = view(request)
        finally:
            translation.deactivate()
        response = language_mark(response, language)
        response = self.security.process_response(request, response)
        return self.frame_options.process_response(request, response)

    def _view(self, request: HttpRequest) -> Callable[[HttpRequest], HttpResponse] | None:
        tenant = getattr(request, "tenant", None)
        if tenant is None or tenant.is_public:
            return None
        path = request.path_info
        if request.method == "POST" and path == "/api/v1/bookings":
            return rush.booking_create
        if request.method == "GET" and (match := SLOTS_PATH.match(path)):
            venue_id = int(match.group(1))
            return lambda request: rush.venue_slots(request, venue_id)
        return None
