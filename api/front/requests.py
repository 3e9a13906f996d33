"""What the rush front reads of a request and writes of an answer, as Django would: the
request's headers, host, scheme, language cookie and query (FrontRequest), its body read with
Django's limits and given back to the full path when the front does not answer (read_body,
replay_body), and the security headers Django's middleware puts on an API answer (fixed_headers)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.cookie import parse_cookie
from django.http.request import split_domain_port, validate_host
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.security import SecurityMiddleware
from django_tenants.utils import remove_www

from api.v1.parsers import MAX_BODY_BYTES
from common.process_cache import ProcessCache
from common.security_headers import security_headers_add
from config.wsgi_bridge import BODY_IDLE_SECONDS
from tenants.middleware import tenant_for_host_known

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
# (status, body, language) of an answer the front gives itself
Answer = tuple[int, bytes, str]


class FrontRequest:
    """What the front reads of a request, worded as Django would read it."""

    body = b""
    teaches: tuple | None = None  # what this request learns through the full path
    public = False  # the root domain's host: the control plane, never the front's
    retry_after: int | None = None  # seconds, for a 429 the front answers (Retry-After)
    deadline: float | None = None  # when the database's share of this request ends

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.headers: dict[bytes, bytes] = {}
        self.repeated = False
        for name, value in scope["headers"]:
            if name in self.headers:
                self.repeated = True
            self.headers[name] = value
        self.secure = self._scheme() == "https"
        self.hostname = self._hostname()
        self.tenant = self.find_tenant()

    def header(self, name: bytes) -> str | None:
        value = self.headers.get(name)
        return None if value is None else value.decode("latin-1")

    @property
    def content_type(self) -> str:
        return self.header(b"content-type") or ""

    @property
    def content_length(self) -> int | None:
        text = self.header(b"content-length")
        return int(text) if text is not None and text.isascii() and text.isdigit() else None

    def may_answer(self) -> bool:
        """False where Django would do something first: redirect to HTTPS, or a request with a
        header given twice (Django reads those its own way)."""
        return not self.repeated and (self.secure or not settings.SECURE_SSL_REDIRECT)

    def _scheme(self) -> str:
        # As HttpRequest.scheme: the trusted proxy's header first (SECURE_PROXY_SSL_HEADER).
        if settings.SECURE_PROXY_SSL_HEADER:
            meta_name, secure_value = settings.SECURE_PROXY_SSL_HEADER
            value = self.header(meta_name.removeprefix("HTTP_").replace("_", "-").lower().encode())
            if value is not None:
                return "https" if value.split(",", 1)[0].strip() == secure_value else "http"
        return self.scope.get("scheme", "http")

    def _hostname(self) -> str | None:
        """As HttpRequest.get_host() (ALLOWED_HOSTS, a well-formed port) and then
        TenantMainMiddleware.hostname_from_request; None where Django would refuse the host."""
        host = None
        if settings.USE_X_FORWARDED_HOST:
            host = self.header(b"x-forwarded-host")
        host = host or self.header(b"host")
        if not host:
            return None
        return _host_checked(host)

    def find_tenant(self) -> Any:
        """The organiser of this host, if this process resolved it lately."""
        tenant = tenant_for_host_known(self.hostname) if self.hostname else None
        self.public = tenant is not None and tenant.is_public
        return None if tenant is None or self.public else tenant

    def cookie_language(self, supported: set[str]) -> str:
        """As common.language.language_activate: the language cookie, else the default."""
        cookie = self.header(b"cookie")
        chosen = parse_cookie(cookie).get(settings.LANGUAGE_COOKIE_NAME) if cookie else None
        return chosen if chosen in supported else settings.LANGUAGE_CODE

    def query(self) -> dict[str, str] | None:
        """The query string as single values; None when a name repeats or it does not decode."""
        raw = self.scope.get("query_string", b"")
        values: dict[str, str] = {}
        if not raw:
            return values
        try:
            text = raw.decode("ascii")
        except UnicodeDecodeError:
            return None
        for part in text.split("&"):
            name, _, value = part.partition("=")
            if name in values or "%" in part or "+" in part:
                return None
            values[name] = value
        return values


# Host header -> (the ALLOWED_HOSTS it was checked against, the tenant host name or None).
_CHECKED_HOSTS: ProcessCache[tuple[object, str | None]] = ProcessCache(max_size=1000)
HOST_CHECK_SECONDS = 300.0


def _host_checked(host: str) -> str | None:
    """The tenant host name of a Host header Django would accept, else None; remembered per
    header value (a handful of them), as long as ALLOWED_HOSTS stays the same."""
    kept = _CHECKED_HOSTS.get(host)
    if kept is not None and kept[0] is settings.ALLOWED_HOSTS:
        return kept[1]
    domain, _port = split_domain_port(host)
    valid = bool(domain) and validate_host(domain, settings.ALLOWED_HOSTS)
    checked = remove_www(host.split(":")[0]).lower() if valid else None
    _CHECKED_HOSTS.put(host, (settings.ALLOWED_HOSTS, checked), seconds=HOST_CHECK_SECONDS)
    return checked


_HEADERS: dict[tuple, list[tuple[bytes, bytes]]] = {}


def fixed_headers(secure: bool) -> list[tuple[bytes, bytes]]:
    """The security headers Django's middleware puts on an API answer (SecurityMiddleware,
    X-Frame-Options and common.security_headers), computed by running the same middleware over
    an empty answer, once for each set of the settings they read."""
    key = (
        secure,
        settings.SECURE_HSTS_SECONDS,
        settings.SECURE_HSTS_INCLUDE_SUBDOMAINS,
        settings.SECURE_HSTS_PRELOAD,
        settings.SECURE_CONTENT_TYPE_NOSNIFF,
        settings.SECURE_REFERRER_POLICY,
        settings.SECURE_CROSS_ORIGIN_OPENER_POLICY,
        settings.X_FRAME_OPTIONS,
    )
    headers = _HEADERS.get(key)
    if headers is None:
        probe = _Probe(secure)
        response = HttpResponse(content_type="application/json")
        response = SecurityMiddleware(_unused).process_response(probe, response)
        response = XFrameOptionsMiddleware(_unused).process_response(probe, response)
        response = security_headers_add(response, nonce=None)
        headers = _HEADERS[key] = [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in response.items()
            if name.lower() != "content-type"
        ]
    return headers


class _Probe(HttpRequest):
    def __init__(self, secure: bool) -> None:
        super().__init__()
        self.secure = secure

    def is_secure(self) -> bool:
        return self.secure


def _unused(request: HttpRequest) -> HttpResponse:  # pragma: no cover
    raise AssertionError("only process_response is used")


async def read_body(receive: Receive, declared: int | None) -> tuple[bytes, bool]:
    """The request body, up to MAX_BODY_BYTES; `more` is True when reading stopped early (a
    declared or actual length beyond the limit: the full path answers 413)."""
    if declared is not None and declared > MAX_BODY_BYTES:
        return b"", True
    chunks: list[bytes] = []
    size = 0
    while True:
        try:
            async with asyncio.timeout(BODY_IDLE_SECONDS):  # a timer, not a task per chunk
                message = await receive()
        except TimeoutError:
            return b"".join(chunks), True  # a stalled client: the full path times it out
        if message["type"] != "http.request":
            return b"".join(chunks), True  # the client left: the fallback sees it too
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), False
        if size > MAX_BODY_BYTES:
            return b"".join(chunks), True


def replay_body(body: bytes, more: bool, receive: Receive) -> Receive:
    """A receive() for the fallback that gives back what the front read, then the rest."""
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": more}
        return await receive()

    return replay
