from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import get_language

from organizers.services.branding.display import branding_view_for_language, branding_view_get


def site(request: HttpRequest) -> dict[str, object]:
    """The current organiser (None on the root domain) for every template."""
    tenant = getattr(request, "tenant", None)
    if tenant is not None and tenant.is_public:
        tenant = None
    return {"current_tenant": tenant}


def branding(request: HttpRequest) -> dict[str, object]:
    """The organiser's branding (logo, colours, welcome text for the active language, FAQ,
    contact: organizers.services.branding.display.BrandingView) on its own host; None on the root
    domain, which stays Sentra's. Cached per tenant for a few seconds; a save clears it."""
    tenant = getattr(request, "tenant", None)
    if tenant is None or tenant.is_public:
        return {"branding": None}
    view = branding_view_get()
    return {"branding": branding_view_for_language(view, language=get_language() or "id")}
