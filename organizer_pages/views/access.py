"""The gate of the organiser's pages under /kelola/ (all but the dashboard).

Owners and administrators only: anyone else who is signed in gets 404, the same answer as for a
page that does not exist; the anonymous are sent to sign in. Objects are looked up in the
current organiser's schema (the request's), so another organiser's ids simply do not exist
here.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from tenants.access import access_membership_by_tenant
from tenants.errors import NotFoundError
from tenants.models import Membership
from tenants.requests import request_tenant

ADMIN_ROLES = (Membership.Role.OWNER, Membership.Role.ADMIN)

View = Callable[..., HttpResponse]


def organizer_admin_page(view: View) -> View:
    """Sign-in first (302 to the sign-in page), then owner or administrator of this host's
    organiser, else 404."""

    @wraps(view)
    def checked(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        try:
            access_membership_by_tenant(
                user=request.user, tenant=request_tenant(request), roles=ADMIN_ROLES
            )
        except NotFoundError as exc:
            raise Http404(exc.message) from exc
        return view(request, *args, **kwargs)

    return login_required(checked)
