"""Language choice: Bahasa Indonesia unless the person chose English with the switch.

Django's LocaleMiddleware would follow the browser's Accept-Language, and many phones in
Indonesia are set to English while their owners read Bahasa Indonesia best; the product's rule
is "Bahasa Indonesia first". So only the language cookie (set by the switch) counts.

In common/ because both web layers use it: the pages (this middleware) and the API's.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers


class LanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = language_activate(request, self.supported)
        return language_mark(self.get_response(request), language)


def language_activate(request: HttpRequest, supported: set[str] | None = None) -> str:
    """Activate the language of the cookie (or the default) for this request. `supported`:
    the codes of settings.LANGUAGES, which the middlewares work out once."""
    if supported is None:
        supported = {code for code, _name in settings.LANGUAGES}
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    language = chosen if chosen in supported else settings.LANGUAGE_CODE
    translation.activate(language)
    request.LANGUAGE_CODE = language
    return language


def language_mark(response: HttpResponse, language: str) -> HttpResponse:
    patch_vary_headers(response, ("Cookie",))
    response.headers.setdefault("Content-Language", language)
    return response
