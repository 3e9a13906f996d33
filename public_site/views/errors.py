from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from common.language import language_activate, language_mark
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
