from __future__ import annotations

from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, object]:
    """The current organiser (None on the root domain) for every template."""
    tenant = getattr(request, "tenant", None)
    if tenant is not None and tenant.is_public:
        tenant = None
    return {"current_tenant": tenant}


def branding(request: HttpRequest) -> dict[str, object]:
    """The organiser's branding (logo, colours, welcome text, FAQ, contact) on its own host."""
    return {"branding": None}  # filled in by the branding work
