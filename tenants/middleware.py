"""Request middleware of the control plane: host routing to a tenant, and MFA for platform
staff."""

from __future__ import annotations

import copy
from collections.abc import Callable
from importlib import import_module

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, ResolverMatch, get_resolver, reverse
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import remove_www

from common.process_cache import ProcessCache
from tenants.access import access_membership_by_tenant
from tenants.errors import NotFoundError
from tenants.links import absolute_url
from tenants.models import Tenant
from tenants.selectors import user_has_totp

# Host -> tenant, each kept TENANT_HOST_CACHE_SECONDS (see TenantHostMiddleware.get_tenant);
# bounded, so a crawler asking for every host cannot grow the process.
_HOST_CACHE: ProcessCache[Tenant] = ProcessCache(max_size=10_000)


def tenant_for_host_known(hostname: str) -> Tenant | None:
    """The tenant this process resolved for `hostname` (as TenantMainMiddleware words it: no
    port, no "www.") within TENANT_HOST_CACHE_SECONDS, else None; never queries. A host is only
    remembered after Django accepted it (ALLOWED_HOSTS) and found its tenant."""
    return _HOST_CACHE.get(hostname)


class TenantHostMiddleware(TenantMainMiddleware):
    """django-tenants' host routing: `<slug>.<root domain>` -> that tenant's schema and the
    tenant URLconf; the root domain -> public schema and the public URLconf; an unknown host ->
    the "organiser not found" page (settings.DEFAULT_NOT_FOUND_TENANT_VIEW).

    /healthz (database and broker) and /livez (the process answers, nothing else) answer on any
    host: load balancers probe instances by IP address, a host that is neither ours nor in
    ALLOWED_HOSTS."""

    @staticmethod
    def hostname_from_request(request: HttpRequest) -> str:
        """As django-tenants, in lower case: host names are case-insensitive (RFC 4343), and
        "ALPHA.sentra.id" is the same organiser as "alpha.sentra.id". The rush front reads
        hosts the same way (api.front.requests._host_checked)."""
        return remove_www(request.get_host().split(":")[0]).lower()

    def get_tenant(self, domain_model: type, hostname: str) -> Tenant:
        """Host -> tenant, remembered per process for TENANT_HOST_CACHE_SECONDS: at opening hour
        every request would otherwise start with the same Domain query. A tenant renamed or
        approved is seen by every process within that time."""
        if settings.TENANT_HOST_CACHE_SECONDS <= 0:
            return super().get_tenant(domain_model, hostname)
        cached = _HOST_CACHE.get(hostname)
        if cached is not None:
            return copy.copy(cached)
        tenant = super().get_tenant(domain_model, hostname)
        _HOST_CACHE.put(hostname, tenant, seconds=settings.TENANT_HOST_CACHE_SECONDS)
        return copy.copy(tenant)

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        if request.path_info == "/livez":
            return HttpResponse("ok", content_type="text/plain", headers={"Content-Length": "2"})
        if request.path_info == "/healthz":
            from common.health import healthz

            return healthz(request)
        return super().process_request(request)


SESSION_SCHEMA_KEY = "_sentra_schema"


class SessionTenantBindingMiddleware:
    """A session belongs to the host (tenant schema) it was made on. Cookies are host-only
    (`__Host-`), so a browser never sends one organiser's session to another; but the session
    table is shared, and a cookie copied by hand would otherwise carry one organiser's booking
    state, grants or sign-in to another's host. A session from another host is set aside here
    (not deleted): the request starts with an empty one. Sits right after SessionMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.session_store = import_module(settings.SESSION_ENGINE).SessionStore

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        schema = tenant.schema_name if tenant is not None else "public"
        bound = request.session.get(SESSION_SCHEMA_KEY)
        if bound is not None and bound != schema:
            request.session = self.session_store()
        response = self.get_response(request)
        session = request.session
        # Read again: a sign-in flushes the session and fills it anew during the request.
        modified = session.modified and not session.is_empty()
        if modified and session.get(SESSION_SCHEMA_KEY) != schema:
            session[SESSION_SCHEMA_KEY] = schema
        return response


# URL names a platform staff member without TOTP may still reach: enough to set it up or leave.
_MFA_SETUP_URL_NAMES = (
    "mfa_activate_totp",
    "mfa_index",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
    "mfa_download_recovery_codes",
    "account_logout",
    "account_reauthenticate",
    "mfa_reauthenticate",
    "healthz",
    "set_language",
)


class PlatformStaffMFAMiddleware:
    """Platform staff must use TOTP: until they have set it up, every page sends them to the
    set-up page. allauth then asks for the code at every later login."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_staff:
            match = _resolve(request)
            url_name = match.url_name if match else None
            if url_name not in _MFA_SETUP_URL_NAMES and not user_has_totp(user=user):
                return HttpResponseRedirect(_totp_setup_url(request))
        return self.get_response(request)


def _totp_setup_url(request: HttpRequest) -> str:
    """Set-up happens on the root domain: on an organiser's host the account pages are for
    that organiser's members only."""
    path = reverse("mfa_activate_totp", urlconf=settings.PUBLIC_SCHEMA_URLCONF)
    tenant = getattr(request, "tenant", None)
    if tenant is None or tenant.is_public:
        return path
    return absolute_url(host=settings.ROOT_DOMAIN, path=path)


# On an organiser's host these pages are for its members only. allauth's own account pages
# (email, password, MFA) are the user's, not the tenant's, but a host answers strangers with
# 404 rather than with anything at all.
_MEMBER_ONLY_URL_PREFIXES = (
    "mfa_",
    "account_reauthenticate",
    "account_request_reauth",
    "account_confirm_reauth",
)
# Our own views check membership themselves (tenants.access), the API answering in JSON.
_MEMBER_ONLY_URL_NAMES = frozenset(
    {"account_email", "account_change_password", "account_set_password"}
)
_SIGN_IN_STEPS = frozenset({"mfa_authenticate"})  # the MFA step of signing in itself


class TenantMembershipMiddleware:
    """A signed-in user who is not a member of this host's tenant gets 404 on member pages.
    The views check again through tenants.access; this covers views we do not own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        user = getattr(request, "user", None)
        if (
            tenant is not None
            and not tenant.is_public  # an organiser's host
            and user is not None
            and user.is_authenticated
            and _member_only(request)
        ):
            try:
                access_membership_by_tenant(user=user, tenant=tenant)
            except NotFoundError as exc:
                raise Http404(exc.message) from exc
        return self.get_response(request)


def _member_only(request: HttpRequest) -> bool:
    match = _resolve(request)
    name = (match.url_name if match else None) or ""
    if name in _SIGN_IN_STEPS:
        return False
    return name in _MEMBER_ONLY_URL_NAMES or name.startswith(_MEMBER_ONLY_URL_PREFIXES)


def _resolve(request: HttpRequest) -> ResolverMatch | None:
    try:
        return get_resolver(getattr(request, "urlconf", None)).resolve(request.path_info)
    except Resolver404:
        return None
