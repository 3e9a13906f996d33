from __future__ import annotations

import secrets
import sys

from django.conf import settings
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation

from common import database_outage
from common.language import language_activate, language_mark
from common.security_headers import security_headers_add
from tenants.links import absolute_url


def tenant_not_found(request: HttpRequest) -> HttpResponse:
    """An unknown subdomain: a proper page with the way to the directory, status 404. The host
    middleware answers it before the language middleware runs, so the page takes its language
    here (else it spoke whatever the thread's previous request had left active)."""
    language = language_activate(request)
    response = render(
        request,
        "public_site/tenant_not_found.html",
        {
            "host": request.get_host().split(":")[0],
            "root_url": absolute_url(host=settings.ROOT_DOMAIN),
            "bare_page": True,
        },
        status=404,
    )
    return language_mark(response, language)


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's handler500, on both kinds of host. When the error is the database being out of
    reach (common/database_outage.py), people are told to try again: the API as a JSON 503
    `try_again`, the pages as a short page in the person's language; both with Retry-After.
    Any other error is the plain 500 page. Nothing here touches the database (it may be down):
    the page is self-contained and the language comes from the cookie or the browser."""
    seconds = database_outage.retry_after(sys.exc_info()[1])
    if seconds is None:
        return HttpResponse(render_to_string("500.html"), status=500)
    language = language_activate(request)
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(database_outage.try_again_body(), status=503)
    else:
        response = HttpResponse(
            render_to_string(
                "public_site/try_again.html",
                {"seconds": seconds, "csp_nonce": getattr(request, "csp_nonce", "")},
            ),
            status=503,
        )
    response["Retry-After"] = str(seconds)
    response["Cache-Control"] = "no-store"
    return language_mark(response, language)


def deadline_answer(request: HttpRequest) -> HttpResponse:
    """The answer given in place of a request not answered by its deadline
    (config/request_deadline.py): the database did not answer in time, so it is the outage
    answer above (503 "try again", JSON on the API), with the headers every answer carries.
    Made on the web server's event loop, without the middleware and without the database."""
    nonce = secrets.token_urlsafe(16)
    request.csp_nonce = nonce  # type: ignore[attr-defined]
    with translation.override(None):  # whatever the loop had active stays as it was
        try:
            raise OperationalError("the request's deadline passed before the database answered")
        except OperationalError:
            response = server_error(request)
    return security_headers_add(response, nonce=nonce)
